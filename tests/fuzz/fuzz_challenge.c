/* libFuzzer target: WWW-Authenticate headers, which come from the network. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/challenge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	struct auth_challenge c;
	struct rcr_error *err = NULL;

	if (s != NULL && auth_challenge_parse(s, &c, &err) == 0)
		auth_challenge_release(&c);
	rcr_error_free(err);
	free(s);
	return 0;
}
