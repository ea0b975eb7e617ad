/* What several image commands share: reading registries.conf and the auth files from the user's
 * environment, and Podman's --tls-verify flag. Environment lookups only; the work is in image/.
 */
#ifndef RCR_CMD_COMMON_H
#define RCR_CMD_COMMON_H

#include <stdbool.h>

#include "image/auth.h"
#include "image/registries.h"
#include "pkg/error.h"
#include "pkg/userns.h"
#include "storage/store.h"

struct cli_global;

/* --tls-verify: unset, true or false. */
enum tls_verify { TLS_VERIFY_DEFAULT, TLS_VERIFY_TRUE, TLS_VERIFY_FALSE };

/* Parse the value of --tls-verify (NULL for the bare flag = true). */
int cli_parse_tls_verify(const char *value, enum tls_verify *out, struct rcr_error **err);

/* registries.conf of this user (XDG config home, /etc/containers). */
int cli_load_registries(struct reg_conf *c, struct rcr_error **err);

/* The auth files to read (authfile alone when given), owned NULL-terminated vector. */
char **cli_auth_files(const char *authfile);

/* The auth file `rcr login` writes. Owned. */
char *cli_auth_write_file(const char *authfile);

/* $XDG_CONFIG_HOME or ~/.config. Owned, NULL on failure. */
char *cli_config_home(void);

/* The store this user's commands work on (--root, RCR_ROOT, the XDG default), opened with the
 * user's id maps; the single-id fallback is warned about once here. */
struct cli_store {
	struct store *st;
	struct userns_user_maps maps;
};
int cli_open_store(struct cli_global *g, struct cli_store *cs, struct rcr_error **err);
void cli_store_close(struct cli_store *cs);

/* Pull name for run/create (--pull): progress on stderr as `rcr pull` prints it, the id in id. */
int cli_pull_for_run(struct cli_store *cs, const char *name, enum tls_verify tls,
		     const char *authfile, bool quiet, char id[72], struct rcr_error **err);

#endif
