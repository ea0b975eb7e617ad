/* `rcr rename CONTAINER NEW_NAME` and `rcr port CONTAINER [PORT]`: the two small commands that
 * only read or change a container's record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "container/network.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"

/* Podman's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
static bool valid_name(const char *n)
{
	if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9')))
		return false;
	for (const char *p = n; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    *p))
			return false;
	return strlen(n) < 254;
}

/* The spec carries the name too (the monitor never reads the store). */
static int rename_spec(struct cli_ctr_env *e, const struct store_container *c, const char *name,
		       struct rcr_error **err)
{
	const char *id = c->id;
	json_t *cfg = json_loads(c->config, 0, NULL);
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *ud = ctr_userdata(e->cs.st, id);
	_cleanup_free_ char *path = fs_path_join(ud, "spec.json");
	struct rt_spec s = {0};
	int rc;

	if (rt_spec_read(path, &s, err) < 0)
		return -1;
	free(s.name);
	s.name = strdup(name);
	rc = rt_spec_write(&s, path, err);
	/* the row's copy of the spec too: it restores spec.json after a crash */
	if (rc == 0 && cfg != NULL) {
		json_object_set_new(cfg, "spec", rt_spec_to_json(&s));
		text = json_dumps(cfg, JSON_COMPACT);
		rc = text ? store_container_set_config(e->cs.st, id, text, err) : -1;
	}
	json_decref(cfg);
	rt_spec_release(&s);
	return rc;
}

int cmd_rename(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct cli_ctr_env e;
	struct store_container c = {0};
	int rc = -1;

	if (argc != 3) {
		rcr_error_set(err, EINVAL, "rename requires exactly 2 arg(s): CONTAINER NEW_NAME");
		return -1;
	}
	if (!valid_name(argv[2])) {
		rcr_error_set(err, EINVAL,
			      "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: '%s' does not",
			      argv[2]);
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	if (ctr_lookup(e.cs.st, argv[1], &c, err) == 0 &&
	    store_container_rename(e.cs.st, c.id, argv[2], err) == 0)
		rc = rename_spec(&e, &c, argv[2], err);
	store_container_release(&c);
	cli_ctr_close(&e);
	return rc;
}

/* Podman's lines: "80/tcp -> 0.0.0.0:8080" for each published port, or the host address of one
 * container port ("80" is 80/tcp, as Podman reads it); -a for every container. Returns how
 * many lines were printed. */
static size_t print_ports(const struct cli_ctr *c, const char *filter, bool with_name)
{
	_cleanup_strv_ char **lines = ctr_port_lines(c->spec.ports, filter);
	size_t i;

	for (i = 0; lines != NULL && lines[i] != NULL; i++)
		printf("%.*s%s%s\n", with_name ? 12 : 0, c->row.id, with_name ? "\t" : "",
		       lines[i]);
	return i;
}

static int port_one(struct cli_ctr_env *e, const char *key, const char *port,
		    struct rcr_error **err)
{
	char filter[32];
	struct cli_ctr c;
	size_t shown;

	if (port != NULL)
		snprintf(filter, sizeof(filter), "%.20s%s", port, strchr(port, '/') ? "" : "/tcp");
	if (cli_ctr_find(e, key, true, NULL, &c, err) < 0)
		return -1;
	shown = print_ports(&c, port ? filter : NULL, false);
	cli_ctr_release(&c);
	if (port != NULL && shown == 0) {
		rcr_error_set(err, ENOENT, "failed to find published port \"%s\"", filter);
		return -1;
	}
	return 0;
}

static int port_all(struct cli_ctr_env *e, struct rcr_error **err)
{
	struct store_container *rows = NULL;
	size_t n = 0;

	if (store_container_list(e->cs.st, &rows, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		_cleanup_error_ struct rcr_error *ignored = NULL;
		struct cli_ctr c;

		if (cli_ctr_find(e, rows[i].id, true, NULL, &c, &ignored) < 0)
			continue;
		print_ports(&c, NULL, true);
		cli_ctr_release(&c);
	}
	store_container_free(rows, n);
	return 0;
}

int cmd_port(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct cli_ctr_env e;
	bool all = argc >= 2 && (strcmp(argv[1], "-a") == 0 || strcmp(argv[1], "--all") == 0);
	int rc;

	if ((all && argc != 2) || (!all && (argc < 2 || argc > 3))) {
		rcr_error_set(err, EINVAL,
			      "port requires 1 or 2 arg(s): CONTAINER [PORT], or -a (--all)");
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = all ? port_all(&e, err) : port_one(&e, argv[1], argc == 3 ? argv[2] : NULL, err);
	cli_ctr_close(&e);
	return rc;
}
