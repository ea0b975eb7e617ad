/* Pulling an image from a registry into the store (DESIGN.md §5, §6): resolve the name
 * (registries.conf short names, aliases, mirrors), fetch the manifest (choosing the platform of
 * an index), the config and the layers (several at once, each verified against its digest while
 * it streams, unpacked in the user's namespace as soon as it has arrived, its diff_id checked),
 * then commit layers in order and the image. A layer already in the store is not downloaded.
 * Nothing is printed here: progress goes to a callback.
 */
#ifndef RCR_IMAGE_PULL_H
#define RCR_IMAGE_PULL_H

#include <stdbool.h>

#include "image/auth.h"
#include "image/registries.h"
#include "pkg/error.h"
#include "pkg/userns.h"

struct store;

enum pull_event {
	PULL_TRYING,	    /* detail: the reference being tried */
	PULL_BLOB_EXISTS,   /* detail: layer digest; already in the store */
	PULL_BLOB_DONE,	    /* detail: layer digest; downloaded, verified and unpacked */
	PULL_CONFIG_DONE,   /* detail: config digest */
	PULL_MANIFEST_DONE, /* detail: manifest digest; the image is stored */
};

struct pull_opts {
	struct store *store;		     /* borrowed */
	const struct reg_conf *conf;	     /* borrowed */
	char *const *auth_files;	     /* borrowed */
	const struct auth_creds *creds;	     /* --creds, overrides the auth files; may be NULL */
	const char *cert_dir;		     /* --cert-dir or NULL */
	int tls_verify;			     /* -1 registries.conf decides, 0 false, 1 true */
	const char *os, *arch, *variant;     /* the platform to choose from an index */
	const struct userns_user_maps *maps; /* how layers are unpacked */
	void (*on_event)(void *arg, enum pull_event ev, const char *detail);
	/* Bytes of a layer received so far (called from download threads, often). May be NULL. */
	void (*on_progress)(void *arg, const char *digest, long long done, long long total);
	void *event_arg;
};

/* Pull name (a reference as the user typed it). image_id receives "sha256:<config digest>". */
int img_pull(const struct pull_opts *o, const char *name, char image_id[72],
	     struct rcr_error **err);

/* The tags of name's repository (for --all-tags): the first candidate of a short name whose
 * registry answers. *repo gets the fully qualified repository; tags an owned vector. */
int img_list_tags(const struct pull_opts *o, const char *name, char **repo, char ***tags,
		  struct rcr_error **err);

#endif
