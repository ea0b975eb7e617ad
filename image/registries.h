/* registries.conf as containers-registries.conf(5) defines it: unqualified-search-registries,
 * [aliases], and [[registry]] entries (prefix, location, insecure, blocked, mirrors).
 *
 * Which files: $XDG_CONFIG_HOME/containers/registries.conf when it exists, else
 * /etc/containers/registries.conf; then the drop-ins *.conf of /etc/containers/registries.conf.d/
 * and $XDG_CONFIG_HOME/containers/registries.conf.d/ in name order (a user drop-in replaces the
 * system one of the same name). A later file replaces unqualified-search-registries and
 * short-name-mode, adds or replaces aliases one by one, and replaces a [[registry]] with the same
 * prefix. Merging is pure (reg_conf_apply_text) and unit-tested.
 */
#ifndef RCR_IMAGE_REGISTRIES_H
#define RCR_IMAGE_REGISTRIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "image/reference.h"
#include "pkg/error.h"

struct reg_mirror {
	char *location;
	bool insecure;
};

struct reg_entry {
	char *prefix;	/* what references it covers: "example.com/ns", "*.example.com" */
	char *location; /* where they are pulled from (prefix replaced by it) */
	bool insecure;	/* plain http allowed, TLS not verified */
	bool blocked;
	struct reg_mirror *mirrors; /* tried in order before location */
	size_t n_mirrors;
};

struct reg_conf {
	char **search;	 /* unqualified-search-registries, NULL-terminated, owned */
	json_t *aliases; /* object: short name -> fully qualified name */
	struct reg_entry *entries;
	size_t n_entries;
	char **files; /* the files read, in order, NULL-terminated */
};

void reg_conf_init(struct reg_conf *c);
void reg_conf_release(struct reg_conf *c);

/* Merge one file's text into c. what names it in errors. */
int reg_conf_apply_text(struct reg_conf *c, const char *text, size_t len, const char *what,
			struct rcr_error **err);

/* Read the files described above. config_home is $XDG_CONFIG_HOME (or ~/.config); etc_dir is
 * "/etc/containers" except in tests. Missing files are fine. */
int reg_conf_load(const char *config_home, const char *etc_dir, struct reg_conf *c,
		  struct rcr_error **err);

/* The entry whose prefix matches repository ("domain/path") longest, or NULL. */
const struct reg_entry *reg_conf_find(const struct reg_conf *c, const char *repository);

/* The candidates a short name resolves to, in the order to try: its alias if it has one, else
 * each search registry. Owned array of n refs. An unresolvable short name is an error that says
 * how to fix it. */
int reg_conf_resolve_short(const struct reg_conf *c, const struct img_ref *r, struct img_ref **out,
			   size_t *n, struct rcr_error **err);

/* An endpoint to contact for a repository: registry host and path on it. */
struct reg_endpoint {
	char *host; /* owned "127.0.0.1:5000" */
	char *path; /* owned "ns/app" */
	bool insecure;
};

/* The endpoints for ref, mirrors first then the location (or the reference's own registry when
 * no entry matches). A blocked registry is an error naming it. Owned array of n. */
int reg_conf_endpoints(const struct reg_conf *c, const struct img_ref *ref,
		       struct reg_endpoint **out, size_t *n, struct rcr_error **err);
void reg_endpoints_free(struct reg_endpoint *v, size_t n);

/* The certs.d directory for host (containers-certs.d(5)): config_home/containers/certs.d/HOST
 * when it exists, else /etc/containers/certs.d/HOST when it exists, else NULL. Owned. */
char *reg_cert_dir(const char *config_home, const char *host);

/* Whether host is insecure (plain http allowed, TLS unverified) per registries.conf. */
bool reg_conf_host_insecure(const struct reg_conf *c, const char *host);

#endif
