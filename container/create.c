/* `rcr create`'s work (container.h): from an image and the user's flags to a stored container
 * with a complete spec. Every decision is made here, once, so that each start only reads it.
 *
 * Must never store a container whose spec the monitor would refuse: every flag is checked here,
 * and a failure leaves nothing behind.
 */
#include "container/container.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/mounts.h"
#include "container/network.h"
#include "container/names.h"
#include "container/volumes.h"
#include "image/config.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "pkg/log.h"
#include "runtime/caps.h"
#include "runtime/cgroup.h"
#include "runtime/env.h"
#include "runtime/seccomp.h"

extern char **environ;

char *ctr_rundir(const char *runroot, const char *id)
{
	return fs_path_join(runroot, id);
}

static size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static char **strv_from_json(json_t *a)
{
	size_t i, n = json_is_array(a) ? json_array_size(a) : 0;
	char **v = calloc(n + 1, sizeof(char *));
	json_t *e;

	if (v == NULL || n == 0)
		return v;
	json_array_foreach (a, i, e)
		v[i] = strdup(json_is_string(e) ? json_string_value(e) : "");
	return v;
}

/* "--entrypoint" is a JSON array when it parses as one, else one word (Podman). */
static char **entrypoint_of(const struct ctr_opts *o, json_t *cfg)
{
	json_t *a;
	char **v;

	if (o->entrypoint == NULL)
		return strv_from_json(json_object_get(cfg, "Entrypoint"));
	if (*o->entrypoint == '\0')
		return calloc(1, sizeof(char *));
	a = json_loads(o->entrypoint, 0, NULL);
	if (json_is_array(a)) {
		v = strv_from_json(a);
		json_decref(a);
		return v;
	}
	json_decref(a);
	v = calloc(2, sizeof(char *));
	if (v != NULL)
		v[0] = strdup(o->entrypoint);
	return v;
}

/* Entrypoint + command: the user's command replaces the image's Cmd; a new entrypoint drops the
 * image's Cmd (Docker and Podman). */
static int make_args(const struct ctr_opts *o, json_t *cfg, struct rt_spec *s,
		     struct rcr_error **err)
{
	_cleanup_strv_ char **ep = entrypoint_of(o, cfg);
	_cleanup_strv_ char **cmd = NULL;
	size_t ne, nc;

	if ((o->cmd == NULL || o->cmd[0] == NULL) && o->entrypoint == NULL)
		cmd = strv_from_json(json_object_get(cfg, "Cmd"));
	char *const *src = cmd ? cmd : o->cmd;

	ne = strv_len(ep);
	nc = strv_len(src);
	if (ne + nc == 0) {
		rcr_error_set(err, EINVAL,
			      "no command or entrypoint provided, and no CMD or ENTRYPOINT from "
			      "image: give the command after the image name");
		return -1;
	}
	s->args = calloc(ne + nc + 1, sizeof(char *));
	for (size_t i = 0; i < ne; i++)
		s->args[i] = strdup(ep[i]);
	for (size_t i = 0; src != NULL && i < nc; i++)
		s->args[ne + i] = strdup(src[i]);
	return 0;
}

static int make_env(const struct ctr_opts *o, json_t *cfg, struct rt_spec *s,
		    struct rcr_error **err)
{
	struct rt_env env = {0};
	json_t *img_env = json_object_get(cfg, "Env"), *e;
	size_t i;
	int rc = -1;

	for (size_t k = 0; o->env_host && environ[k] != NULL; k++)
		if (strchr(environ[k], '=') && rt_env_set(&env, environ[k], err) < 0)
			goto out;
	json_array_foreach (img_env, i, e)
		if (json_is_string(e) && strchr(json_string_value(e), '=') &&
		    rt_env_set(&env, json_string_value(e), err) < 0)
			goto out;
	for (size_t k = 0; o->env_files != NULL && o->env_files[k] != NULL; k++) {
		size_t len;
		_cleanup_free_ char *text = fs_read_file(o->env_files[k], 16 << 20, &len, err);

		if (text == NULL ||
		    rt_env_parse_file(&env, text, len, o->env_files[k], environ, err) < 0) {
			rcr_error_wrap(err, "--env-file");
			goto out;
		}
	}
	for (size_t k = 0; o->env != NULL && o->env[k] != NULL; k++)
		if (rt_env_apply_arg(&env, o->env[k], environ, err) < 0)
			goto out;
	if (rt_env_finish(&env, o->tty, s->hostname, err) < 0)
		goto out;
	s->env = env.v;
	env.v = NULL;
	rc = 0;
out:
	rt_env_release(&env);
	return rc;
}

static int make_caps(const struct ctr_opts *o, struct rt_spec *s, struct rcr_error **err)
{
	static const char *const all[] = {"all"};
	size_t na = strv_len(o->cap_add), nd = strv_len(o->cap_drop);

	if (rt_caps_compute(o->privileged, (const char *const *)o->cap_add, na,
			    (const char *const *)o->cap_drop, nd, &s->caps, err) < 0 ||
	    rt_caps_compute(false, (const char *const *)o->cap_add, na, all, 1, &s->caps_added,
			    err) < 0)
		return -1;
	s->caps_added &= s->caps;
	s->privileged = o->privileged;
	return 0;
}

static int check_profile(const char *path, uint64_t caps, struct rcr_error **err)
{
	struct rt_seccomp_prog prog = {0};
	size_t len;
	_cleanup_free_ char *json = fs_read_file(path, 4 << 20, &len, err);

	if (json == NULL || rt_seccomp_compile_json(json, len, path, caps, &prog, err) < 0)
		return -1;
	rt_seccomp_prog_release(&prog);
	return 0;
}

static int security_opt(const char *opt, struct rt_spec *s, struct rcr_error **err)
{
	if (strcmp(opt, "no-new-privileges") == 0 || strcmp(opt, "no-new-privileges=true") == 0 ||
	    strcmp(opt, "no-new-privileges:true") == 0) {
		s->no_new_privs = true;
		return 0;
	}
	if (strcmp(opt, "no-new-privileges=false") == 0)
		return 0;
	if (strncmp(opt, "seccomp=", 8) == 0 || strncmp(opt, "seccomp:", 8) == 0) {
		const char *v = opt + 8;
		char abs[PATH_MAX];

		free(s->seccomp);
		if (strcmp(v, "unconfined") == 0) {
			s->seccomp = strdup("unconfined");
			return 0;
		}
		if (realpath(v, abs) == NULL) {
			s->seccomp = NULL;
			rcr_error_set_errno(err, errno, "seccomp profile '%s'", v);
			return -1;
		}
		s->seccomp = strdup(abs);
		return check_profile(abs, s->caps, err);
	}
	/* No SELinux or AppArmor here: their options are accepted and have nothing to apply to,
	 * as Podman does on such hosts. */
	if (strncmp(opt, "label=", 6) == 0 || strncmp(opt, "apparmor=", 9) == 0)
		return 0;
	rcr_error_set(err, EINVAL,
		      "unsupported --security-opt '%s': use no-new-privileges, "
		      "seccomp=unconfined or seccomp=PROFILE.json",
		      opt);
	return -1;
}

static int make_security(const struct ctr_opts *o, struct rt_spec *s, struct rcr_error **err)
{
	if (make_caps(o, s, err) < 0)
		return -1;
	s->seccomp = strdup(o->privileged ? "unconfined" : "default");
	for (size_t i = 0; o->security_opts != NULL && o->security_opts[i] != NULL; i++)
		if (security_opt(o->security_opts[i], s, err) < 0)
			return -1;
	for (size_t i = 0; o->ulimits != NULL && o->ulimits[i] != NULL; i++)
		if (rt_spec_add_ulimit(s, o->ulimits[i], err) < 0)
			return -1;
	return 0;
}

/* Layers topmost first, as overlay wants them; the caller looked the image up already. */
static int make_rootfs(struct store *st, const struct ctr_opts *o, const char *dir,
		       struct rt_spec *s, struct rcr_error **err)
{
	if (o->n_layers == 0) {
		rcr_error_set(err, EINVAL, "image '%s' has no layers", o->image_id);
		return -1;
	}
	s->lowers = calloc(o->n_layers + 1, sizeof(char *));
	if (s->lowers == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < o->n_layers; i++)
		s->lowers[i] = store_layer_diff_path(st, o->layers[o->n_layers - 1 - i]);
	s->upper = fs_path_join(dir, "upper");
	s->work = fs_path_join(dir, "work");
	s->merged = fs_path_join(dir, "merged");
	s->userdata = fs_path_join(dir, "userdata");
	return 0;
}

/* "10mb", "1k", "512" (bytes): Podman's size arguments (base 1024 for k/m/g). */
static int parse_size(const char *what, const char *v, long long *out, struct rcr_error **err)
{
	char *end;
	double n = strtod(v, &end);
	long long mult = 1;

	if (*end != '\0') {
		char u = (char)(*end | 0x20);

		mult = u == 'k'	  ? 1024LL
		       : u == 'm' ? 1048576LL
		       : u == 'g' ? 1073741824LL
		       : u == 'b' ? 1
				  : 0;
		end++;
		if (*end == 'b' || *end == 'B')
			end++;
	}
	if (end == v || *end != '\0' || mult == 0 || n < 0) {
		rcr_error_set(err, EINVAL, "invalid %s '%s': use a size like 512, 10k, 10m or 1g",
			      what, v);
		return -1;
	}
	*out = (long long)(n * (double)mult);
	return 0;
}

static int make_log(const struct ctr_opts *o, struct rt_spec *s, struct rcr_error **err)
{
	const char *d = o->log_driver ? o->log_driver : "k8s-file";

	if (strcmp(d, "k8s-file") != 0 && strcmp(d, "none") != 0 && strcmp(d, "passthrough") != 0) {
		rcr_error_set(err, EINVAL,
			      "unsupported log driver '%s': use k8s-file, none or passthrough", d);
		return -1;
	}
	s->log_driver = strdup(d);
	s->log_path = fs_path_join(s->userdata, "ctr.log");
	for (size_t i = 0; o->log_opts != NULL && o->log_opts[i] != NULL; i++) {
		const char *opt = o->log_opts[i];

		if (strncmp(opt, "max-size=", 9) == 0) {
			if (parse_size("--log-opt max-size", opt + 9, &s->log_max_size, err) < 0)
				return -1;
		} else if (strncmp(opt, "path=", 5) == 0 && opt[5] == '/') {
			free(s->log_path);
			s->log_path = strdup(opt + 5);
		} else if (strncmp(opt, "tag=", 4) != 0) {
			rcr_error_set(err, EINVAL,
				      "unsupported --log-opt '%s': use max-size=SIZE or path=FILE",
				      opt);
			return -1;
		}
	}
	return 0;
}

static int make_stop(const struct ctr_opts *o, json_t *cfg, struct rt_spec *s,
		     struct rcr_error **err)
{
	const char *sig = o->stop_signal;

	if (sig == NULL && json_is_string(json_object_get(cfg, "StopSignal")))
		sig = json_string_value(json_object_get(cfg, "StopSignal"));
	s->stop_signal = sig ? rt_signal_from_name(sig) : SIGTERM;
	if (s->stop_signal < 0) {
		rcr_error_set(err, EINVAL, "invalid stop signal '%s'", sig);
		return -1;
	}
	s->stop_timeout = o->stop_timeout >= 0 ? o->stop_timeout : 10;
	return 0;
}

/* --tz: "local" is the host's zone; "Area/City" a zone from the host's zoneinfo. */
static int make_tz(const char *tz, struct rt_spec *s, struct rcr_error **err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *want = NULL;

	if (tz == NULL)
		return 0;
	if (strcmp(tz, "local") == 0)
		want = strdup("/etc/localtime");
	else if (asprintf(&want, "/usr/share/zoneinfo/%s", tz) < 0)
		want = NULL;
	if (want == NULL || strstr(tz, "..") != NULL || realpath(want, path) == NULL) {
		rcr_error_set(err, EINVAL,
			      "invalid --tz '%s': use local or a zone such as Europe/Paris (from "
			      "/usr/share/zoneinfo)",
			      tz);
		return -1;
	}
	s->binds[s->n_binds++] = (struct rt_bind){strdup(path), strdup("/etc/localtime"), true};
	return 0;
}

/* Limits need a delegated cgroup v2 subtree; without one they are a warning, never a refusal
 * (DESIGN: never refuse to run because of the host's cgroup layout). */
static int make_limits(const struct ctr_opts *o, struct rt_spec *s, struct rcr_error **err)
{
	struct rt_cgroup_info cg;
	double cpus = 0;

	if (o->memory != NULL && parse_size("--memory", o->memory, &s->memory, err) < 0)
		return -1;
	if (o->cpus != NULL && ((cpus = strtod(o->cpus, NULL)) <= 0 || cpus > 4096)) {
		rcr_error_set(err, EINVAL, "invalid --cpus '%s': use a number such as 1.5",
			      o->cpus);
		return -1;
	}
	s->cpu_quota_us = (long long)(cpus * 100000);
	s->pids_limit = o->pids_limit > 0 ? o->pids_limit : 0;
	if (s->memory == 0 && s->cpu_quota_us == 0 && s->pids_limit == 0)
		return 0;
	rt_cgroup_detect("/sys/fs/cgroup", "/proc/self/cgroup", &cg);
	if (!cg.delegated)
		rcr_warn("resource limits (--memory, --cpus, --pids-limit) are ignored: %s (see "
			 "'rcr system check')",
			 cg.why_not ? cg.why_not : "no delegated cgroup v2 subtree");
	else
		rcr_warn("resource limits in a delegated cgroup v2 subtree are not supported by "
			 "this rcr yet: they are ignored");
	s->memory = s->cpu_quota_us = s->pids_limit = 0;
	rt_cgroup_info_release(&cg);
	return 0;
}

/* The generated files are known by path before they exist: written once the row holds the
 * container's directory. */
static int make_etc(const struct ctr_opts *o, struct rt_spec *s, struct rcr_error **err)
{
	static const char *const files[] = {"hosts", "hostname", "resolv.conf"};

	for (size_t i = 0; i < 3; i++) {
		char dest[64];

		if (o->no_hosts && strcmp(files[i], "hosts") == 0)
			continue;
		snprintf(dest, sizeof(dest), "/etc/%s", files[i]);
		s->binds[s->n_binds++] =
			(struct rt_bind){fs_path_join(s->userdata, files[i]), strdup(dest), false};
	}
	return make_tz(o->tz, s, err);
}

/* Podman refuses a bind source that does not exist rather than create it (a typo must not
 * become an empty directory): checked here, so that no container is stored with it. */
static int check_mount(const struct ctr_mount *m, const struct ctr_mount *all, size_t n,
		       struct rcr_error **err)
{
	struct stat st;

	if (m->type == CTR_MOUNT_BIND && stat(m->source, &st) < 0) {
		if (errno == ENOENT)
			rcr_error_set(err, ENOENT,
				      "bind mount source '%s' does not exist: create it first (rcr "
				      "does not create bind sources, as Podman)",
				      m->source);
		else
			rcr_error_set_errno(err, errno, "bind mount source '%s'", m->source);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (&all[i] != m && strcmp(all[i].dest, m->dest) == 0) {
			rcr_error_set(err, EINVAL, "'%s' is the destination of more than one mount",
				      m->dest);
			return -1;
		}
	return 0;
}

/* Into the spec, shallow destinations first (Podman's order), so that "-v /a:/d -v /b:/d/e"
 * puts /d/e on /d and never under it; the generated /etc files are already in binds[], so a
 * user's bind of /etc/hosts lands on top of rcr's. */
static int add_mounts(const struct ctr_mount *all, size_t n, struct rt_spec *s,
		      struct rcr_error **err)
{
	size_t depth_max = 0;

	for (size_t i = 0; i < n; i++)
		if (ctr_mount_depth(all[i].dest) > depth_max)
			depth_max = ctr_mount_depth(all[i].dest);
	for (size_t d = 0; d <= depth_max; d++)
		for (size_t i = 0; i < n; i++) {
			const struct ctr_mount *m = &all[i];

			if (ctr_mount_depth(m->dest) != d)
				continue;
			if ((m->type != CTR_MOUNT_TMPFS && s->n_binds >= RT_BINDS_MAX) ||
			    (m->type == CTR_MOUNT_TMPFS && s->n_tmpfs >= RT_TMPFS_MAX)) {
				rcr_error_set(err, E2BIG,
					      "too many mounts: at most %d binds (rcr's own /etc "
					      "files included) and %d tmpfs",
					      RT_BINDS_MAX, RT_TMPFS_MAX);
				return -1;
			}
			if (m->type == CTR_MOUNT_TMPFS) {
				s->tmpfs[s->n_tmpfs++] = (struct rt_tmpfs){
					strdup(m->dest), strdup(m->data), m->flags, s->n_binds};
				continue;
			}
			s->bind_opts[s->n_binds] = (struct rt_bind_opts){
				m->propagation, true, m->chown,
				m->copyup_marker ? strdup(m->copyup_marker) : NULL};
			s->binds[s->n_binds++] =
				(struct rt_bind){strdup(m->source), strdup(m->dest), m->ro};
		}
	return 0;
}

/* -v, --mount and --tmpfs: parsed (container/mounts.c), checked, volumes found or made
 * (container/volumes.c, their uses into vols), then added to the spec. */
static int make_mounts(struct store *st, const struct ctr_opts *o, struct rt_spec *s,
		       struct ctr_volumes *vols, struct rcr_error **err)
{
	size_t nv = strv_len(o->volumes), nm = strv_len(o->mounts), nt = strv_len(o->tmpfs);
	size_t n = 0;
	struct ctr_mount *all = calloc(nv + nm + nt + 1, sizeof(*all));
	int rc = -1;

	if (all == NULL)
		return -1;
	for (size_t i = 0; i < nv; i++, n++)
		if (ctr_mount_parse_volume(o->volumes[i], &all[n], err) < 0)
			goto out;
	for (size_t i = 0; i < nm; i++, n++)
		if (ctr_mount_parse_mount(o->mounts[i], &all[n], err) < 0)
			goto out;
	for (size_t i = 0; i < nt; i++, n++)
		if (ctr_mount_parse_tmpfs(o->tmpfs[i], &all[n], err) < 0)
			goto out;
	for (size_t i = 0; i < n; i++)
		if (check_mount(&all[i], all, n, err) < 0)
			goto out;
	if (ctr_volumes_prepare(st, all, n, vols, err) < 0)
		goto out;
	rc = add_mounts(all, n, s, err);
out:
	for (size_t i = 0; i < n; i++)
		ctr_mount_release(&all[i]);
	free(all);
	return rc;
}

static int make_process(const struct ctr_opts *o, json_t *cfg, struct rt_spec *s,
			struct rcr_error **err)
{
	const char *wd = json_string_value(json_object_get(cfg, "WorkingDir"));
	const char *user = json_string_value(json_object_get(cfg, "User"));

	if (o->workdir != NULL && o->workdir[0] != '/') {
		rcr_error_set(err, EINVAL, "invalid --workdir '%s': it must be an absolute path",
			      o->workdir);
		return -1;
	}
	s->cwd = strdup(o->workdir ? o->workdir : (wd && *wd == '/') ? wd : "/");
	s->user = strdup(o->user ? o->user : user ? user : "");
	s->group_add = calloc(strv_len(o->group_add) + 1, sizeof(char *));
	for (size_t i = 0; i < strv_len(o->group_add); i++)
		s->group_add[i] = strdup(o->group_add[i]);
	s->tty = o->tty;
	s->stdin_open = o->interactive;
	s->init = o->init;
	s->read_only = o->read_only;
	s->read_only_tmpfs = o->read_only_tmpfs != 0;
	s->remove = o->remove;
	if (make_args(o, cfg, s, err) < 0 || make_env(o, cfg, s, err) < 0)
		return -1;
	return 0;
}

static int make_exit_command(const struct ctr_opts *o, struct rt_spec *s)
{
	const char *argv[12];
	size_t n = 0;

	if (!o->remove)
		return 0;
	argv[n++] = o->rcr_path;
	if (o->root != NULL)
		argv[n++] = "--root", argv[n++] = o->root;
	if (o->runroot != NULL)
		argv[n++] = "--runroot", argv[n++] = o->runroot;
	argv[n++] = "container";
	argv[n++] = "cleanup";
	argv[n++] = "--rm";
	argv[n++] = s->id;
	s->exit_command = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		s->exit_command[i] = strdup(argv[i]);
	return 0;
}

/* What inspect shows beyond the spec: the user's own words. */
static json_t *make_config(const struct ctr_opts *o, const struct rt_spec *s, json_t *cfg)
{
	json_t *labels = json_object(), *img_labels = json_object_get(cfg, "Labels");
	const char *k;
	json_t *v;

	if (json_is_object(img_labels))
		json_object_foreach (img_labels, k, v)
			json_object_set(labels, k, v);
	for (size_t i = 0; o->labels != NULL && o->labels[i] != NULL; i++) {
		_cleanup_free_ char *kv = strdup(o->labels[i]);
		char *eq = strchr(kv, '=');

		if (eq != NULL)
			*eq++ = '\0';
		json_object_set_new(labels, kv, json_string(eq ? eq : ""));
	}
	return json_pack("{sososOsssssisb}", "spec", rt_spec_to_json(s), "labels", labels,
			 "image_config", cfg ? cfg : json_null(), "image_name",
			 o->image_name ? o->image_name : o->image_id, "image_id", o->image_id,
			 "read_only_tmpfs", o->read_only_tmpfs, "interactive", o->interactive);
}

static int load_image_config(struct store *st, const char *id, struct image_config *ic,
			     struct rcr_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (store_image_read(st, id, "config", &data, &len, err) < 0 ||
	    image_config_parse(data, len, ic, err) < 0) {
		rcr_error_wrap(err, "reading the configuration of image '%s'", id);
		return -1;
	}
	return 0;
}

static char *command_line(char *const *args)
{
	size_t len = 1;
	char *out, *p;

	for (size_t i = 0; args[i] != NULL; i++)
		len += strlen(args[i]) + 1;
	out = p = malloc(len);
	*p = '\0';
	for (size_t i = 0; args[i] != NULL && out != NULL; i++)
		p += sprintf(p, "%s%s", i ? " " : "", args[i]);
	return out;
}

static int fill_spec(struct store *st, const struct userns_user_maps *maps, const char *runroot,
		     const struct ctr_opts *o, json_t *cfg, struct rt_spec *s,
		     struct ctr_volumes *vols, struct rcr_error **err)
{
	_cleanup_free_ char *dir = store_container_dir(st, s->id);

	s->rundir = ctr_rundir(runroot, s->id);
	s->hostname = strndup(o->hostname ? o->hostname : s->id, o->hostname ? 255 : 12);
	if (ctr_net_make(st, o, cfg, s, err) < 0 || make_rootfs(st, o, dir, s, err) < 0 ||
	    make_process(o, cfg, s, err) < 0 || ctr_userns_apply(o, maps, s, err) < 0 ||
	    ctr_net_check_userns(s, err) < 0 || make_security(o, s, err) < 0 ||
	    make_log(o, s, err) < 0 || make_stop(o, cfg, s, err) < 0 || make_etc(o, s, err) < 0 ||
	    make_mounts(st, o, s, vols, err) < 0 || make_limits(o, s, err) < 0 ||
	    make_exit_command(o, s) < 0)
		return -1;
	return 0;
}

/* Record the row (taking a generated name again if it was taken meanwhile), then write the
 * files into its directory; a failure there removes the row and directory again. */
static int insert_row(struct store *st, const struct ctr_opts *o, json_t *cfg, struct rt_spec *s,
		      const struct ctr_volumes *vols, struct rcr_error **err)
{
	for (int attempt = 0;; attempt++) {
		_cleanup_json_ json_t *config = make_config(o, s, cfg);
		_cleanup_free_ char *text = json_dump_string(config, false);
		_cleanup_free_ char *cmd = command_line(s->args);
		char created_state[] = "created";
		struct store_container c = {
			s->id,	    s->name,	  (char *)o->image_id, (char *)o->image_name,
			cmd,	    mon_now_ns(), created_state,       text,
			vols->uses, vols->n};

		if (store_container_create(st, &c, err) == 0)
			return 0;
		/* a generated name taken meanwhile: draw another */
		if (o->name != NULL || (*err)->code != EEXIST || attempt >= 20)
			return -1;
		rcr_error_clear(err);
		free(s->name);
		s->name = ctr_name_generate();
	}
}

/* Record the row, then write the files into its directory; a failure there removes the row and
 * the directory again. */
static int store_it(struct store *st, const struct ctr_opts *o, json_t *cfg, struct rt_spec *s,
		    const struct ctr_volumes *vols, struct rcr_error **err)
{
	_cleanup_free_ char *spec_path = fs_path_join(s->userdata, "spec.json");
	_cleanup_error_ struct rcr_error *ignored = NULL;

	if (insert_row(st, o, cfg, s, vols, err) < 0)
		return -1;
	if (ctr_net_write_etc(o, s, err) < 0 || rt_spec_write(s, spec_path, err) < 0) {
		store_container_delete(st, s->id, &ignored);
		return -1;
	}
	return 0;
}

int ctr_create(struct store *st, const struct userns_user_maps *maps, const char *runroot,
	       const struct ctr_opts *o, char **id_out, struct rcr_error **err)
{
	struct image_config ic = {0};
	struct ctr_volumes vols = {0};
	struct rt_spec s = {0};
	int rc = -1;

	if (load_image_config(st, o->image_id, &ic, err) < 0)
		return -1;
	s.id = store_container_new_id(st, err);
	if (s.id == NULL)
		goto out;
	s.name = o->name ? strdup(o->name) : ctr_name_generate();
	if (fill_spec(st, maps, runroot, o, ic.config, &s, &vols, err) < 0)
		goto out;
	if (store_it(st, o, ic.config, &s, &vols, err) < 0)
		goto out;
	*id_out = strdup(s.id);
	rc = 0;
out:
	if (rc < 0)
		ctr_volumes_abandon(st, &vols);
	ctr_volumes_release(&vols);
	rt_spec_release(&s);
	image_config_release(&ic);
	return rc;
}
