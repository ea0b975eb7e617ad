/* Generated container names (names.h): an adjective and a scientist, drawn with getrandom.
 * Uniqueness is the store's job (the name column is unique); a clash is retried by the caller.
 */
#include "container/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

static const char *const adjectives[] = {
	"admiring", "agitated",	  "amazing",  "angry",	  "awesome", "blissful", "bold",
	"brave",    "busy",	  "charming", "clever",	  "cool",    "dazzling", "eager",
	"ecstatic", "elegant",	  "epic",     "festive",  "focused", "gallant",	 "gifted",
	"happy",    "hopeful",	  "jolly",    "keen",	  "kind",    "lucid",	 "modest",
	"nifty",    "optimistic", "peaceful", "quirky",	  "relaxed", "serene",	 "sharp",
	"stoic",    "sweet",	  "tender",   "trusting", "upbeat",  "vibrant",	 "zealous",
};

static const char *const surnames[] = {
	"agnesi",   "babbage",	"banach",  "bohr",    "curie",	    "darwin",	"dijkstra",
	"einstein", "euler",	"faraday", "fermat",  "feynman",    "gauss",	"goodall",
	"hamilton", "hopper",	"hypatia", "johnson", "kepler",	    "knuth",	"lamarr",
	"leakey",   "lovelace", "maxwell", "meitner", "mirzakhani", "newton",	"noether",
	"pasteur",  "pike",	"ritchie", "shannon", "thompson",   "torvalds", "turing",
	"wiles",    "wing",	"wozniak", "yalow",   "zhukovsky",
};

char *ctr_name_generate(void)
{
	unsigned int r[2] = {0, 0};
	char *name = NULL;

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		r[0] = (unsigned)rand(), r[1] = (unsigned)rand();
	if (asprintf(&name, "%s_%s",
		     adjectives[r[0] % (sizeof(adjectives) / sizeof(adjectives[0]))],
		     surnames[r[1] % (sizeof(surnames) / sizeof(surnames[0]))]) < 0)
		return NULL;
	return name;
}
