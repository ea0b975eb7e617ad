/* sha256 digests with libcrypto's EVP interface, loaded on first use (see digest.h and
 * lazylib.h). */
#include "image/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/lazylib.h"

struct digester {
	EVP_MD_CTX *ctx;
};

struct digester *digester_new(void)
{
	struct digester *d;

	if (lazylib_crypto(NULL) < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->ctx = EVP_MD_CTX_new();
	if (d->ctx == NULL || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
		digester_free(d);
		return NULL;
	}
	return d;
}

void digester_update(struct digester *d, const void *data, size_t len)
{
	EVP_DigestUpdate(d->ctx, data, len);
}

void digester_finish(struct digester *d, char out[72])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(d->ctx, md, &n);
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(out + 7 + (size_t)2 * i, 3, "%02x", md[i]);
	out[71] = '\0';
	digester_free(d);
}

void digester_free(struct digester *d)
{
	if (d == NULL)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

void img_digest_of(const void *data, size_t len, char out[72])
{
	struct digester *d = digester_new();

	if (d == NULL) {
		out[0] = '\0';
		return;
	}
	digester_update(d, data, len);
	digester_finish(d, out);
}

int img_digest_check(const char *digest, struct rcr_error **err)
{
	const char *colon = strchr(digest, ':');

	if (colon == NULL || (size_t)(colon - digest) != 6 || strncmp(digest, "sha256", 6) != 0) {
		rcr_error_set(err, ENOTSUP,
			      "digest '%s' uses an algorithm rcr cannot verify: only sha256 is "
			      "supported",
			      digest);
		return -1;
	}
	if (strlen(colon + 1) != 64 || strspn(colon + 1, "0123456789abcdef") != 64) {
		rcr_error_set(err, EINVAL, "digest '%s' is not sha256:<64 lowercase hex digits>",
			      digest);
		return -1;
	}
	return 0;
}
