/* Unit tests of runtime/spec.c: the JSON round trip of a spec with every field set (strvs, id maps,
 * rlimits, binds, exit command, 64-bit capability sets), writing and reading spec.json, the
 * refusals that must name the key at fault, signal names and numbers, and --ulimit parsing.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "runtime/spec.h"
#include "tests/unit/tap.h"

static char top[1024];

/* A NULL-terminated, owned copy of v. */
static char **sv(const char *const *v)
{
	size_t n = 0;
	char **out;

	while (v[n] != NULL)
		n++;
	out = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = strdup(v[i]);
	return out;
}

#define SV(...) sv((const char *const[]){__VA_ARGS__, NULL})

/* A spec with every field set to something other than its zero value. */
static void fill(struct rt_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	s->name = strdup("web-1");
	s->lowers = SV("/s/overlay/l3/diff", "/s/overlay/l2/diff", "/s/overlay/l1/diff");
	s->upper = strdup("/s/overlay/c/diff");
	s->work = strdup("/s/overlay/c/work");
	s->merged = strdup("/s/overlay/c/merged");
	s->userdata = strdup("/s/containers/c/userdata");
	s->rundir = strdup("/run/user/1000/rcr/c");
	s->read_only = true;
	s->read_only_tmpfs = true;
	s->args = SV("/bin/sh", "-c", "echo \"hi there\"; exit 3", "");
	s->env = SV("PATH=/usr/bin:/bin", "TERM=xterm", "EMPTY=", "UNICODE=h\xc3\xa9llo");
	s->cwd = strdup("/srv/app dir");
	s->user = strdup("1000:1000");
	s->group_add = SV("wheel", "10");
	s->tty = true;
	s->stdin_open = true;
	s->hostname = strdup("web");
	s->init = true;
	s->rlimits[0] = (struct rt_rlimit){RLIMIT_NOFILE, 100, 200};
	s->rlimits[1] = (struct rt_rlimit){RLIMIT_CORE, RLIM_INFINITY, RLIM_INFINITY};
	s->rlimits[2] = (struct rt_rlimit){RLIMIT_NPROC, 5, RLIM_INFINITY};
	s->rlimits[3] = (struct rt_rlimit){RLIMIT_FSIZE, (rlim_t)1 << 40, (rlim_t)1 << 41};
	s->n_rlimits = 4;
	s->caps = 0x8000010000000401ULL; /* bit 63, bit 40, CAP_CHOWN, CAP_NET_BIND_SERVICE */
	s->caps_added = UINT64_MAX;
	s->privileged = true;
	s->no_new_privs = true;
	s->seccomp = strdup("/etc/rcr/seccomp.json");
	s->uidmap.v[0] = (struct userns_map_entry){0, 1000, 1};
	s->uidmap.v[1] = (struct userns_map_entry){1, 100000, 65536};
	s->uidmap.v[2] = (struct userns_map_entry){65537, 4294901760U, 65535};
	s->uidmap.n = 3;
	s->gidmap.v[0] = (struct userns_map_entry){0, 1001, 1};
	s->gidmap.v[1] = (struct userns_map_entry){1, 200000, 1000};
	s->gidmap.n = 2;
	s->newuidmap = strdup("/usr/bin/newuidmap");
	s->newgidmap = strdup("/usr/bin/newgidmap");
	s->network = strdup("host");
	s->binds[0] = (struct rt_bind){strdup("/u/hosts"), strdup("/etc/hosts"), false};
	s->binds[1] = (struct rt_bind){strdup("/home/a/data"), strdup("/data"), true};
	s->binds[2] = (struct rt_bind){strdup("/u/resolv.conf"), strdup("/etc/resolv.conf"), true};
	s->n_binds = 3;
	s->log_driver = strdup("passthrough");
	s->log_path = strdup("/s/containers/c/userdata/ctr.log");
	s->log_max_size = (long long)5 << 32;
	s->stop_signal = SIGUSR1;
	s->stop_timeout = 42;
	s->remove = true;
	s->exit_command = SV("/usr/bin/rcr", "container", "cleanup", "--rm", "web-1");
	s->memory = (long long)3 << 33;
	s->cpu_quota_us = 150000;
	s->pids_limit = 4096;
}

static int strv_same(char **a, char **b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	for (i = 0; a[i] != NULL && b[i] != NULL; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return a[i] == NULL && b[i] == NULL;
}

static int map_same(const struct userns_map *a, const struct userns_map *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].inner != b->v[i].inner || a->v[i].outer != b->v[i].outer ||
		    a->v[i].count != b->v[i].count)
			return 0;
	return 1;
}

/* One check per group of fields, so a failure says which. */
static void check_same(const struct rt_spec *a, const struct rt_spec *b, const char *how)
{
	int binds = a->n_binds == b->n_binds, rl = a->n_rlimits == b->n_rlimits;

	for (size_t i = 0; binds && i < a->n_binds; i++)
		binds = strcmp(a->binds[i].source, b->binds[i].source) == 0 &&
			strcmp(a->binds[i].dest, b->binds[i].dest) == 0 &&
			a->binds[i].ro == b->binds[i].ro;
	for (size_t i = 0; rl && i < a->n_rlimits; i++)
		rl = a->rlimits[i].resource == b->rlimits[i].resource &&
		     a->rlimits[i].soft == b->rlimits[i].soft &&
		     a->rlimits[i].hard == b->rlimits[i].hard;
	is_str(b->id, a->id, "%s: id", how);
	is_str(b->name, a->name, "%s: name", how);
	ok(strv_same(a->lowers, b->lowers), "%s: lowers", how);
	ok(strcmp(a->upper, b->upper) == 0 && strcmp(a->work, b->work) == 0 &&
		   strcmp(a->merged, b->merged) == 0,
	   "%s: upper, work, merged", how);
	ok(strcmp(a->userdata, b->userdata) == 0 && strcmp(a->rundir, b->rundir) == 0,
	   "%s: userdata and rundir", how);
	ok(a->read_only == b->read_only && a->read_only_tmpfs == b->read_only_tmpfs,
	   "%s: read_only and read_only_tmpfs", how);
	ok(strv_same(a->args, b->args), "%s: args (quotes, empty argument)", how);
	ok(strv_same(a->env, b->env), "%s: env (empty value, UTF-8)", how);
	is_str(b->cwd, a->cwd, "%s: cwd", how);
	is_str(b->user, a->user, "%s: user", how);
	ok(strv_same(a->group_add, b->group_add), "%s: group_add", how);
	ok(a->tty == b->tty && a->stdin_open == b->stdin_open && a->init == b->init,
	   "%s: tty, stdin, init", how);
	is_str(b->hostname, a->hostname, "%s: hostname", how);
	ok(rl, "%s: rlimits (unlimited, 2^40)", how);
	ok(a->caps == b->caps, "%s: caps with bit 63 and bit 40 (%#llx)", how,
	   (unsigned long long)b->caps);
	ok(a->caps_added == b->caps_added, "%s: caps_added all 64 bits", how);
	ok(a->privileged == b->privileged && a->no_new_privs == b->no_new_privs,
	   "%s: privileged, no_new_privs", how);
	is_str(b->seccomp, a->seccomp, "%s: seccomp", how);
	ok(map_same(&a->uidmap, &b->uidmap), "%s: uidmap (an outer id near 2^32)", how);
	ok(map_same(&a->gidmap, &b->gidmap), "%s: gidmap", how);
	is_str(b->newuidmap, a->newuidmap, "%s: newuidmap", how);
	is_str(b->newgidmap, a->newgidmap, "%s: newgidmap", how);
	is_str(b->network, a->network, "%s: network", how);
	ok(binds, "%s: binds in order with ro", how);
	is_str(b->log_driver, a->log_driver, "%s: log_driver", how);
	is_str(b->log_path, a->log_path, "%s: log_path", how);
	is_int(b->log_max_size, a->log_max_size, "%s: log_max_size above 2^32", how);
	ok(a->stop_signal == b->stop_signal && a->stop_timeout == b->stop_timeout,
	   "%s: stop_signal and stop_timeout", how);
	ok(a->remove == b->remove, "%s: remove", how);
	ok(strv_same(a->exit_command, b->exit_command), "%s: exit_command", how);
	ok(a->memory == b->memory && a->cpu_quota_us == b->cpu_quota_us &&
		   a->pids_limit == b->pids_limit,
	   "%s: memory, cpu_quota_us, pids_limit", how);
}

static void test_round_trip(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_spec a, b = {0};
	_cleanup_json_ json_t *j = NULL;
	_cleanup_json_ json_t *j2 = NULL;

	fill(&a);
	j = rt_spec_to_json(&a);
	ok(json_is_object(j), "to_json gives an object");
	ok(json_is_integer(json_object_get(j, "caps")), "  caps is a JSON integer");
	ok(json_is_array(json_object_get(j, "exit_command")), "  exit_command is written when set");
	if (ok(rt_spec_from_json(j, &b, &err) == 0 && err == NULL, "from_json reads it back"))
		check_same(&a, &b, "json");
	j2 = rt_spec_to_json(&b);
	ok(json_equal(j, j2), "writing the read spec gives the same JSON");
	rt_spec_release(&b);
	ok(b.id == NULL && b.args == NULL && b.n_binds == 0 && b.n_rlimits == 0,
	   "release clears the spec");

	/* Optional things left unset stay unset. */
	strv_free(a.exit_command);
	a.exit_command = NULL;
	free(a.newuidmap);
	a.newuidmap = NULL;
	json_decref(j);
	j = rt_spec_to_json(&a);
	ok(json_object_get(j, "exit_command") == NULL && json_object_get(j, "newuidmap") == NULL,
	   "no exit_command or newuidmap key when unset");
	ok(rt_spec_from_json(j, &b, &err) == 0 && b.exit_command == NULL && b.newuidmap == NULL,
	   "  and they read back as NULL");
	rt_spec_release(&b);

	/* Every bind slot used. */
	for (size_t i = a.n_binds; i < RT_BINDS_MAX; i++) {
		char dest[32];

		snprintf(dest, sizeof(dest), "/mnt/%zu", i);
		a.binds[i] = (struct rt_bind){strdup("/src"), strdup(dest), i % 2 == 0};
	}
	a.n_binds = RT_BINDS_MAX;
	json_decref(j);
	j = rt_spec_to_json(&a);
	ok(rt_spec_from_json(j, &b, &err) == 0 && b.n_binds == RT_BINDS_MAX &&
		   strcmp(b.binds[RT_BINDS_MAX - 1].dest, "/mnt/63") == 0 &&
		   !b.binds[RT_BINDS_MAX - 1].ro && b.binds[RT_BINDS_MAX - 2].ro,
	   "RT_BINDS_MAX binds round trip");
	rt_spec_release(&b);
	rt_spec_release(&a);
}

static void test_file(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *path = fs_path_join(top, "spec.json");
	_cleanup_free_ char *missing = fs_path_join(top, "nope/spec.json");
	struct rt_spec a, b = {0};

	fill(&a);
	ok(rt_spec_write(&a, path, &err) == 0 && fs_exists(path), "rt_spec_write");
	if (ok(rt_spec_read(path, &b, &err) == 0 && err == NULL, "rt_spec_read"))
		check_same(&a, &b, "file");
	rt_spec_release(&b);
	ok(rt_spec_write(&a, missing, &err) < 0 && err != NULL,
	   "writing into a missing directory fails");
	rcr_error_clear(&err);
	rt_spec_release(&a);

	ok(rt_spec_read(missing, &b, &err) < 0 && err != NULL, "reading a missing file fails");
	has_str(err ? err->msg : NULL, "container spec '", "  as a container spec");
	has_str(err ? err->msg : NULL, missing, "  naming the file");
	rcr_error_clear(&err);

	fs_write_replace(path, "{\"id\": \"x\",", 11, 0600, NULL);
	ok(rt_spec_read(path, &b, &err) < 0 && err != NULL, "a truncated file is refused");
	has_str(err ? err->msg : NULL, path, "  naming the file");
	rcr_error_clear(&err);

	fs_write_replace(path, "{}", 2, 0600, NULL);
	ok(rt_spec_read(path, &b, &err) < 0 && err != NULL, "an empty object is refused");
	has_str(err ? err->msg : NULL, "'id' is missing", "  naming the first missing key");
	rcr_error_clear(&err);
}

/* Parse the full spec's JSON after edit(j); returns from_json's result, the error in *err. */
static int parse_edited(const char *key, json_t *value, struct rcr_error **err)
{
	struct rt_spec a, b;
	_cleanup_json_ json_t *j = NULL;
	int r;

	fill(&a);
	j = rt_spec_to_json(&a);
	rt_spec_release(&a);
	if (value == NULL)
		json_object_del(j, key);
	else
		json_object_set_new(j, key, value);
	memset(&b, 0, sizeof(b));
	r = rt_spec_from_json(j, &b, err);
	if (r == 0)
		rt_spec_release(&b);
	else
		ok(b.id == NULL && b.args == NULL, "  %s: the output is untouched on failure", key);
	return r;
}

static void refused(const char *key, json_t *value, const char *want, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(parse_edited(key, value, &err) < 0 && err != NULL, "refused: %s", what);
	has_str(err ? err->msg : NULL, want, "  the error says \"%s\"", want);
}

static void test_refusals(void)
{
	static const char *const required[] = {
		"id",  "name",	  "upper",   "work",	   "merged", "userdata", "rundir",
		"cwd", "seccomp", "network", "log_driver", "uidmap", "gidmap"};
	char want[64];
	json_t *big;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		snprintf(want, sizeof(want), "'%s' is missing", required[i]);
		refused(required[i], NULL, want, required[i]);
	}
	refused("id", json_null(), "'id' is missing", "a null id");
	refused("args", NULL, "no command", "no args");
	refused("args", json_array(), "no command", "empty args");
	refused("lowers", NULL, "no layers", "no lowers");

	refused("name", json_integer(5), "'name' is not a string", "a number for name");
	refused("network", json_true(), "'network' is not a string", "a boolean for network");
	refused("tty", json_string("yes"), "'tty' is not a boolean", "a string for tty");
	refused("remove", json_integer(1), "'remove' is not a boolean", "a number for remove");
	refused("caps", json_string("all"), "'caps' is not an integer", "a string for caps");
	refused("memory", json_real(1.5), "'memory' is not an integer", "a real for memory");
	refused("stop_signal", json_string("TERM"), "'stop_signal' is not an integer",
		"a name for stop_signal");
	refused("args", json_string("/bin/sh"), "'args' is not an array", "a string for args");
	refused("args", json_pack("[si]", "sh", 1), "'args[1]' is not a string",
		"a number inside args");
	refused("env", json_pack("[n]"), "'env[0]' is not a string", "a null inside env");
	refused("lowers", json_object(), "'lowers' is not an array", "an object for lowers");
	refused("exit_command", json_pack("[s[]]", "rcr"), "'exit_command[1]' is not a string",
		"an array inside exit_command");

	refused("log_driver", json_string("journald"), "unknown log driver 'journald'",
		"an unknown log driver");
	refused("log_driver", json_string(""), "unknown log driver ''", "an empty log driver");
	refused("network", json_string("bridge"), "unknown network mode 'bridge'",
		"an unknown network");
	refused("network", json_string("HOST"), "unknown network mode 'HOST'",
		"network names are case-sensitive");

	refused("uidmap", json_string("0 1000 1"), "'uidmap' is not an array", "a string uidmap");
	refused("uidmap", json_pack("[[II]]", 0LL, 1000LL), "'uidmap[0]' is not an id mapping",
		"a map entry of two numbers");
	refused("uidmap", json_pack("[[III]]", 0LL, 1000LL, 0LL),
		"'uidmap[0]' is not an id mapping", "a map entry of count 0");
	refused("gidmap", json_pack("[[III][III]]", 0LL, 1000LL, 1LL, 1LL, -5LL, 10LL),
		"'gidmap[1]' is not an id mapping", "a negative outer id");
	refused("gidmap", json_pack("[[III]]", -1LL, 0LL, 1LL), "'gidmap[0]' is not an id mapping",
		"a negative inner id");
	refused("uidmap", json_pack("[[sII]]", "0", 1000LL, 1LL),
		"'uidmap[0]' is not an id mapping", "a string in a map entry");
	refused("uidmap", json_pack("[I]", 0LL), "'uidmap[0]' is not an id mapping",
		"a number for a map entry");
	refused("uidmap", json_pack("[[III]]", 4294967296LL + 7, 1000LL, 1LL),
		"'uidmap[0]' is not an id mapping", "an inner id above 2^32 (not truncated)");
	refused("uidmap", json_pack("[[III]]", 0LL, 4294967296LL + 1000, 1LL),
		"'uidmap[0]' is not an id mapping", "an outer id above 2^32 (not truncated)");
	refused("uidmap", json_pack("[[III]]", 1LL, 100000LL, 4294967296LL + 1),
		"'uidmap[0]' is not an id mapping", "a count above 2^32 (not truncated)");
	refused("gidmap", json_pack("[[III]]", 0LL, 4294967295LL, 2LL),
		"'gidmap[0]' is not an id mapping", "a range ending past 2^32");
	big = json_array();
	for (int i = 0; i <= USERNS_MAP_MAX; i++)
		json_array_append_new(big, json_pack("[III]", (json_int_t)i, (json_int_t)i + 1000,
						     (json_int_t)1));
	refused("uidmap", big, "'uidmap[340]' is not an id mapping", "USERNS_MAP_MAX+1 entries");

	refused("rlimits", json_pack("[[sII]]", "nofile", 1LL, 2LL), "'rlimits[0]' is not a limit",
		"a resource name instead of a number");
	refused("rlimits", json_pack("[[iI]]", RLIMIT_NOFILE, 1LL), "'rlimits[0]' is not a limit",
		"a limit without its hard value");
	refused("rlimits", json_string("nofile=1"), "'rlimits' is not an array",
		"a string for rlimits");
	big = json_array();
	for (int i = 0; i <= RT_RLIMITS_MAX; i++)
		json_array_append_new(big, json_pack("[iII]", RLIMIT_NOFILE, 1LL, 2LL));
	refused("rlimits", big, "'rlimits[16]' is not a limit", "RT_RLIMITS_MAX+1 limits");

	refused("binds", json_pack("[{ss}]", "source", "/a"), "'binds[0]' is not a bind mount",
		"a bind without dest");
	refused("binds", json_pack("[{sssssi}]", "source", "/a", "dest", "/b", "ro", 1),
		"'binds[0]' is not a bind mount", "a bind with a number for ro");
	refused("binds", json_pack("[{ssss}s]", "source", "/a", "dest", "/b", "/c"),
		"'binds[1]' is not a bind mount", "a string for a bind");
	big = json_array();
	for (int i = 0; i <= RT_BINDS_MAX; i++)
		json_array_append_new(big, json_pack("{ssss}", "source", "/a", "dest", "/b"));
	refused("binds", big, "'binds[64]' is not a bind mount", "RT_BINDS_MAX+1 binds");
}

/* Keys that may be absent, and values read leniently. */
static void test_defaults(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = json_pack(
		"{ss ss ss ss ss ss ss ss ss ss ss s[[iii]] s[[iii]] s[s] s[s]}", "id", "x", "name",
		"n", "upper", "/u", "work", "/w", "merged", "/m", "userdata", "/d", "rundir", "/r",
		"cwd", "/", "seccomp", "default", "network", "none", "log_driver", "k8s-file",
		"uidmap", 0, 1000, 1, "gidmap", 0, 1000, 1, "args", "true", "lowers", "/l");
	struct rt_spec s = {0};

	ok(j != NULL && rt_spec_from_json(j, &s, &err) == 0 && err == NULL,
	   "a spec with only the required keys");
	ok(s.user == NULL && s.hostname == NULL && s.newuidmap == NULL && s.newgidmap == NULL &&
		   s.log_path == NULL && s.exit_command == NULL && s.env == NULL &&
		   s.group_add == NULL,
	   "  optional strings and lists are NULL");
	ok(!s.read_only && !s.tty && !s.stdin_open && !s.init && !s.privileged && !s.no_new_privs &&
		   !s.remove,
	   "  flags are false");
	ok(s.caps == 0 && s.caps_added == 0 && s.memory == 0 && s.pids_limit == 0 &&
		   s.log_max_size == 0 && s.n_rlimits == 0 && s.n_binds == 0,
	   "  numbers are 0, no rlimits or binds");
	is_int(s.stop_signal, SIGTERM, "  the stop signal is SIGTERM");
	rt_spec_release(&s);

	json_object_set_new(j, "stop_signal", json_integer(99));
	json_object_set_new(j, "stop_timeout", json_integer(-5));
	json_object_set_new(j, "user", json_null());
	ok(rt_spec_from_json(j, &s, &err) == 0 && s.stop_signal == SIGTERM &&
		   s.stop_timeout == 10 && s.user == NULL,
	   "a stop signal above 64 is SIGTERM, a negative timeout 10, a null user absent");
	rt_spec_release(&s);
	json_object_set_new(j, "stop_signal", json_integer(64));
	json_object_set_new(j, "stop_timeout", json_integer(0));
	ok(rt_spec_from_json(j, &s, &err) == 0 && s.stop_signal == 64 && s.stop_timeout == 0,
	   "stop signal 64 and timeout 0 are kept");
	rt_spec_release(&s);
	json_object_set_new(j, "binds", json_pack("[{ssss}]", "source", "/a", "dest", "/b"));
	ok(rt_spec_from_json(j, &s, &err) == 0 && s.n_binds == 1 && !s.binds[0].ro,
	   "a bind without ro is read-write");
	rt_spec_release(&s);

	{
		_cleanup_json_ json_t *arr = json_array();

		ok(rt_spec_from_json(arr, &s, &err) < 0 && err != NULL,
		   "a JSON array is not a spec");
		has_str(err ? err->msg : NULL, "not an object", "  the error says so");
	}
}

static void test_signals(void)
{
	static const struct {
		const char *name;
		int sig;
	} cases[] = {
		{"TERM", SIGTERM},
		{"SIGTERM", SIGTERM},
		{"sigkill", SIGKILL},
		{"Kill", SIGKILL},
		{"15", SIGTERM},
		{"9", SIGKILL},
		{"1", SIGHUP},
		{"64", 64},
		{"SIGWINCH", SIGWINCH},
		{"usr1", SIGUSR1},
		{"SIGCHLD", SIGCHLD},
		{"STKFLT", SIGSTKFLT},
		{"0", -1},
		{"65", -1},
		{"-9", -1},
		{"", -1},
		{"SIG", -1},
		{"FOO", -1},
		{"SIGFOO", -1},
		{"TERM ", -1},
		{"15x", -1},
		{"SIGSIGTERM", -1},
		{"SIG15", -1},
		{"99999999999999999999", -1},
		{"RTMIN", -1},
		{"RTMIN+", -1},
		{"RTMIN+x", -1},
		{"RTMIN+-1", -1},
		{"RTMIN++1", -1},
		{"RTMIN+2x", -1},
		{"RTMIN+99999999999999999999", -1},
	};
	char name[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(rt_signal_from_name(cases[i].name), cases[i].sig, "signal '%s'",
		       cases[i].name);
	is_int(rt_signal_from_name(NULL), -1, "signal NULL");
	is_int(rt_signal_from_name("RTMIN+2"), SIGRTMIN + 2, "signal 'RTMIN+2'");
	is_int(rt_signal_from_name("sigrtmin+0"), SIGRTMIN, "signal 'sigrtmin+0'");
	snprintf(name, sizeof(name), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
	is_int(rt_signal_from_name(name), SIGRTMAX, "signal '%s' is SIGRTMAX", name);
	snprintf(name, sizeof(name), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
	is_int(rt_signal_from_name(name), -1, "signal '%s' is past SIGRTMAX", name);

	is_str(rt_signal_name(SIGTERM), "SIGTERM", "name of 15");
	is_str(rt_signal_name(SIGKILL), "SIGKILL", "name of 9");
	is_str(rt_signal_name(SIGHUP), "SIGHUP", "name of 1");
	is_str(rt_signal_name(SIGSYS), "SIGSYS", "name of 31");
	ok(rt_signal_name(0) == NULL && rt_signal_name(-1) == NULL && rt_signal_name(32) == NULL &&
		   rt_signal_name(SIGRTMIN) == NULL && rt_signal_name(65) == NULL,
	   "no name for 0, -1, 32, SIGRTMIN, 65");
	{
		int all = 1;

		for (int sig = 1; sig < 32; sig++) {
			const char *n = rt_signal_name(sig);

			if (n == NULL || rt_signal_from_name(n) != sig ||
			    rt_signal_from_name(n + 3) != sig)
				all = 0;
		}
		ok(all, "signals 1..31 all have a name that reads back, with or without SIG");
	}
}

static void test_ulimits(void)
{
	static const char *const names[] = {
		"core",	  "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
		"nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",	 "as",
	};
	static const char *const bad[] = {
		"foo=1",
		"nofile",
		"=5",
		"nofilex=1",
		"nofil=1",
		"nofile=",
		"nofile=1:",
		"nofile=:1",
		"nofile=a",
		"nofile=-2",
		"nofile=1:2:3",
		"nofile= 1",
		"NOFILE=1",
		"nofile=99999999999999999999999",
		"nofile=200:100",
		"memlock=unlimited:100",
		"nofile=0x10",
	};
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_spec s = {0};

	ok(rt_spec_add_ulimit(&s, "nofile=100:200", &err) == 0 && s.n_rlimits == 1 &&
		   s.rlimits[0].resource == RLIMIT_NOFILE && s.rlimits[0].soft == 100 &&
		   s.rlimits[0].hard == 200,
	   "nofile=100:200");
	ok(rt_spec_add_ulimit(&s, "nproc=5", &err) == 0 && s.n_rlimits == 2 &&
		   s.rlimits[1].resource == RLIMIT_NPROC && s.rlimits[1].soft == 5 &&
		   s.rlimits[1].hard == 5,
	   "nproc=5 sets both limits");
	ok(rt_spec_add_ulimit(&s, "core=-1", &err) == 0 && s.n_rlimits == 3 &&
		   s.rlimits[2].soft == RLIM_INFINITY && s.rlimits[2].hard == RLIM_INFINITY,
	   "core=-1 is unlimited");
	ok(rt_spec_add_ulimit(&s, "stack=8192:unlimited", &err) == 0 && s.n_rlimits == 4 &&
		   s.rlimits[3].soft == 8192 && s.rlimits[3].hard == RLIM_INFINITY,
	   "stack=8192:unlimited");
	ok(rt_spec_add_ulimit(&s, "nofile=10:-1", &err) == 0 && s.n_rlimits == 4 &&
		   s.rlimits[0].resource == RLIMIT_NOFILE && s.rlimits[0].soft == 10 &&
		   s.rlimits[0].hard == RLIM_INFINITY,
	   "a second nofile replaces the first in place");
	ok(rt_spec_add_ulimit(&s, "nofile=0:0", &err) == 0 && s.rlimits[0].hard == 0, "nofile=0:0");
	ok(err == NULL, "  no error set by the good ones");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(rt_spec_add_ulimit(&s, bad[i], &err) < 0 && err != NULL && err->code == EINVAL &&
			   s.n_rlimits == 4,
		   "refused: '%s'", bad[i]);
		has_str(err ? err->msg : NULL, bad[i], "  the error names it");
		rcr_error_clear(&err);
	}
	ok(rt_spec_add_ulimit(&s, "bogus=1", &err) < 0, "an unknown name");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char needle[32];

		snprintf(needle, sizeof(needle), " %s", names[i]);
		has_str(err ? err->msg : NULL, needle, "  the error lists '%s'", names[i]);
	}
	rcr_error_clear(&err);

	memset(&s, 0, sizeof(s));
	{
		int all = 1;

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			char arg[32];

			snprintf(arg, sizeof(arg), "%s=%zu", names[i], i + 1);
			if (rt_spec_add_ulimit(&s, arg, &err) < 0)
				all = 0;
		}
		ok(all && s.n_rlimits == RT_RLIMITS_MAX, "every one of the 16 names is accepted");
		rcr_error_clear(&err);
	}
	ok(rt_spec_add_ulimit(&s, "nofile=7:8", &err) == 0 && s.n_rlimits == RT_RLIMITS_MAX &&
		   s.rlimits[8].resource == RLIMIT_NOFILE && s.rlimits[8].soft == 7,
	   "with every slot taken, an earlier resource is still replaced");
	rcr_error_clear(&err);
	for (size_t i = 0; i < RT_RLIMITS_MAX; i++)
		s.rlimits[i].resource = 100 + (int)i; /* full of other resources */
	ok(rt_spec_add_ulimit(&s, "nofile=1", &err) < 0 && err != NULL && err->code == E2BIG &&
		   s.n_rlimits == RT_RLIMITS_MAX,
	   "a 17th resource is too many");
	has_str(err ? err->msg : NULL, "too many", "  the error says so");
}

/* The user namespace fields: keep-id's round trip, their absence (the default), refusals. */
static void test_userns_fields(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_spec a, b;
	json_t *j;

	fill(&a);
	a.userns_mode = strdup("keep-id");
	a.store_uidmap = a.uidmap;
	a.store_gidmap = a.gidmap;
	a.uidmap.v[0].inner = 1000;
	a.passwd_entry = strdup("me:*:1000:1000:me:/home/me:/bin/sh");
	a.group_entry = strdup("me:x:1000:me");
	j = rt_spec_to_json(&a);
	memset(&b, 0, sizeof(b));
	ok(rt_spec_from_json(j, &b, &err) == 0, "keep-id fields read back");
	is_str(b.userns_mode, "keep-id", "userns_mode");
	ok(map_same(&a.store_uidmap, &b.store_uidmap) && map_same(&a.store_gidmap, &b.store_gidmap),
	   "store maps");
	ok(map_same(&a.uidmap, &b.uidmap), "the container's map beside them");
	is_str(b.passwd_entry, a.passwd_entry, "passwd line");
	is_str(b.group_entry, a.group_entry, "group line");
	rt_spec_release(&b);
	json_decref(j);
	rt_spec_release(&a);

	fill(&a);
	j = rt_spec_to_json(&a);
	ok(json_object_get(j, "store_uidmap") == NULL, "no store maps written for the default");
	ok(rt_spec_from_json(j, &b, &err) == 0 && b.store_uidmap.n == 0 && b.userns_mode == NULL &&
		   b.passwd_entry == NULL,
	   "a spec without the fields is the default mode");
	rt_spec_release(&b);
	json_decref(j);
	rt_spec_release(&a);

	refused("userns_mode", json_string("auto"), "unknown userns mode 'auto'",
		"an unknown mode");
	refused("passwd_entry", json_string("me:x:1000\nroot::0:0::/:/bin/sh"), "not a passwd line",
		"a passwd entry of two lines");
	refused("group_entry", json_string("me:x:"), "not a group line", "a group line without id");
	refused("store_uidmap", json_pack("[[iii]]", 0, 1000, 1), "without both maps",
		"a store uid map without the gid map");
	refused("store_gidmap", json_pack("[[iii]]", 0, 1000, -1), "'store_gidmap[0]' is not",
		"a bad store map");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-spec-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_round_trip();
	test_file();
	test_refusals();
	test_userns_fields();
	test_defaults();
	test_signals();
	test_ulimits();
	ok(fs_rm_rf(top, NULL) == 0 && !fs_exists(top), "the test directory is removed");
	return tap_done();
}
