/* Unit tests of runtime/caps.c: capability names, Podman's default set, --cap-add/--cap-drop
 * arithmetic with its errors, and the real switch to a user in forked children (inside a user
 * namespace, so they run unprivileged too), checked against /proc/self/status.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/userns.h"
#include "runtime/caps.h"
#include "tests/unit/tap.h"

#define BIT(c) ((uint64_t)1 << (c))

/* 0x800405fb: CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, KILL 5, SETGID 6, SETUID 7, SETPCAP 8,
 * NET_BIND_SERVICE 10, SYS_CHROOT 18, SETFCAP 31. */
static const uint64_t default_set = BIT(0) | BIT(1) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) |
				    BIT(8) | BIT(10) | BIT(18) | BIT(31);

static void test_names(void)
{
	is_int(rt_cap_from_name("CAP_NET_RAW"), 13, "CAP_NET_RAW");
	is_int(rt_cap_from_name("NET_RAW"), 13, "NET_RAW");
	is_int(rt_cap_from_name("net_raw"), 13, "net_raw");
	is_int(rt_cap_from_name("cap_Net_Raw"), 13, "cap_Net_Raw");
	is_int(rt_cap_from_name("CAP_CHOWN"), 0, "CAP_CHOWN is 0");
	is_int(rt_cap_from_name("checkpoint_restore"), 40, "CHECKPOINT_RESTORE is 40");
	is_int(rt_cap_from_name("CAP_NET_RAWX"), -1, "unknown name");
	is_int(rt_cap_from_name("CAP_"), -1, "bare CAP_");
	is_int(rt_cap_from_name(""), -1, "empty name");
	is_int(rt_cap_from_name("all"), -1, "all is not a capability");
	is_str(rt_cap_name(13), "CAP_NET_RAW", "name of 13");
	is_str(rt_cap_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN", "name of 21");
	is_str(rt_cap_name(40), "CAP_CHECKPOINT_RESTORE", "name of 40");
	ok(rt_cap_name(41) == NULL && rt_cap_name(-1) == NULL, "no name past 40 or below 0");
	for (int i = 0; i <= 40; i++) {
		if (rt_cap_from_name(rt_cap_name(i)) != i) {
			ok(0, "name of %d round-trips", i);
			return;
		}
	}
	ok(1, "every name round-trips");
}

static void test_sets(void)
{
	int last = rt_cap_last();

	is_int(rt_caps_default(), default_set, "default set is 0x800405fb");
	ok(last >= 36 && last <= 63, "cap_last_cap is sane (%d)", last);
	is_int(rt_caps_all(), last >= 63 ? UINT64_MAX : BIT(last + 1) - 1, "all = bits 0..last");
}

static void compute_ok(bool priv, const char *const *add, size_t na, const char *const *drop,
		       size_t nd, uint64_t want, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	uint64_t got = 0;
	int rc = rt_caps_compute(priv, add, na, drop, nd, &got, &err);

	ok(rc == 0 && got == want, "%s", what);
	if (rc != 0 || got != want)
		printf("#   rc %d got %#" PRIx64 " want %#" PRIx64 " %s\n", rc, got, want,
		       err ? err->msg : "");
}

static void compute_fails(const char *const *add, size_t na, const char *const *drop, size_t nd,
			  const char *msg, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	uint64_t got = 0;

	is_int(rt_caps_compute(false, add, na, drop, nd, &got, &err), -1, "%s fails", what);
	is_str(err ? err->msg : NULL, msg, "%s: message", what);
}

static void test_compute(void)
{
	const char *add_raw[] = {"NET_RAW", "cap_sys_admin"};
	const char *drop_chown[] = {"CAP_CHOWN", "kill"};
	const char *all_upper[] = {"ALL"};
	const char *all_lower[] = {"all"};
	const char *bogus[] = {"CHOWN", "CAP_BOGUS"};
	uint64_t all = rt_caps_all();

	compute_ok(false, NULL, 0, NULL, 0, default_set, "no flags: the default set");
	compute_ok(false, add_raw, 2, NULL, 0, default_set | BIT(13) | BIT(21), "add two");
	compute_ok(false, NULL, 0, drop_chown, 2, default_set & ~(BIT(0) | BIT(5)), "drop two");
	compute_ok(false, add_raw, 2, all_upper, 1, BIT(13) | BIT(21),
		   "drop ALL then add: only the adds");
	compute_ok(false, NULL, 0, all_lower, 1, 0, "drop all: empty");
	compute_ok(false, all_lower, 1, NULL, 0, all, "add all: every capability");
	compute_ok(false, all_upper, 1, drop_chown, 2, all & ~(BIT(0) | BIT(5)),
		   "add all minus drops");
	compute_ok(true, NULL, 0, NULL, 0, all, "privileged: every capability");
	compute_ok(true, NULL, 0, drop_chown, 2, all & ~(BIT(0) | BIT(5)),
		   "privileged minus drops");
	compute_fails(bogus, 2, NULL, 0,
		      "--cap-add: unknown capability 'CAP_BOGUS': see capabilities(7) for the "
		      "valid names",
		      "unknown add");
	compute_fails(NULL, 0, bogus, 2,
		      "--cap-drop: unknown capability 'CAP_BOGUS': see capabilities(7) for the "
		      "valid names",
		      "unknown drop");
	compute_fails(all_lower, 1, all_upper, 1,
		      "adding all capabilities and dropping all capabilities is not allowed: use "
		      "one of --cap-add=all, --cap-drop=all",
		      "add all and drop all");
	compute_fails(add_raw, 2, add_raw + 1, 1,
		      "capability 'CAP_SYS_ADMIN' cannot be both dropped and added",
		      "add and drop");
}

static void test_names_list(void)
{
	_cleanup_strv_ char **v = rt_caps_names(default_set);
	_cleanup_strv_ char **none = rt_caps_names(0);
	_cleanup_strv_ char **high = rt_caps_names(BIT(40) | BIT(50));
	const char *want[] = {"CAP_CHOWN",	"CAP_DAC_OVERRIDE", "CAP_FOWNER",
			      "CAP_FSETID",	"CAP_KILL",	    "CAP_SETGID",
			      "CAP_SETUID",	"CAP_SETPCAP",	    "CAP_NET_BIND_SERVICE",
			      "CAP_SYS_CHROOT", "CAP_SETFCAP"};
	size_t n = 0;
	bool same = v != NULL;

	for (; v != NULL && v[n] != NULL; n++)
		same = same && n < 11 && strcmp(v[n], want[n]) == 0;
	ok(same && n == 11, "default set names in number order");
	ok(none != NULL && none[0] == NULL, "empty set: empty list");
	ok(high != NULL && high[0] != NULL && strcmp(high[0], "CAP_CHECKPOINT_RESTORE") == 0 &&
		   high[1] == NULL,
	   "unnamed bits are left out");
}

/* The capability sets of this process, from /proc/self/status. */
struct capsets {
	uint64_t inh, prm, eff, bnd, amb;
};

static int read_capsets(struct capsets *c)
{
	static const char *const keys[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
	uint64_t *dst[] = {&c->inh, &c->prm, &c->eff, &c->bnd, &c->amb};
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		for (size_t i = 0; i < 5; i++) {
			char *end;

			if (strncmp(line, keys[i], strlen(keys[i])) != 0)
				continue;
			*dst[i] = strtoull(line + strlen(keys[i]), &end, 16);
			n += end != line + strlen(keys[i]);
		}
	}
	return n == 5 ? 0 : -1;
}

struct switch_case {
	uint64_t caps, ambient;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
	struct capsets want;
};

/* Runs in the child: switch, then compare each set (and the ids) with the expectation. */
static int do_switch(void *arg, char *msg)
{
	const struct switch_case *sc = arg;
	struct rcr_error *err = NULL;
	struct capsets got = {0};
	uid_t r, e, s;

	if (rt_caps_switch_user(sc->caps, sc->ambient, sc->uid, sc->gid, sc->groups, sc->n_groups,
				&err) < 0) {
		snprintf(msg, USERNS_MSG_MAX, "switch: %s", err->msg);
		rcr_error_free(err);
		return 1;
	}
	if (read_capsets(&got) < 0) {
		snprintf(msg, USERNS_MSG_MAX, "cannot read /proc/self/status");
		return 1;
	}
	if (memcmp(&got, &sc->want, sizeof(got)) != 0) {
		snprintf(msg, USERNS_MSG_MAX,
			 "inh %" PRIx64 " prm %" PRIx64 " eff %" PRIx64 " bnd %" PRIx64
			 " amb %" PRIx64,
			 got.inh, got.prm, got.eff, got.bnd, got.amb);
		return 1;
	}
	if (getresuid(&r, &e, &s) < 0 || r != sc->uid || e != sc->uid || s != sc->uid ||
	    getgid() != sc->gid || getegid() != sc->gid) {
		snprintf(msg, USERNS_MSG_MAX, "ids: uid %u gid %u", (unsigned)geteuid(),
			 (unsigned)getegid());
		return 1;
	}
	if (sc->n_groups > 0) {
		gid_t g[8];
		int n = getgroups(8, g);

		if (n != (int)sc->n_groups ||
		    memcmp(g, sc->groups, sizeof(gid_t) * (size_t)n) != 0) {
			snprintf(msg, USERNS_MSG_MAX, "groups: %d of them", n);
			return 1;
		}
	}
	return 0;
}

/* Run do_switch in a forked child without a new namespace (only meaningful as real root). */
static int run_plain(struct switch_case *sc, struct rcr_error **err)
{
	int fds[2];
	pid_t pid;
	char msg[USERNS_MSG_MAX + 1] = "";
	ssize_t n;
	int status = 0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int rc;

		close(fds[0]);
		rc = do_switch(sc, msg);
		if (rc != 0 && write(fds[1], msg, strlen(msg)) < 0)
			_exit(2);
		_exit(rc);
	}
	close(fds[1]);
	n = read(fds[0], msg, USERNS_MSG_MAX);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	rcr_error_set(err, EIO, "%s", msg[0] ? msg : "child failed");
	return -1;
}

static bool must_work(void)
{
	const char *v = getenv("RCR_TEST_MUST_WORK");

	return v != NULL && strcmp(v, "1") == 0;
}

static void ok_switch(int rc, struct rcr_error **err, const char *what)
{
	ok(rc == 0, "%s%s%s", what, *err ? ": " : "", *err ? (*err)->msg : "");
	rcr_error_clear(err);
}

static void test_switch_root(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct userns_map uidmap, gidmap;
	uint64_t added = default_set | BIT(CAP_NET_RAW) | BIT(CAP_SYS_ADMIN);
	struct switch_case sc = {
		.caps = default_set,
		.want = {.prm = default_set, .eff = default_set, .bnd = default_set},
	};
	int rc;

	/* A single-id map: the caller's own ids become 0, which any user may write. */
	userns_map_plan(getuid(), NULL, &uidmap);
	userns_map_plan(getgid(), NULL, &gidmap);
	rc = userns_run(&uidmap, &gidmap, NULL, NULL, 0, do_switch, &sc, &err);
	if (rc < 0 && err != NULL && strstr(err->msg, "creating a user namespace") != NULL &&
	    !must_work()) {
		printf("# %s\n", err->msg);
		tap_ok_at(1, __FILE__, __LINE__, "switch to root # SKIP no user namespaces here");
		tap_ok_at(1, __FILE__, __LINE__, "switch with adds # SKIP no user namespaces here");
		return;
	}
	ok_switch(rc, &err, "root with the default set: prm = eff = bnd = default, inh = amb = 0");

	/* The ambient set is ignored for root: Podman 4 gives root none. */
	sc.caps = added;
	sc.ambient = BIT(CAP_NET_RAW);
	sc.want = (struct capsets){.prm = added, .eff = added, .bnd = added};
	ok_switch(userns_run(&uidmap, &gidmap, NULL, NULL, 0, do_switch, &sc, &err), &err,
		  "root with NET_RAW and SYS_ADMIN added");
}

/* A non-root user needs a second id: real root can switch without a namespace; otherwise this
 * needs subordinate ids (newuidmap). */
static void test_switch_user(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	static const gid_t groups[] = {1001, 1002};
	uint64_t caps = default_set | BIT(CAP_NET_RAW);
	uint64_t amb = BIT(CAP_NET_RAW) | BIT(CAP_SYS_ADMIN); /* SYS_ADMIN not in caps: not given */
	struct switch_case sc = {
		.caps = caps,
		.ambient = amb,
		.uid = 1000,
		.gid = 1000,
		.want = {.inh = BIT(CAP_NET_RAW),
			 .prm = BIT(CAP_NET_RAW),
			 .eff = BIT(CAP_NET_RAW),
			 .bnd = caps,
			 .amb = BIT(CAP_NET_RAW)},
	};
	struct userns_user_maps maps;

	if (geteuid() == 0) {
		sc.groups = groups;
		sc.n_groups = 2;
		ok_switch(run_plain(&sc, &err), &err,
			  "uid 1000 with groups: only the added NET_RAW, in every set");
		sc.ambient = 0;
		sc.groups = NULL;
		sc.n_groups = 0;
		sc.want = (struct capsets){.bnd = caps};
		ok_switch(run_plain(&sc, &err), &err, "uid 1000 with nothing added: no capability");
		return;
	}
	if (userns_user_maps(NULL, NULL, &maps, &err) < 0 || userns_map_is_single(&maps.uid) ||
	    userns_map_size(&maps.uid) < 1001 || userns_map_size(&maps.gid) < 1001) {
		userns_user_maps_release(&maps);
		rcr_error_clear(&err);
		tap_ok_at(1, __FILE__, __LINE__,
			  "switch to uid 1000 # SKIP needs root or 1000 subordinate ids");
		tap_ok_at(1, __FILE__, __LINE__,
			  "uid 1000, nothing added # SKIP needs root or 1000 subordinate ids");
		return;
	}
	ok_switch(userns_run(&maps.uid, &maps.gid, maps.newuidmap, maps.newgidmap, 0, do_switch,
			     &sc, &err),
		  &err, "uid 1000 in a user namespace: only the added NET_RAW");
	sc.ambient = 0;
	sc.want = (struct capsets){.bnd = caps};
	ok_switch(userns_run(&maps.uid, &maps.gid, maps.newuidmap, maps.newgidmap, 0, do_switch,
			     &sc, &err),
		  &err, "uid 1000, nothing added: no capability");
	userns_user_maps_release(&maps);
}

int main(void)
{
	test_names();
	test_sets();
	test_compute();
	test_names_list();
	test_switch_root();
	test_switch_user();
	return tap_done();
}
