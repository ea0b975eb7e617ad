/* A container as JSON: Docker-compatible inspect documents (what `rcr inspect` prints and what
 * `--format` templates see) and the summaries `rcr ps` lists. Built from the row, the stored
 * config and the state files; never from a daemon's memory.
 */
#include "container/container.h"
#include "container/network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "pkg/timeparse.h"
#include "runtime/caps.h"

static const char *zero_time = "0001-01-01T00:00:00Z";

static json_t *time_json(long long ns)
{
	struct timespec ts = {ns / 1000000000LL, ns % 1000000000LL};
	char buf[64];

	if (ns <= 0)
		return json_string(zero_time);
	timeparse_format_local(&ts, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *state_json(const struct ctr_state *s)
{
	bool running = s->status == CTR_RUNNING;
	const char *name = ctr_status_name(s->status);

	return json_pack("{sssbsbsbsbsbsisisssoso}", "Status", name, "Running", running, "Paused",
			 0, "Restarting", 0, "OOMKilled", s->has_exit && s->exit.oom, "Dead", 0,
			 "Pid", running ? (int)s->run.pid : 0, "ExitCode",
			 s->has_exit ? s->exit.exit_code : 0, "Error",
			 s->has_exit ? s->exit.error : "", "StartedAt",
			 time_json(s->has_run ? s->run.started_ns : 0), "FinishedAt",
			 time_json(s->has_exit ? s->exit.finished_ns : 0));
}

static json_t *caps_json(uint64_t caps)
{
	_cleanup_strv_ char **names = rt_caps_names(caps);
	json_t *a = json_array();

	for (size_t i = 0; names != NULL && names[i] != NULL; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *ulimits_json(json_t *spec)
{
	json_t *a = json_array(), *v;
	size_t i;

	json_array_foreach (json_object_get(spec, "rlimits"), i, v) {
		json_int_t res = json_integer_value(json_array_get(v, 0));

		json_array_append_new(a, json_pack("{sIsOsO}", "Name", res, "Soft",
						   json_array_get(v, 1), "Hard",
						   json_array_get(v, 2)));
	}
	return a;
}

static void set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v ? v : json_null());
}

/* A bind's propagation as it is in effect: the container's mounts are all private unless the
 * user asked otherwise (rootless Podman's rprivate). */
static const char *propagation_of(const struct rt_spec *s, size_t i)
{
	const char *p = rt_propagation_name(s->bind_opts[i].propagation);

	return *p ? p : "rprivate";
}

/* A tmpfs's options as mount(8) spells them: its flags, then its data. */
static json_t *tmpfs_options(const struct rt_tmpfs *t)
{
	static const struct {
		unsigned long flag;
		const char *set, *unset;
	} names[] = {
		{MS_RDONLY, "ro", "rw"},
		{MS_NOEXEC, "noexec", NULL},
		{MS_NOSUID, "nosuid", NULL},
		{MS_NODEV, "nodev", NULL},
		{MS_SYNCHRONOUS, "sync", NULL},
		{MS_NOATIME, "noatime", NULL},
		{MS_NODIRATIME, "nodiratime", NULL},
		{MS_RELATIME, "relatime", NULL},
		{MS_STRICTATIME, "strictatime", NULL},
	};
	_cleanup_free_ char *data = strdup(t->data);
	char *opt, *save = NULL;
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *n = (t->flags & names[i].flag) ? names[i].set : names[i].unset;

		if (n != NULL)
			json_array_append_new(a, json_string(n));
	}
	for (opt = data ? strtok_r(data, ",", &save) : NULL; opt != NULL;
	     opt = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(opt));
	return a;
}

/* The volume mounted at bind i (its name), or NULL for a bind of a host path. */
static const char *volume_at(const struct rt_spec *s, size_t i, const struct store_volume_use *uses,
			     size_t n_uses)
{
	for (size_t k = 0; k < n_uses; k++)
		if (strcmp(uses[k].dest, s->binds[i].dest) == 0)
			return uses[k].volume;
	return NULL;
}

/* Docker's "Mounts" (with Podman's Driver and Options): the user's binds, volumes and tmpfs
 * mounts, never the files rcr generates. */
static json_t *mounts_json(const struct rt_spec *s, const struct store_volume_use *uses,
			   size_t n_uses)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n_binds; i++) {
		const char *vol = volume_at(s, i, uses, n_uses);

		if (!s->bind_opts[i].volume)
			continue;
		if (vol != NULL) {
			json_array_append_new(
				a, json_pack("{sssssssssssss[sss]sbss}", "Type", "volume", "Name",
					     vol, "Source", s->binds[i].source, "Destination",
					     s->binds[i].dest, "Driver", "local", "Mode", "",
					     "Options", "nosuid", "nodev", "rbind", "RW",
					     !s->binds[i].ro, "Propagation", propagation_of(s, i)));
			continue;
		}
		json_array_append_new(a, json_pack("{sssssssssss[s]sbss}", "Type", "bind", "Source",
						   s->binds[i].source, "Destination",
						   s->binds[i].dest, "Driver", "", "Mode", "",
						   "Options", "rbind", "RW", !s->binds[i].ro,
						   "Propagation", propagation_of(s, i)));
	}
	for (size_t i = 0; i < s->n_tmpfs; i++)
		json_array_append_new(
			a, json_pack("{sssssssssssosbss}", "Type", "tmpfs", "Source", "tmpfs",
				     "Destination", s->tmpfs[i].dest, "Driver", "", "Mode", "",
				     "Options", tmpfs_options(&s->tmpfs[i]), "RW",
				     !(s->tmpfs[i].flags & MS_RDONLY), "Propagation", ""));
	return a;
}

/* HostConfig.Binds as Podman prints them ("SRC:DST:rw,rprivate,rbind", a volume by its name)
 * and HostConfig.Tmpfs ({"/t": "rw,noexec,size=64m"}). */
static json_t *binds_json(const struct rt_spec *s, const struct store_volume_use *uses,
			  size_t n_uses)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n_binds; i++)
		if (s->bind_opts[i].volume)
			json_array_append_new(
				a, json_sprintf("%s:%s:%s,%s,rbind",
						volume_at(s, i, uses, n_uses)
							? volume_at(s, i, uses, n_uses)
							: s->binds[i].source,
						s->binds[i].dest, s->binds[i].ro ? "ro" : "rw",
						propagation_of(s, i)));
	return a;
}

static json_t *tmpfs_json(const struct rt_spec *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < s->n_tmpfs; i++) {
		_cleanup_json_ json_t *opts = tmpfs_options(&s->tmpfs[i]);
		char text[512]; /* the flag names and at most RT_TMPFS_DATA_MAX of data */
		size_t at = 0, k;
		json_t *v;

		text[0] = '\0';
		json_array_foreach (opts, k, v) {
			int n = snprintf(text + at, sizeof(text) - at, "%s%s", k ? "," : "",
					 json_string_value(v));

			if (n < 0 || (size_t)n >= sizeof(text) - at)
				break;
			at += (size_t)n;
		}
		json_object_set_new(o, s->tmpfs[i].dest, json_string(text));
	}
	return o;
}

/* Podman's "CONTAINER:HOST:SIZE" strings, HOST in the default namespace's ids (0 = the user), as
 * --uidmap takes them. */
static json_t *idmap_strings(const struct userns_map *map, const struct userns_map *store)
{
	_cleanup_free_ struct userns_map *ns = calloc(1, sizeof(*ns));
	json_t *a = json_array();

	if (ns == NULL)
		return a;
	userns_map_in_ns(map, store, ns);
	for (size_t i = 0; i < ns->n; i++)
		json_array_append_new(a, json_sprintf("%u:%u:%u", ns->v[i].inner, ns->v[i].outer,
						      ns->v[i].count));
	return a;
}

/* HostConfig.IDMappings: only for a container with its own maps (Podman leaves it out too). */
static json_t *idmappings_json(const struct rt_spec *s)
{
	if (s->store_uidmap.n == 0)
		return NULL;
	return json_pack("{soso}", "UidMap", idmap_strings(&s->uidmap, &s->store_uidmap), "GidMap",
			 idmap_strings(&s->gidmap, &s->store_gidmap));
}

/* The volumes a container uses, as the store recorded them at its creation. */
struct vol_uses {
	struct store_volume_use *v;
	size_t n;
};

static json_t *host_config(json_t *spec, const struct rt_spec *s, const struct vol_uses *u)
{
	json_t *sec = json_array(), *hc = json_object();

	if (s->no_new_privs)
		json_array_append_new(sec, json_string("no-new-privileges"));
	if (strcmp(s->seccomp, "default") != 0)
		json_array_append_new(sec, json_sprintf("seccomp=%s", s->seccomp));
	set(hc, "Binds", binds_json(s, u->v, u->n));
	set(hc, "Tmpfs", tmpfs_json(s));
	set(hc, "NetworkMode",
	    s->net_target ? json_sprintf("%s:%s", s->network, s->net_target)
			  : json_string(s->network));
	set(hc, "UsernsMode", json_string(s->userns_mode ? s->userns_mode : ""));
	if (s->store_uidmap.n > 0)
		set(hc, "IDMappings", idmappings_json(s));
	set(hc, "PortBindings", ctr_ports_json(s->ports));
	set(hc, "AutoRemove", json_boolean(s->remove));
	set(hc, "Privileged", json_boolean(s->privileged));
	set(hc, "ReadonlyRootfs", json_boolean(s->read_only));
	set(hc, "CapAdd", caps_json(s->caps_added));
	set(hc, "CapDrop", json_array());
	set(hc, "SecurityOpt", sec);
	set(hc, "Memory", json_integer(s->memory));
	set(hc, "NanoCpus", json_integer(s->cpu_quota_us * 10000));
	set(hc, "PidsLimit", json_integer(s->pids_limit));
	set(hc, "LogConfig", json_pack("{sss{}}", "Type", s->log_driver, "Config"));
	set(hc, "Init", json_boolean(s->init));
	set(hc, "Ulimits", ulimits_json(spec));
	return hc;
}

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *config_json(const struct store_container *row, const struct rt_spec *s, json_t *cfg)
{
	json_t *img = json_object_get(cfg, "image_config"), *c = json_object();
	json_t *labels = json_object_get(cfg, "labels");
	const char *sig = rt_signal_name(s->stop_signal);

	set(c, "Hostname", json_string(s->hostname));
	set(c, "Domainname", json_string(""));
	set(c, "User", json_string(s->user ? s->user : ""));
	set(c, "AttachStdin", json_boolean(s->stdin_open));
	set(c, "AttachStdout", json_true());
	set(c, "AttachStderr", json_true());
	set(c, "Tty", json_boolean(s->tty));
	set(c, "OpenStdin", json_boolean(s->stdin_open));
	set(c, "Env", strv_json(s->env));
	set(c, "Cmd", strv_json(s->args));
	set(c, "Image", json_string(row->image_name ? row->image_name : row->image_id));
	set(c, "WorkingDir", json_string(s->cwd));
	set(c, "Entrypoint", json_incref(json_object_get(img, "Entrypoint")));
	set(c, "Labels", labels ? json_incref(labels) : json_object());
	set(c, "StopSignal", json_string(sig ? sig : "SIGTERM"));
	set(c, "StopTimeout", json_integer(s->stop_timeout));
	return c;
}

static json_t *graph_driver(const struct rt_spec *s)
{
	size_t len = 1;
	_cleanup_free_ char *lower = NULL;

	for (size_t i = 0; s->lowers[i] != NULL; i++)
		len += strlen(s->lowers[i]) + 1;
	lower = calloc(1, len);
	for (size_t i = 0, at = 0; lower != NULL && s->lowers[i] != NULL; i++) {
		size_t n = strlen(s->lowers[i]);

		if (i > 0)
			lower[at++] = ':';
		memcpy(lower + at, s->lowers[i], n);
		at += n;
	}
	return json_pack("{sss{ssssssss}}", "Name", "overlay", "Data", "LowerDir",
			 lower ? lower : "", "UpperDir", s->upper, "WorkDir", s->work, "MergedDir",
			 s->merged);
}

static json_t *bind_path(const struct rt_spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_binds; i++)
		if (strcmp(s->binds[i].dest, dest) == 0)
			return json_string(s->binds[i].source);
	return json_string("");
}

static json_t *build(const struct store_container *row, const struct rt_spec *s, json_t *cfg,
		     const struct ctr_state *st, const struct vol_uses *u)
{
	json_t *args = json_array(), *doc = json_object();

	for (size_t i = 1; s->args[i] != NULL; i++)
		json_array_append_new(args, json_string(s->args[i]));
	set(doc, "Id", json_string(row->id));
	set(doc, "Created", time_json(row->created));
	set(doc, "Path", json_string(s->args[0]));
	set(doc, "Args", args);
	set(doc, "State", state_json(st));
	set(doc, "Image", json_string(row->image_id));
	set(doc, "ImageName", json_string(row->image_name ? row->image_name : ""));
	set(doc, "ResolvConfPath", bind_path(s, "/etc/resolv.conf"));
	set(doc, "HostnamePath", bind_path(s, "/etc/hostname"));
	set(doc, "HostsPath", bind_path(s, "/etc/hosts"));
	set(doc, "LogPath", json_string(s->log_path ? s->log_path : ""));
	set(doc, "Name", json_string(row->name));
	set(doc, "RestartCount", json_integer(0));
	set(doc, "Driver", json_string("overlay"));
	set(doc, "Platform", json_string("linux"));
	set(doc, "GraphDriver", graph_driver(s));
	set(doc, "Mounts", mounts_json(s, u->v, u->n));
	set(doc, "HostConfig", host_config(json_object_get(cfg, "spec"), s, u));
	set(doc, "Config", config_json(row, s, cfg));
	set(doc, "NetworkSettings",
	    json_pack("{sssos{}ssssss}", "Bridge", "", "Ports", ctr_ports_json(s->ports),
		      "Networks", "SandboxKey", "", "IPAddress", "", "Gateway", ""));
	return doc;
}

json_t *ctr_inspect_json(struct store *st, const struct store_container *row,
			 struct ctr_state *state_out, struct rcr_error **err)
{
	_cleanup_free_ char *ud = ctr_userdata(st, row->id);
	_cleanup_json_ json_t *cfg = json_loads(row->config, 0, NULL);
	struct vol_uses uses = {0};
	struct rt_spec s = {0};
	struct ctr_state state;
	json_t *doc;

	if (cfg == NULL || rt_spec_from_json(json_object_get(cfg, "spec"), &s, err) < 0) {
		rcr_error_set(err, EINVAL,
			      "the stored configuration of container '%s' is unreadable",
			      row->name);
		return NULL;
	}
	if (store_container_volumes(st, row->id, &uses.v, &uses.n, err) < 0) {
		rt_spec_release(&s);
		return NULL;
	}
	ctr_state_get(ud, row->state, &state);
	doc = build(row, &s, cfg, &state, &uses);
	store_volume_use_free(uses.v, uses.n);
	rt_spec_release(&s);
	if (state_out != NULL)
		*state_out = state;
	if (doc == NULL)
		rcr_error_set(err, ENOMEM, "building the description of container '%s'", row->name);
	return doc;
}
