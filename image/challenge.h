/* WWW-Authenticate challenges from a registry's 401 (RFC 7235, as the Docker registry token
 * protocol uses them):  Bearer realm="https://auth/token",service="reg",scope="repository:x:pull"
 * or  Basic realm="Registry Realm". Pure: header text in, struct out; fuzzed.
 */
#ifndef RCR_IMAGE_CHALLENGE_H
#define RCR_IMAGE_CHALLENGE_H

#include "pkg/error.h"

struct auth_challenge {
	char *scheme;  /* owned, lower case: "bearer", "basic" */
	char *realm;   /* owned or NULL */
	char *service; /* owned or NULL */
	char *scope;   /* owned or NULL */
	char *error;   /* owned or NULL: "insufficient_scope", "invalid_token" */
};

/* Parse the header's value. When it lists several challenges, a Bearer one is preferred, else
 * the first. A Bearer challenge without a realm is an error (there is nowhere to get a token). */
int auth_challenge_parse(const char *value, struct auth_challenge *out, struct rcr_error **err);
void auth_challenge_release(struct auth_challenge *c);

#endif
