/* A container's environment, built as Podman builds it: --env-host starts from the whole host
 * environment, then the image's Env, then --env-file files in order, then -e in order (later
 * wins); then defaults when absent: PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:
 * /bin, TERM=xterm when a tty is requested, container=oci, HOSTNAME, and HOME from the resolved
 * user (set by the caller with rt_env_set_default). The caller feeds the host and image entries
 * through rt_env_set. Pure: the host environment is passed in, never read.
 */
#ifndef RCR_RUNTIME_ENV_H
#define RCR_RUNTIME_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/error.h"

struct rt_env {
	char **v; /* owned NULL-terminated "NAME=value" list, each NAME once, in first-set order */
	size_t n;
};

/* Free the list; e is left empty and reusable. An all-zero struct rt_env is a valid empty one. */
void rt_env_release(struct rt_env *e);

/* Set NAME=value, replacing an existing NAME in place. entry is "NAME=value" (borrowed, copied);
 * no '=' or an empty NAME is an error. */
int rt_env_set(struct rt_env *e, const char *entry, struct rcr_error **err);

/* Set only when NAME is absent. */
int rt_env_set_default(struct rt_env *e, const char *name, const char *value,
		       struct rcr_error **err);

/* The value of NAME or NULL (borrowed from e, valid until e changes). */
const char *rt_env_get(const struct rt_env *e, const char *name);

/* Parse an --env-file's bytes (len bytes, no NUL terminator needed) and apply each line in order,
 * as Podman's env.ParseFile does: leading blanks are dropped, blank lines and lines starting with
 * '#' are skipped, a trailing '\r' (CRLF) is dropped, the last line needs no newline, a UTF-8 BOM
 * at the start is ignored; "NAME=value" is taken literally (no quotes, no trimming of the value,
 * which may be empty); "NAME" alone takes the host's value from hostenv when set (skipped when
 * not); "PRE*" alone takes every host variable whose name starts with PRE. Errors name the line:
 * "line 3: variable name 'A B' has white space" (Docker's rule: Podman would accept the name),
 * "line 2: no variable name", "line 4: NUL byte". what names the file in errors. hostenv is a
 * NULL-terminated "NAME=value" list (e.g. environ) or NULL for none. */
int rt_env_parse_file(struct rt_env *e, const char *text, size_t len, const char *what,
		      char *const *hostenv, struct rcr_error **err);

/* Apply one -e argument with Podman's rules: "NAME=value" literally, "NAME" from hostenv when
 * set, "PRE*" every host variable starting with PRE; leading blanks of NAME dropped; an empty
 * NAME ("=x") is an error. */
int rt_env_apply_arg(struct rt_env *e, const char *arg, char *const *hostenv,
		     struct rcr_error **err);

/* The defaults, each only when absent: PATH, TERM=xterm if tty, container=oci, HOSTNAME=hostname
 * when hostname is not NULL. */
int rt_env_finish(struct rt_env *e, bool tty, const char *hostname, struct rcr_error **err);

#endif
