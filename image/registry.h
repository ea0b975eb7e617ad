/* A client for one registry host, speaking the OCI distribution API (v2) over libcurl:
 * ping, manifests, blobs (streamed and verified against their digest), tag lists; anonymous,
 * Basic and Bearer-token auth with tokens cached per scope; retries with backoff on 5xx and
 * connection errors; TLS verified unless the registry is insecure, with CA files from certs.d.
 *
 * Thread use: one client per thread (tokens are not shared across clients); blobs of one pull
 * download in parallel through several clients. Credentials never appear in errors or logs.
 */
#ifndef RCR_IMAGE_REGISTRY_H
#define RCR_IMAGE_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "image/auth.h"
#include "pkg/error.h"

struct reg_client_opts {
	const char *host;		/* "127.0.0.1:5000", "docker.io" (the API host is mapped) */
	bool insecure;			/* plain http allowed and TLS not verified */
	const char *cert_dir;		/* certs.d/HOST with *.crt (CAs), *.cert + *.key, or NULL */
	const struct auth_creds *creds; /* borrowed, or NULL for anonymous */
};

struct reg_client;

/* Make a client (nothing is contacted yet). */
struct reg_client *reg_client_new(const struct reg_client_opts *opts, struct rcr_error **err);
void reg_client_free(struct reg_client *c);

/* GET /v2/: reachable, and whether credentials are needed. Sets the scheme for an insecure
 * registry (https without verification, else http, as Podman tries). */
int reg_ping(struct reg_client *c, struct rcr_error **err);

/* Check the client's credentials the way `docker login` does: GET /v2/ with Basic, or, for a
 * Bearer registry, get a token for no particular scope and GET /v2/ with it. 0 when accepted;
 * -1 with an EACCES error naming the registry when refused. */
int reg_check_credentials(struct reg_client *c, struct rcr_error **err);

/* Fetch a manifest or index by tag or digest. body is owned (capped at 4 MiB); media_type
 * (owned) is the Content-Type header, NULL when absent; digest (72 bytes) is the sha256 of the
 * bytes received. When ref is a digest, a body with another digest is an error. */
int reg_get_manifest(struct reg_client *c, const char *repo, const char *ref, char **body,
		     size_t *len, char **media_type, char digest[72], struct rcr_error **err);

/* Where a blob's bytes go. write returns 0, or -1 to abort with the error it set in *err.
 * reset is called before a retry re-sends the blob from its start. */
struct reg_sink {
	int (*write)(void *arg, const void *data, size_t len, struct rcr_error **err);
	int (*reset)(void *arg, struct rcr_error **err);
	void *arg;
};

/* Stream a blob into sink, verifying it against digest as it arrives; a mismatch is an error
 * (EBADMSG) and the caller must discard what the sink received. Redirects are followed (without
 * sending credentials to another host). */
int reg_get_blob(struct reg_client *c, const char *repo, const char *digest,
		 const struct reg_sink *sink, struct rcr_error **err);

/* The repository's tags (GET /v2/REPO/tags/list), an owned JSON array of strings. */
json_t *reg_list_tags(struct reg_client *c, const char *repo, struct rcr_error **err);

/* Accept header value for manifests: OCI and Docker schema 2, images and indexes. */
extern const char *const reg_manifest_accept;

#endif
