/* WWW-Authenticate parsing (see challenge.h).
 *
 *   challenge := scheme [ param *( "," param ) ]      param := token "=" ( token | quoted )
 * Several challenges in one header are separated by commas too; a new challenge starts where a
 * token is followed by a space and not by "=". Must never read past the string's end.
 */
#include "image/challenge.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"

static bool is_token_char(char c)
{
	return c && (isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A quoted string starting after its opening quote; *end is set after the closing quote. */
static char *read_quoted(const char *p, const char **end)
{
	_cleanup_free_ char *out = malloc(strlen(p) + 1);
	size_t n = 0;

	if (out == NULL)
		return NULL;
	while (*p && *p != '"') {
		if (*p == '\\' && p[1])
			p++;
		out[n++] = *p++;
	}
	if (*p != '"')
		return NULL;
	out[n] = '\0';
	*end = p + 1;
	return steal_ptr(&out);
}

static void set_param(struct auth_challenge *c, const char *key, size_t klen, char *value)
{
	char **slot = NULL;

	if (klen == 5 && strncasecmp(key, "realm", 5) == 0)
		slot = &c->realm;
	else if (klen == 7 && strncasecmp(key, "service", 7) == 0)
		slot = &c->service;
	else if (klen == 5 && strncasecmp(key, "scope", 5) == 0)
		slot = &c->scope;
	else if (klen == 5 && strncasecmp(key, "error", 5) == 0)
		slot = &c->error;
	if (slot != NULL && *slot == NULL)
		*slot = value;
	else
		free(value);
}

/* One challenge from p; returns where the next one starts, or NULL on malformed input. */
static const char *parse_one(const char *p, struct auth_challenge *c)
{
	const char *start = p = skip_ows(p);

	while (is_token_char(*p))
		p++;
	if (p == start)
		return NULL;
	c->scheme = strndup(start, (size_t)(p - start));
	for (char *s = c->scheme; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
	for (;;) {
		const char *key, *kend;
		char *value;

		p = skip_ows(p);
		while (*p == ',')
			p = skip_ows(p + 1);
		key = p;
		while (is_token_char(*p))
			p++;
		kend = p;
		p = skip_ows(p);
		if (kend == key || *p != '=')
			return kend == key ? p : key; /* end, or the next challenge's scheme */
		p = skip_ows(p + 1);
		if (*p == '"') {
			value = read_quoted(p + 1, &p);
		} else {
			const char *v = p;

			while (is_token_char(*p) || *p == '/' || *p == ':' || *p == '=')
				p++;
			value = strndup(v, (size_t)(p - v));
		}
		if (value == NULL)
			return NULL;
		set_param(c, key, (size_t)(kend - key), value);
	}
}

int auth_challenge_parse(const char *value, struct auth_challenge *out, struct rcr_error **err)
{
	const char *p = value;
	struct auth_challenge first = {0};

	memset(out, 0, sizeof(*out));
	while (p && *skip_ows(p)) {
		struct auth_challenge c = {0};

		p = parse_one(p, &c);
		if (p == NULL || c.scheme == NULL) {
			auth_challenge_release(&c);
			break;
		}
		if (strcmp(c.scheme, "bearer") == 0) {
			auth_challenge_release(&first);
			first = c;
			break;
		}
		if (first.scheme == NULL)
			first = c;
		else
			auth_challenge_release(&c);
	}
	if (first.scheme == NULL) {
		rcr_error_set(err, EPROTO, "malformed WWW-Authenticate header '%s'", value);
		return -1;
	}
	if (strcmp(first.scheme, "bearer") == 0 && first.realm == NULL) {
		auth_challenge_release(&first);
		rcr_error_set(err, EPROTO,
			      "the registry asks for a bearer token but names no realm to get it "
			      "from (WWW-Authenticate: '%s')",
			      value);
		return -1;
	}
	*out = first;
	return 0;
}

void auth_challenge_release(struct auth_challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof(*c));
}
