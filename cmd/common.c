/* Shared environment lookups for image commands (see common.h). */
#include "cmd/common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "pkg/cleanup.h"
#include "pkg/log.h"
#include "pkg/paths.h"

int cli_parse_tls_verify(const char *value, enum tls_verify *out, struct rcr_error **err)
{
	if (value == NULL || strcmp(value, "true") == 0) {
		*out = TLS_VERIFY_TRUE;
		return 0;
	}
	if (strcmp(value, "false") == 0) {
		*out = TLS_VERIFY_FALSE;
		return 0;
	}
	rcr_error_set(err, EINVAL, "invalid value '%s' for --tls-verify: use true or false", value);
	return -1;
}

char *cli_config_home(void)
{
	return paths_config_home(NULL);
}

int cli_load_registries(struct reg_conf *c, struct rcr_error **err)
{
	_cleanup_free_ char *cfg = cli_config_home();

	reg_conf_init(c);
	if (reg_conf_load(cfg, "/etc/containers", c, err) < 0) {
		reg_conf_release(c);
		return -1;
	}
	return 0;
}

/* XDG_RUNTIME_DIR only when set and absolute, as containers/image uses it for auth.json. */
static const char *runtime_dir(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR");

	return x != NULL && x[0] == '/' ? x : NULL;
}

char **cli_auth_files(const char *authfile)
{
	_cleanup_free_ char *cfg = cli_config_home();
	_cleanup_free_ char *home = paths_home(NULL);

	return auth_files(authfile, runtime_dir(), cfg, home);
}

char *cli_auth_write_file(const char *authfile)
{
	_cleanup_free_ char *cfg = cli_config_home();

	return auth_write_file(authfile, runtime_dir(), cfg);
}

int cli_open_store(struct cli_global *g, struct cli_store *cs, struct rcr_error **err)
{
	_cleanup_free_ char *root = g->root ? strdup(g->root) : paths_store_root(err);

	memset(cs, 0, sizeof(*cs));
	if (root == NULL)
		return -1;
	if (userns_user_maps(NULL, NULL, &cs->maps, err) < 0)
		return -1;
	if (cs->maps.fallback_why != NULL)
		rcr_warn("%s: using a single-id mapping, files owned by other ids are stored as "
			 "yours (run 'rcr system check' for the fix)",
			 cs->maps.fallback_why);
	if (store_open(root, &cs->maps, &cs->st, err) < 0) {
		userns_user_maps_release(&cs->maps);
		return -1;
	}
	return 0;
}

void cli_store_close(struct cli_store *cs)
{
	store_close(cs->st);
	cs->st = NULL;
	userns_user_maps_release(&cs->maps);
}
