/* What container commands share (ctr_flags.h): opening the store and runtime dir, finding
 * rcr-monitor beside rcr (a build tree) or in LIBEXECDIR (an install), and create for run/create.
 */
#include "cmd/ctr_flags.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "image/lookup.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/paths.h"

static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return strdup("rcr");
	buf[n] = '\0';
	return strdup(buf);
}

static char *find_monitor(const char *self)
{
	_cleanup_free_ char *dir = strdup(self);
	char *slash = strrchr(dir, '/');
	char *path;

	if (slash != NULL) {
		*slash = '\0';
		path = fs_path_join(dir, "rcr-monitor");
		if (access(path, X_OK) == 0)
			return path;
		free(path);
	}
	return strdup(RCR_LIBEXECDIR "/rcr-monitor");
}

static char *decide_runroot(struct cli_global *g, struct rcr_error **err)
{
	struct paths_runtime r = {0};
	char *dir;

	if (g->runroot != NULL) {
		if (fs_mkdir_p(g->runroot, 0700, err) < 0)
			return NULL;
		return strdup(g->runroot);
	}
	if (paths_runtime_decide(&r, err) < 0 || paths_runtime_dir_ensure(&r, err) < 0) {
		paths_runtime_release(&r);
		return NULL;
	}
	dir = steal_ptr(&r.dir);
	paths_runtime_release(&r);
	return dir;
}

int cli_ctr_open(struct cli_global *g, struct cli_ctr_env *e, struct rcr_error **err)
{
	memset(e, 0, sizeof(*e));
	e->runroot = decide_runroot(g, err);
	if (e->runroot == NULL)
		return -1;
	if (cli_open_store(g, &e->cs, err) < 0) {
		free(e->runroot);
		e->runroot = NULL;
		return -1;
	}
	e->rcr_path = self_path();
	e->monitor_path = find_monitor(e->rcr_path);
	return 0;
}

void cli_ctr_close(struct cli_ctr_env *e)
{
	if (e->cs.st != NULL)
		cli_store_close(&e->cs);
	free(e->runroot);
	free(e->monitor_path);
	free(e->rcr_path);
	memset(e, 0, sizeof(*e));
}

/* --replace: a container holding the name goes first. */
static int replace_existing(struct cli_ctr_env *e, const char *name, struct rcr_error **err)
{
	struct store_container c = {0};
	int rc = store_container_get(e->cs.st, name, &c, err);

	if (rc <= 0)
		return rc;
	if (strcmp(c.name, name) == 0)
		rc = ctr_remove(e->cs.st, c.id, true, false, err);
	store_container_release(&c);
	return rc < 0 ? -1 : 0;
}

char *cli_ctr_create(struct cli_global *g, struct cli_ctr_env *e, const struct ctr_flags *f,
		     struct rcr_error **err)
{
	struct store_image_info info = {0};
	struct ctr_opts o;
	char *id = NULL;

	if (ctr_flags_image(&e->cs, f, &info, err) < 0)
		return NULL;
	ctr_flags_to_opts(f, &o);
	o.image_id = info.id;
	o.layers = (const char *const *)info.layers;
	o.n_layers = info.n_layers;
	o.image_name = img_lookup_name(&info, f->image);
	if (o.image_name == NULL && info.n_names > 0)
		o.image_name = info.names[0];
	o.rcr_path = e->rcr_path;
	o.root = g->root;
	o.runroot = e->runroot;
	if ((f->replace && f->name != NULL && replace_existing(e, f->name, err) < 0) ||
	    ctr_create(e->cs.st, &e->cs.maps, e->runroot, &o, &id, err) < 0)
		id = NULL;
	store_image_info_release(&info);
	return id;
}

int cli_ctr_each(struct cli_ctr_env *e, char **names, int n, bool all, cli_ctr_fn fn, void *arg,
		 struct rcr_error **err)
{
	struct store_container *list = NULL;
	size_t count = 0;
	int failed = 0;

	if (all) {
		if (store_container_list(e->cs.st, &list, &count, err) < 0)
			return -1;
		for (size_t i = 0; i < count; i++) {
			struct rcr_error *one = NULL;

			if (fn(e, list[i].id, arg, &one) < 0) {
				rcr_error_join(err, one);
				failed++;
			} else {
				printf("%s\n", list[i].id);
			}
		}
		store_container_free(list, count);
		return failed ? -1 : 0;
	}
	for (int i = 0; i < n; i++) {
		struct rcr_error *one = NULL;

		if (fn(e, names[i], arg, &one) < 0) {
			rcr_error_join(err, one);
			failed++;
		} else {
			printf("%s\n", names[i]);
		}
	}
	fflush(stdout);
	return failed ? -1 : 0;
}

int cli_parse_timeout(const char *v, int *out, struct rcr_error **err)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end == v || *end != '\0' || n < 0 || n > 1000000) {
		rcr_error_set(err, EINVAL, "invalid timeout '%s': use a number of seconds", v);
		return -1;
	}
	*out = (int)n;
	return 0;
}

int cli_ctr_find(struct cli_ctr_env *e, const char *key, bool load_spec, const char *not_running,
		 struct cli_ctr *out, struct rcr_error **err)
{
	_cleanup_free_ char *path = NULL;

	memset(out, 0, sizeof(*out));
	if (ctr_lookup(e->cs.st, key, &out->row, err) < 0)
		return -1;
	out->userdata = ctr_userdata(e->cs.st, out->row.id);
	ctr_state_get(out->userdata, out->row.state, &out->state);
	if (not_running != NULL && out->state.status != CTR_RUNNING) {
		rcr_error_set(err, EINVAL, "%s: container state improper", not_running);
		return -1;
	}
	path = fs_path_join(out->userdata, "spec.json");
	if (load_spec && rt_spec_read(path, &out->spec, err) < 0)
		return -1;
	return 0;
}

void cli_ctr_release(struct cli_ctr *c)
{
	store_container_release(&c->row);
	free(c->userdata);
	rt_spec_release(&c->spec);
	memset(c, 0, sizeof(*c));
}
