/* The container spec's JSON form (see spec.h): written once by rcr, read by rcr-monitor at every
 * start. Must never guess: a field of the wrong type, or an unknown driver or network, is an error
 * that names it.
 */
#include "runtime/spec.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/cleanup.h"
#include "pkg/json.h"

void rt_spec_release(struct rt_spec *s)
{
	char **strings[] = {&s->id,	     &s->name,	      &s->upper,       &s->work,
			    &s->merged,	     &s->userdata,    &s->rundir,      &s->cwd,
			    &s->user,	     &s->hostname,    &s->seccomp,     &s->newuidmap,
			    &s->newgidmap,   &s->network,     &s->log_driver,  &s->log_path,
			    &s->net_helper,  &s->mac_address, &s->userns_mode, &s->passwd_entry,
			    &s->group_entry, &s->net_target,  &s->netns_path};

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		free(*strings[i]);
	strv_free(s->lowers);
	strv_free(s->args);
	strv_free(s->env);
	strv_free(s->group_add);
	strv_free(s->exit_command);
	strv_free(s->net_opts);
	strv_free(s->ports);
	for (size_t i = 0; i < s->n_binds; i++) {
		free(s->binds[i].source);
		free(s->binds[i].dest);
		free(s->bind_opts[i].copyup_marker);
	}
	for (size_t i = 0; i < s->n_tmpfs; i++) {
		free(s->tmpfs[i].dest);
		free(s->tmpfs[i].data);
	}
	memset(s, 0, sizeof(*s));
}

static const char *const propagation_names[] = {
	[RT_PROP_DEFAULT] = "",	     [RT_PROP_PRIVATE] = "private", [RT_PROP_RPRIVATE] = "rprivate",
	[RT_PROP_SHARED] = "shared", [RT_PROP_RSHARED] = "rshared", [RT_PROP_SLAVE] = "slave",
	[RT_PROP_RSLAVE] = "rslave",
};

const char *rt_propagation_name(enum rt_propagation p)
{
	return (size_t)p < sizeof(propagation_names) / sizeof(propagation_names[0])
		       ? propagation_names[p]
		       : "";
}

int rt_propagation_from_name(const char *name)
{
	for (size_t i = 1; i < sizeof(propagation_names) / sizeof(propagation_names[0]); i++)
		if (strcmp(name, propagation_names[i]) == 0)
			return (int)i;
	return -1;
}

/* ---- writing ------------------------------------------------------------------------------ */

static json_t *strv_to_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *map_to_json(const struct userns_map *m)
{
	json_t *a = json_array();

	for (size_t i = 0; i < m->n; i++)
		json_array_append_new(a, json_pack("[III]", (json_int_t)m->v[i].inner,
						   (json_int_t)m->v[i].outer,
						   (json_int_t)m->v[i].count));
	return a;
}

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, key, json_string(v));
}

static json_t *extras_to_json(const struct rt_spec *s)
{
	json_t *rl = json_array(), *binds = json_array(), *tmpfs = json_array();

	for (size_t i = 0; i < s->n_rlimits; i++)
		json_array_append_new(rl, json_pack("[iII]", s->rlimits[i].resource,
						    (json_int_t)s->rlimits[i].soft,
						    (json_int_t)s->rlimits[i].hard));
	for (size_t i = 0; i < s->n_binds; i++)
		json_array_append_new(
			binds, json_pack("{sssssbsssbsbss*}", "source", s->binds[i].source, "dest",
					 s->binds[i].dest, "ro", s->binds[i].ro, "propagation",
					 rt_propagation_name(s->bind_opts[i].propagation), "volume",
					 s->bind_opts[i].volume, "chown", s->bind_opts[i].chown,
					 "copyup_marker", s->bind_opts[i].copyup_marker));
	for (size_t i = 0; i < s->n_tmpfs; i++)
		json_array_append_new(tmpfs, json_pack("{sssssIsI}", "dest", s->tmpfs[i].dest,
						       "data", s->tmpfs[i].data, "flags",
						       (json_int_t)s->tmpfs[i].flags, "pos",
						       (json_int_t)s->tmpfs[i].pos));
	return json_pack("{sososo}", "rlimits", rl, "binds", binds, "tmpfs", tmpfs);
}

json_t *rt_spec_to_json(const struct rt_spec *s)
{
	json_t *o = json_object();
	json_t *extras = extras_to_json(s);

	set_str(o, "id", s->id);
	set_str(o, "name", s->name);
	json_object_set_new(o, "lowers", strv_to_json(s->lowers));
	set_str(o, "upper", s->upper);
	set_str(o, "work", s->work);
	set_str(o, "merged", s->merged);
	set_str(o, "userdata", s->userdata);
	set_str(o, "rundir", s->rundir);
	json_object_set_new(o, "read_only", json_boolean(s->read_only));
	json_object_set_new(o, "read_only_tmpfs", json_boolean(s->read_only_tmpfs));
	json_object_set_new(o, "args", strv_to_json(s->args));
	json_object_set_new(o, "env", strv_to_json(s->env));
	set_str(o, "cwd", s->cwd);
	set_str(o, "user", s->user);
	json_object_set_new(o, "group_add", strv_to_json(s->group_add));
	json_object_set_new(o, "tty", json_boolean(s->tty));
	json_object_set_new(o, "stdin", json_boolean(s->stdin_open));
	set_str(o, "hostname", s->hostname);
	json_object_set_new(o, "init", json_boolean(s->init));
	json_object_set(o, "rlimits", json_object_get(extras, "rlimits"));
	json_object_set(o, "binds", json_object_get(extras, "binds"));
	json_object_set(o, "tmpfs", json_object_get(extras, "tmpfs"));
	json_decref(extras);
	json_object_set_new(o, "caps", json_integer((json_int_t)s->caps));
	json_object_set_new(o, "caps_added", json_integer((json_int_t)s->caps_added));
	json_object_set_new(o, "privileged", json_boolean(s->privileged));
	json_object_set_new(o, "no_new_privs", json_boolean(s->no_new_privs));
	set_str(o, "seccomp", s->seccomp);
	json_object_set_new(o, "uidmap", map_to_json(&s->uidmap));
	json_object_set_new(o, "gidmap", map_to_json(&s->gidmap));
	set_str(o, "newuidmap", s->newuidmap);
	set_str(o, "newgidmap", s->newgidmap);
	set_str(o, "userns_mode", s->userns_mode);
	if (s->store_uidmap.n > 0 || s->store_gidmap.n > 0) {
		json_object_set_new(o, "store_uidmap", map_to_json(&s->store_uidmap));
		json_object_set_new(o, "store_gidmap", map_to_json(&s->store_gidmap));
	}
	set_str(o, "passwd_entry", s->passwd_entry);
	set_str(o, "group_entry", s->group_entry);
	set_str(o, "network", s->network);
	set_str(o, "net_helper", s->net_helper);
	set_str(o, "net_target", s->net_target);
	set_str(o, "netns_path", s->netns_path);
	if (s->net_opts != NULL)
		json_object_set_new(o, "net_opts", strv_to_json(s->net_opts));
	if (s->ports != NULL)
		json_object_set_new(o, "ports", strv_to_json(s->ports));
	set_str(o, "mac_address", s->mac_address);
	set_str(o, "log_driver", s->log_driver);
	set_str(o, "log_path", s->log_path);
	json_object_set_new(o, "log_max_size", json_integer(s->log_max_size));
	json_object_set_new(o, "stop_signal", json_integer(s->stop_signal));
	json_object_set_new(o, "stop_timeout", json_integer(s->stop_timeout));
	json_object_set_new(o, "remove", json_boolean(s->remove));
	if (s->exit_command != NULL)
		json_object_set_new(o, "exit_command", strv_to_json(s->exit_command));
	json_object_set_new(o, "memory", json_integer(s->memory));
	json_object_set_new(o, "cpu_quota_us", json_integer(s->cpu_quota_us));
	json_object_set_new(o, "pids_limit", json_integer(s->pids_limit));
	return o;
}

int rt_spec_write(const struct rt_spec *s, const char *path, struct rcr_error **err)
{
	_cleanup_json_ json_t *j = rt_spec_to_json(s);

	return json_write_file_replace(path, j, err);
}

/* ---- reading ------------------------------------------------------------------------------ */

static int get_str(json_t *j, const char *key, bool required, char **out, struct rcr_error **err)
{
	const char *v = required ? json_get_string(j, key, err) : json_get_string_opt(j, key, err);

	if (v == NULL)
		return (err != NULL && *err != NULL) ? -1 : 0;
	*out = strdup(v);
	return *out == NULL ? -1 : 0;
}

static int get_strv(json_t *j, const char *key, char ***out, struct rcr_error **err)
{
	json_t *a = json_get_array_opt(j, key, err), *v;
	size_t i;

	if (a == NULL)
		return (*err != NULL) ? -1 : 0;
	*out = calloc(json_array_size(a) + 1, sizeof(char *));
	if (*out == NULL)
		return -1;
	json_array_foreach (a, i, v) {
		if (!json_is_string(v)) {
			rcr_error_set(err, EINVAL, "'%s[%zu]' is not a string", key, i);
			return -1;
		}
		(*out)[i] = strdup(json_string_value(v));
	}
	return 0;
}

static int get_map(json_t *j, const char *key, struct userns_map *m, struct rcr_error **err)
{
	json_t *a = json_get_array(j, key, err), *v;
	size_t i;

	if (a == NULL)
		return -1;
	m->n = 0;
	json_array_foreach (a, i, v) {
		json_int_t in, out, count;

		/* ids are 32-bit: a larger value is refused, never truncated */
		if (i >= USERNS_MAP_MAX || json_unpack(v, "[III]", &in, &out, &count) < 0 ||
		    in < 0 || out < 0 || count < 1 || count > ((json_int_t)1 << 32) - in ||
		    count > ((json_int_t)1 << 32) - out) {
			rcr_error_set(err, EINVAL, "'%s[%zu]' is not an id mapping", key, i);
			return -1;
		}
		m->v[m->n++] =
			(struct userns_map_entry){(uint32_t)in, (uint32_t)out, (uint32_t)count};
	}
	return 0;
}

static int get_map_opt(json_t *j, const char *key, struct userns_map *m, struct rcr_error **err)
{
	m->n = 0;
	return json_object_get(j, key) == NULL ? 0 : get_map(j, key, m, err);
}

static int get_bool(json_t *j, const char *key, bool *out, struct rcr_error **err)
{
	return json_get_bool_opt(j, key, false, out, err);
}

static int get_int(json_t *j, const char *key, long long *out, struct rcr_error **err)
{
	*out = 0;
	if (json_object_get(j, key) == NULL)
		return 0;
	return json_get_int64(j, key, out, err);
}

static int get_rlimits(json_t *j, struct rt_spec *s, struct rcr_error **err)
{
	json_t *a = json_get_array_opt(j, "rlimits", err), *v;
	size_t i;

	if (a == NULL)
		return *err != NULL ? -1 : 0;
	json_array_foreach (a, i, v) {
		int res;
		json_int_t soft, hard;

		if (i >= RT_RLIMITS_MAX || json_unpack(v, "[iII]", &res, &soft, &hard) < 0) {
			rcr_error_set(err, EINVAL, "'rlimits[%zu]' is not a limit", i);
			return -1;
		}
		s->rlimits[s->n_rlimits++] = (struct rt_rlimit){res, (rlim_t)soft, (rlim_t)hard};
	}
	return 0;
}

static int get_binds(json_t *j, struct rt_spec *s, struct rcr_error **err)
{
	json_t *a = json_get_array_opt(j, "binds", err), *v;
	size_t i;

	if (a == NULL)
		return *err != NULL ? -1 : 0;
	json_array_foreach (a, i, v) {
		const char *src, *dst, *prop = "", *marker = NULL;
		int ro = 0, volume = 0, chown = 0, p = 0;

		if (i >= RT_BINDS_MAX ||
		    json_unpack(v, "{s:s,s:s,s?b,s?s,s?b,s?b,s?s}", "source", &src, "dest", &dst,
				"ro", &ro, "propagation", &prop, "volume", &volume, "chown", &chown,
				"copyup_marker", &marker) < 0 ||
		    (marker != NULL && marker[0] != '/') ||
		    (*prop != '\0' && (p = rt_propagation_from_name(prop)) < 0)) {
			rcr_error_set(err, EINVAL, "'binds[%zu]' is not a bind mount", i);
			return -1;
		}
		s->binds[i] = (struct rt_bind){strdup(src), strdup(dst), ro != 0};
		s->bind_opts[i] = (struct rt_bind_opts){(enum rt_propagation)p, volume != 0,
							chown != 0, marker ? strdup(marker) : NULL};
		s->n_binds++;
	}
	return 0;
}

static int get_tmpfs(json_t *j, struct rt_spec *s, struct rcr_error **err)
{
	json_t *a = json_get_array_opt(j, "tmpfs", err), *v;
	size_t i;

	if (a == NULL)
		return *err != NULL ? -1 : 0;
	json_array_foreach (a, i, v) {
		const char *dst, *data;
		json_int_t flags, pos;

		if (i >= RT_TMPFS_MAX ||
		    json_unpack(v, "{s:s,s:s,s:I,s:I}", "dest", &dst, "data", &data, "flags",
				&flags, "pos", &pos) < 0 ||
		    *dst != '/' || strlen(data) > RT_TMPFS_DATA_MAX || flags < 0 || pos < 0 ||
		    (size_t)pos > s->n_binds) {
			rcr_error_set(err, EINVAL, "'tmpfs[%zu]' is not a tmpfs mount", i);
			return -1;
		}
		s->tmpfs[i] = (struct rt_tmpfs){strdup(dst), strdup(data), (unsigned long)flags,
						(size_t)pos};
		s->n_tmpfs++;
	}
	return 0;
}

static int check_choice(const char *what, const char *v, const char *const *choices,
			struct rcr_error **err)
{
	for (size_t i = 0; choices[i] != NULL; i++)
		if (strcmp(v, choices[i]) == 0)
			return 0;
	rcr_error_set(err, EINVAL, "unknown %s '%s'", what, v);
	return -1;
}

/* The user namespace fields: a known mode; store maps only beside the helpers that write them;
 * passwd/group lines of one line each, with a numeric id third (name:x:ID:...). */
static int check_userns(const struct rt_spec *s, struct rcr_error **err)
{
	static const char *const modes[] = {"", "host", "keep-id", "nomap", "private", NULL};
	const char *entries[] = {s->passwd_entry, s->group_entry};

	if (s->userns_mode != NULL && check_choice("userns mode", s->userns_mode, modes, err) < 0)
		return -1;
	if ((s->store_uidmap.n > 0 || s->store_gidmap.n > 0) &&
	    (s->store_uidmap.n == 0 || s->store_gidmap.n == 0 || s->newuidmap == NULL ||
	     s->newgidmap == NULL)) {
		rcr_error_set(err, EINVAL,
			      "'store_uidmap'/'store_gidmap' without both maps and "
			      "newuidmap/newgidmap");
		return -1;
	}
	for (size_t i = 0; i < 2; i++) {
		const char *e = entries[i], *p = e ? strchr(e, ':') : NULL;

		p = p ? strchr(p + 1, ':') : NULL;
		if (e != NULL &&
		    (strchr(e, '\n') != NULL || p == NULL || p[1] < '0' || p[1] > '9')) {
			rcr_error_set(err, EINVAL, "'%s' is not a %s line", e,
				      i == 0 ? "passwd" : "group");
			return -1;
		}
	}
	return 0;
}

static int get_strings(json_t *j, struct rt_spec *s, struct rcr_error **err)
{
	struct {
		const char *key;
		char **dst;
		bool required;
	} keys[] = {
		{"id", &s->id, true},
		{"name", &s->name, true},
		{"upper", &s->upper, true},
		{"work", &s->work, true},
		{"merged", &s->merged, true},
		{"userdata", &s->userdata, true},
		{"rundir", &s->rundir, true},
		{"cwd", &s->cwd, true},
		{"user", &s->user, false},
		{"hostname", &s->hostname, false},
		{"seccomp", &s->seccomp, true},
		{"newuidmap", &s->newuidmap, false},
		{"newgidmap", &s->newgidmap, false},
		{"userns_mode", &s->userns_mode, false},
		{"passwd_entry", &s->passwd_entry, false},
		{"group_entry", &s->group_entry, false},
		{"network", &s->network, true},
		{"net_helper", &s->net_helper, false},
		{"net_target", &s->net_target, false},
		{"netns_path", &s->netns_path, false},
		{"mac_address", &s->mac_address, false},
		{"log_driver", &s->log_driver, true},
		{"log_path", &s->log_path, false},
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (get_str(j, keys[i].key, keys[i].required, keys[i].dst, err) < 0)
			return -1;
	return 0;
}

static int get_flags(json_t *j, struct rt_spec *s, struct rcr_error **err)
{
	struct {
		const char *key;
		bool *dst;
	} keys[] = {
		{"read_only", &s->read_only},
		{"read_only_tmpfs", &s->read_only_tmpfs},
		{"tty", &s->tty},
		{"stdin", &s->stdin_open},
		{"init", &s->init},
		{"privileged", &s->privileged},
		{"no_new_privs", &s->no_new_privs},
		{"remove", &s->remove},
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (get_bool(j, keys[i].key, keys[i].dst, err) < 0)
			return -1;
	return 0;
}

static int get_numbers(json_t *j, struct rt_spec *s, struct rcr_error **err)
{
	long long caps, added, sig, timeout;

	if (get_int(j, "caps", &caps, err) < 0 || get_int(j, "caps_added", &added, err) < 0 ||
	    get_int(j, "stop_signal", &sig, err) < 0 ||
	    get_int(j, "stop_timeout", &timeout, err) < 0 ||
	    get_int(j, "log_max_size", &s->log_max_size, err) < 0 ||
	    get_int(j, "memory", &s->memory, err) < 0 ||
	    get_int(j, "cpu_quota_us", &s->cpu_quota_us, err) < 0 ||
	    get_int(j, "pids_limit", &s->pids_limit, err) < 0)
		return -1;
	s->caps = (uint64_t)caps;
	s->caps_added = (uint64_t)added;
	s->stop_signal = sig > 0 && sig < 65 ? (int)sig : SIGTERM;
	s->stop_timeout = timeout >= 0 && timeout < 1000000 ? (int)timeout : 10;
	return 0;
}

int rt_spec_from_json(json_t *j, struct rt_spec *out, struct rcr_error **err)
{
	static const char *const drivers[] = {"k8s-file", "none", "passthrough", NULL};
	static const char *const networks[] = {"none",	    "host", "pasta", "slirp4netns",
					       "container", "ns",   NULL};
	struct rt_spec s = {0};

	if (get_strings(j, &s, err) < 0 || get_flags(j, &s, err) < 0 ||
	    get_numbers(j, &s, err) < 0 || get_strv(j, "lowers", &s.lowers, err) < 0 ||
	    get_strv(j, "args", &s.args, err) < 0 || get_strv(j, "env", &s.env, err) < 0 ||
	    get_strv(j, "group_add", &s.group_add, err) < 0 ||
	    get_strv(j, "exit_command", &s.exit_command, err) < 0 ||
	    get_strv(j, "net_opts", &s.net_opts, err) < 0 ||
	    get_strv(j, "ports", &s.ports, err) < 0 || get_map(j, "uidmap", &s.uidmap, err) < 0 ||
	    get_map(j, "gidmap", &s.gidmap, err) < 0 ||
	    get_map_opt(j, "store_uidmap", &s.store_uidmap, err) < 0 ||
	    get_map_opt(j, "store_gidmap", &s.store_gidmap, err) < 0 ||
	    get_rlimits(j, &s, err) < 0 || get_binds(j, &s, err) < 0 || get_tmpfs(j, &s, err) < 0 ||
	    check_choice("log driver", s.log_driver, drivers, err) < 0 ||
	    check_choice("network mode", s.network, networks, err) < 0 || check_userns(&s, err) < 0)
		goto fail;
	if ((strcmp(s.network, "pasta") == 0 || strcmp(s.network, "slirp4netns") == 0) &&
	    s.net_helper == NULL) {
		rcr_error_set(err, EINVAL, "network mode '%s' without its helper's path",
			      s.network);
		goto fail;
	}
	if ((strcmp(s.network, "container") == 0 || strcmp(s.network, "ns") == 0) &&
	    (s.netns_path == NULL || s.net_target == NULL)) {
		rcr_error_set(err, EINVAL, "network mode '%s' without the namespace to join",
			      s.network);
		goto fail;
	}
	if (s.args == NULL || s.args[0] == NULL || s.lowers == NULL) {
		rcr_error_set(err, EINVAL, "no command or no layers");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	rt_spec_release(&s);
	return -1;
}

int rt_spec_read(const char *path, struct rt_spec *out, struct rcr_error **err)
{
	_cleanup_json_ json_t *j = json_load_file_capped(path, 4 << 20, err);

	if (j == NULL || rt_spec_from_json(j, out, err) < 0) {
		rcr_error_wrap(err, "container spec '%s'", path);
		return -1;
	}
	return 0;
}

/* ---- signals and ulimits ------------------------------------------------------------------ */

static const char *const signal_names[] = {
	[SIGHUP] = "HUP",   [SIGINT] = "INT",	    [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
	[SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",	    [SIGBUS] = "BUS",	[SIGFPE] = "FPE",
	[SIGKILL] = "KILL", [SIGUSR1] = "USR1",	    [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",	    [SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT",
	[SIGCHLD] = "CHLD", [SIGCONT] = "CONT",	    [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
	[SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",	    [SIGURG] = "URG",	[SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
	[SIGIO] = "IO",	    [SIGPWR] = "PWR",	    [SIGSYS] = "SYS",
};

int rt_signal_from_name(const char *name)
{
	char *end;
	long n;

	if (name == NULL || *name == '\0')
		return -1;
	n = strtol(name, &end, 10);
	if (*end == '\0')
		return n > 0 && n <= SIGRTMAX ? (int)n : -1;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 1; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (signal_names[i] != NULL && strcasecmp(name, signal_names[i]) == 0)
			return (int)i;
	if (strncasecmp(name, "RTMIN+", 6) == 0) {
		n = strtol(name + 6, &end, 10);
		/* digits only ("RTMIN+" or "RTMIN++1" is no signal), compared without overflow */
		if (name[6] >= '0' && name[6] <= '9' && *end == '\0' && n <= SIGRTMAX - SIGRTMIN)
			return SIGRTMIN + (int)n;
	}
	return -1;
}

const char *rt_signal_name(int sig)
{
	static char buf[16];

	if (sig <= 0 || (size_t)sig >= sizeof(signal_names) / sizeof(signal_names[0]) ||
	    signal_names[sig] == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "SIG%s", signal_names[sig]);
	return buf;
}

static const struct {
	const char *name;
	int resource;
} ulimit_names[] = {
	{"core", RLIMIT_CORE},	       {"cpu", RLIMIT_CPU},
	{"data", RLIMIT_DATA},	       {"fsize", RLIMIT_FSIZE},
	{"locks", RLIMIT_LOCKS},       {"memlock", RLIMIT_MEMLOCK},
	{"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
	{"nofile", RLIMIT_NOFILE},     {"nproc", RLIMIT_NPROC},
	{"rss", RLIMIT_RSS},	       {"rtprio", RLIMIT_RTPRIO},
	{"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
	{"stack", RLIMIT_STACK},       {"as", RLIMIT_AS},
};

static int parse_limit(const char *s, rlim_t *out)
{
	char *end;
	long long v;

	if (strcmp(s, "-1") == 0 || strcmp(s, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1; /* strtoll would take blanks and a sign */
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return -1;
	*out = (rlim_t)v;
	return 0;
}

int rt_spec_add_ulimit(struct rt_spec *s, const char *arg, struct rcr_error **err)
{
	const char *eq = strchr(arg, '=');
	_cleanup_free_ char *vals = NULL;
	char *colon;
	int res = -1;
	rlim_t soft, hard;

	for (size_t i = 0; eq != NULL && i < sizeof(ulimit_names) / sizeof(ulimit_names[0]); i++)
		if (strlen(ulimit_names[i].name) == (size_t)(eq - arg) &&
		    strncmp(arg, ulimit_names[i].name, (size_t)(eq - arg)) == 0)
			res = ulimit_names[i].resource;
	if (res < 0) {
		rcr_error_set(
			err, EINVAL,
			"invalid ulimit '%s': use NAME=SOFT[:HARD] with NAME one of core, cpu, "
			"data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, "
			"rtprio, rttime, sigpending, stack, as",
			arg);
		return -1;
	}
	vals = strdup(eq + 1);
	colon = strchr(vals, ':');
	if (colon != NULL)
		*colon++ = '\0';
	if (parse_limit(vals, &soft) < 0 || parse_limit(colon ? colon : vals, &hard) < 0 ||
	    (hard != RLIM_INFINITY && soft > hard)) {
		rcr_error_set(err, EINVAL,
			      "invalid ulimit '%s': limits are numbers or -1 (unlimited), the soft "
			      "one not above the hard one",
			      arg);
		return -1;
	}
	for (size_t i = 0; i < s->n_rlimits; i++)
		if (s->rlimits[i].resource == res) {
			s->rlimits[i] = (struct rt_rlimit){res, soft, hard};
			return 0;
		}
	if (s->n_rlimits >= RT_RLIMITS_MAX) {
		rcr_error_set(err, E2BIG, "too many --ulimit options");
		return -1;
	}
	s->rlimits[s->n_rlimits++] = (struct rt_rlimit){res, soft, hard};
	return 0;
}
