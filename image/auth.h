/* Registry credentials in auth.json (containers-auth.json(5)), the file `rcr login` writes and
 * every registry call reads:  {"auths": {"host:port[/path]": {"auth": base64("user:pass")}}}.
 *
 * Read in order (the first file holding a matching entry wins): --authfile alone when given;
 * else $XDG_RUNTIME_DIR/containers/auth.json, $XDG_CONFIG_HOME/containers/auth.json,
 * ~/.docker/config.json. Within a file the most specific key wins: "host/ns/repo", "host/ns",
 * "host". Credentials never appear in error text.
 */
#ifndef RCR_IMAGE_AUTH_H
#define RCR_IMAGE_AUTH_H

#include <stdbool.h>

#include "pkg/error.h"

struct auth_creds {
	char *username; /* owned */
	char *password; /* owned; wiped on release */
};
void auth_creds_release(struct auth_creds *c);

/* The files to read, NULL-terminated and owned: authfile alone, or the default list from the
 * given dirs (runtime_dir may be NULL: it is then skipped). */
char **auth_files(const char *authfile, const char *runtime_dir, const char *config_home,
		  const char *home);

/* The file `rcr login` writes: authfile, else $XDG_RUNTIME_DIR/containers/auth.json, else (no
 * XDG_RUNTIME_DIR, as under su or cron) $XDG_CONFIG_HOME/containers/auth.json. Owned. */
char *auth_write_file(const char *authfile, const char *runtime_dir, const char *config_home);

/* Find credentials for repository ("host/ns/repo"). Returns 1 and fills out when found, 0 when
 * no file has an entry, -1 for a file that is not valid JSON or holds a bad entry. */
int auth_lookup(char *const *files, const char *repository, struct auth_creds *out,
		struct rcr_error **err);

/* Add or replace the entry key ("host" or "host/ns/repo") in file, created 0600 in a 0700 dir,
 * written atomically. */
int auth_store(const char *file, const char *key, const char *username, const char *password,
	       struct rcr_error **err);

/* Remove key's entry (*removed says whether there was one), or every entry when key is NULL. */
int auth_remove(const char *file, const char *key, bool *removed, struct rcr_error **err);

/* Split "user:password" (--creds). The password may contain ':'; an empty user is an error. */
int auth_parse_creds(const char *s, struct auth_creds *out, struct rcr_error **err);

/* The key an auth.json entry stands for, normalised as containers/image does:
 * "https://index.docker.io/v1/" -> "docker.io", "http://h:5000/" -> "h:5000". Owned. */
char *auth_normalize_key(const char *key);

#endif
