/* The flags `rcr create` and `rcr run` share (Podman's names), parsed into struct ctr_opts, and
 * finding (or pulling, per --pull) the image. Only parsing here; container/ does the work.
 */
#include "cmd/ctr_flags.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "image/lookup.h"
#include "pkg/cleanup.h"

enum {
	OPT_RM = 1000,
	OPT_NAME,
	OPT_REPLACE,
	OPT_PULL,
	OPT_ENV_FILE,
	OPT_ENV_HOST,
	OPT_ENTRYPOINT,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_SECURITY_OPT,
	OPT_READ_ONLY,
	OPT_READ_ONLY_TMPFS,
	OPT_INIT,
	OPT_ULIMIT,
	OPT_TZ,
	OPT_NETWORK,
	OPT_LOG_DRIVER,
	OPT_LOG_OPT,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_CPUS,
	OPT_PIDS_LIMIT,
	OPT_GROUP_ADD,
	OPT_TLS_VERIFY,
	OPT_AUTHFILE,
	OPT_QUIET,
	OPT_SIG_PROXY,
	OPT_MOUNT,
	OPT_TMPFS,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
	OPT_ADD_HOST,
	OPT_MAC_ADDRESS,
	OPT_EXPOSE,
	OPT_NO_HOSTS,
	OPT_USERNS,
	OPT_UIDMAP,
	OPT_GIDMAP,
};

static const struct option long_opts[] = {
	{"detach", no_argument, NULL, 'd'},
	{"interactive", no_argument, NULL, 'i'},
	{"tty", no_argument, NULL, 't'},
	{"rm", no_argument, NULL, OPT_RM},
	{"name", required_argument, NULL, OPT_NAME},
	{"replace", no_argument, NULL, OPT_REPLACE},
	{"pull", required_argument, NULL, OPT_PULL},
	{"env", required_argument, NULL, 'e'},
	{"env-file", required_argument, NULL, OPT_ENV_FILE},
	{"env-host", no_argument, NULL, OPT_ENV_HOST},
	{"user", required_argument, NULL, 'u'},
	{"workdir", required_argument, NULL, 'w'},
	{"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
	{"hostname", required_argument, NULL, 'h'},
	{"cap-add", required_argument, NULL, OPT_CAP_ADD},
	{"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	{"privileged", no_argument, NULL, OPT_PRIVILEGED},
	{"security-opt", required_argument, NULL, OPT_SECURITY_OPT},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"read-only-tmpfs", optional_argument, NULL, OPT_READ_ONLY_TMPFS},
	{"init", no_argument, NULL, OPT_INIT},
	{"ulimit", required_argument, NULL, OPT_ULIMIT},
	{"tz", required_argument, NULL, OPT_TZ},
	{"network", required_argument, NULL, OPT_NETWORK},
	{"net", required_argument, NULL, OPT_NETWORK},
	{"log-driver", required_argument, NULL, OPT_LOG_DRIVER},
	{"log-opt", required_argument, NULL, OPT_LOG_OPT},
	{"stop-signal", required_argument, NULL, OPT_STOP_SIGNAL},
	{"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	{"memory", required_argument, NULL, 'm'},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
	{"label", required_argument, NULL, 'l'},
	{"group-add", required_argument, NULL, OPT_GROUP_ADD},
	{"tls-verify", optional_argument, NULL, OPT_TLS_VERIFY},
	{"authfile", required_argument, NULL, OPT_AUTHFILE},
	{"quiet", no_argument, NULL, 'q'},
	{"sig-proxy", optional_argument, NULL, OPT_SIG_PROXY},
	{"volume", required_argument, NULL, 'v'},
	{"mount", required_argument, NULL, OPT_MOUNT},
	{"tmpfs", required_argument, NULL, OPT_TMPFS},
	{"publish", required_argument, NULL, 'p'},
	{"publish-all", no_argument, NULL, 'P'},
	{"dns", required_argument, NULL, OPT_DNS},
	{"dns-search", required_argument, NULL, OPT_DNS_SEARCH},
	{"dns-option", required_argument, NULL, OPT_DNS_OPTION},
	{"dns-opt", required_argument, NULL, OPT_DNS_OPTION},
	{"add-host", required_argument, NULL, OPT_ADD_HOST},
	{"mac-address", required_argument, NULL, OPT_MAC_ADDRESS},
	{"expose", required_argument, NULL, OPT_EXPOSE},
	{"no-hosts", no_argument, NULL, OPT_NO_HOSTS},
	{"userns", required_argument, NULL, OPT_USERNS},
	{"uidmap", required_argument, NULL, OPT_UIDMAP},
	{"gidmap", required_argument, NULL, OPT_GIDMAP},
	{"help", no_argument, NULL, 'H'},
	{NULL, 0, NULL, 0},
};

void ctr_flags_release(struct ctr_flags *f)
{
	char ***lists[] = {&f->env,	      &f->env_files, &f->cap_add,    &f->cap_drop,
			   &f->security_opts, &f->ulimits,   &f->group_add,  &f->labels,
			   &f->log_opts,      &f->volumes,   &f->mounts,     &f->tmpfs,
			   &f->publish,	      &f->dns,	     &f->dns_search, &f->dns_options,
			   &f->add_hosts,     &f->uidmaps,   &f->gidmaps,    &f->expose};

	/* the strings are argv's: only the vectors are ours */
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		free(*lists[i]);
}

static int push(char ***v, char *s)
{
	size_t n = 0;
	char **nv;

	while (*v != NULL && (*v)[n] != NULL)
		n++;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (nv == NULL)
		return -1;
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

static int parse_bool(const char *flag, const char *v, bool *out, struct rcr_error **err)
{
	if (v == NULL || strcmp(v, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(v, "false") == 0) {
		*out = false;
		return 0;
	}
	rcr_error_set(err, EINVAL, "invalid value '%s' for %s: use true or false", v, flag);
	return -1;
}

static int parse_int(const char *flag, const char *v, long long min, long long *out,
		     struct rcr_error **err)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || *out < min) {
		rcr_error_set(err, EINVAL, "invalid value '%s' for %s: use a number", v, flag);
		return -1;
	}
	return 0;
}

static int parse_pull(const char *v, enum pull_policy *out, struct rcr_error **err)
{
	static const char *const names[] = {"missing", "always", "never", "newer"};

	for (size_t i = 0; i < 4; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i == 3 ? PULL_MISSING : (enum pull_policy)i;
			return 0;
		}
	rcr_error_set(err, EINVAL, "invalid pull policy '%s': use always, missing or never", v);
	return -1;
}

/* The flags with a value that goes into a list. */
static int list_flag(int c, struct ctr_flags *f)
{
	switch (c) {
	case 'e':
		return push(&f->env, optarg);
	case OPT_ENV_FILE:
		return push(&f->env_files, optarg);
	case OPT_CAP_ADD:
		return push(&f->cap_add, optarg);
	case OPT_CAP_DROP:
		return push(&f->cap_drop, optarg);
	case OPT_SECURITY_OPT:
		return push(&f->security_opts, optarg);
	case OPT_ULIMIT:
		return push(&f->ulimits, optarg);
	case OPT_GROUP_ADD:
		return push(&f->group_add, optarg);
	case 'l':
		return push(&f->labels, optarg);
	case OPT_LOG_OPT:
		return push(&f->log_opts, optarg);
	case 'v':
		return push(&f->volumes, optarg);
	case OPT_MOUNT:
		return push(&f->mounts, optarg);
	case OPT_TMPFS:
		return push(&f->tmpfs, optarg);
	case 'p':
		return push(&f->publish, optarg);
	case OPT_DNS:
		return push(&f->dns, optarg);
	case OPT_DNS_SEARCH:
		return push(&f->dns_search, optarg);
	case OPT_DNS_OPTION:
		return push(&f->dns_options, optarg);
	case OPT_ADD_HOST:
		return push(&f->add_hosts, optarg);
	case OPT_EXPOSE:
		return push(&f->expose, optarg);
	case OPT_UIDMAP:
		return push(&f->uidmaps, optarg);
	case OPT_GIDMAP:
		return push(&f->gidmaps, optarg);
	default:
		return 1;
	}
}

static int value_flag(int c, struct ctr_flags *f, struct rcr_error **err)
{
	long long n;

	switch (c) {
	case OPT_NAME:
		f->name = optarg;
		return 0;
	case OPT_PULL:
		return parse_pull(optarg, &f->pull, err);
	case 'u':
		f->user = optarg;
		return 0;
	case 'w':
		f->workdir = optarg;
		return 0;
	case OPT_ENTRYPOINT:
		f->entrypoint = optarg;
		return 0;
	case 'h':
		f->hostname = optarg;
		return 0;
	case OPT_TZ:
		f->tz = optarg;
		return 0;
	case OPT_NETWORK:
		f->network = optarg;
		return 0;
	case OPT_MAC_ADDRESS:
		f->mac_address = optarg;
		return 0;
	case OPT_LOG_DRIVER:
		f->log_driver = optarg;
		return 0;
	case OPT_STOP_SIGNAL:
		f->stop_signal = optarg;
		return 0;
	case 'm':
		f->memory = optarg;
		return 0;
	case OPT_CPUS:
		f->cpus = optarg;
		return 0;
	case OPT_AUTHFILE:
		f->authfile = optarg;
		return 0;
	case OPT_USERNS:
		f->userns = optarg;
		return 0;
	case OPT_STOP_TIMEOUT:
		if (parse_int("--stop-timeout", optarg, 0, &n, err) < 0)
			return -1;
		f->stop_timeout = (int)n;
		return 0;
	case OPT_PIDS_LIMIT:
		return parse_int("--pids-limit", optarg, -1, &f->pids_limit, err);
	case OPT_TLS_VERIFY:
		return cli_parse_tls_verify(optarg, &f->tls, err);
	case OPT_READ_ONLY_TMPFS: {
		bool b;

		if (parse_bool("--read-only-tmpfs", optarg, &b, err) < 0)
			return -1;
		f->read_only_tmpfs = b;
		return 0;
	}
	case OPT_SIG_PROXY:
		return parse_bool("--sig-proxy", optarg, &f->sig_proxy, err);
	default:
		return 1;
	}
}

static int switch_flag(int c, struct ctr_flags *f)
{
	switch (c) {
	case 'd':
		f->detach = true;
		return 0;
	case 'i':
		f->interactive = true;
		return 0;
	case 't':
		f->tty = true;
		return 0;
	case OPT_RM:
		f->remove = true;
		return 0;
	case OPT_REPLACE:
		f->replace = true;
		return 0;
	case OPT_ENV_HOST:
		f->env_host = true;
		return 0;
	case OPT_PRIVILEGED:
		f->privileged = true;
		return 0;
	case OPT_READ_ONLY:
		f->read_only = true;
		return 0;
	case OPT_INIT:
		f->init = true;
		return 0;
	case 'q':
		f->quiet = true;
		return 0;
	case 'P':
		f->publish_all = true;
		return 0;
	case OPT_NO_HOSTS:
		f->no_hosts = true;
		return 0;
	default:
		return 1;
	}
}

int ctr_flags_parse(const char *cmd, int argc, char **argv, struct ctr_flags *f,
		    struct rcr_error **err)
{
	int c, rc;

	*f = (struct ctr_flags){.pull = PULL_MISSING,
				.tls = TLS_VERIFY_DEFAULT,
				.read_only_tmpfs = -1,
				.stop_timeout = -1,
				.sig_proxy = true};
	opterr = 0;
	optind = 1;
	/* "+": options end at the image; what follows is the container's command. */
	while ((c = getopt_long(argc, argv, "+dite:u:w:h:m:l:qv:p:P", long_opts, NULL)) != -1) {
		if (c == 'H')
			return 1;
		if (c == '?' || c == ':')
			return cli_usage_error(cmd, argv[optind - 1], err);
		rc = switch_flag(c, f);
		if (rc == 1)
			rc = value_flag(c, f, err);
		if (rc == 1)
			rc = list_flag(c, f);
		if (rc != 0)
			return -1;
	}
	if (optind >= argc) {
		rcr_error_set(err, EINVAL,
			      "%s requires at least 1 arg(s), only received 0: give an "
			      "image",
			      cmd);
		return -1;
	}
	f->image = argv[optind];
	f->cmd = argv + optind + 1;
	return 0;
}

int ctr_flags_image(struct cli_store *cs, const struct ctr_flags *f, struct store_image_info *info,
		    struct rcr_error **err)
{
	char id[72];
	int rc = 0;

	if (f->pull != PULL_ALWAYS) {
		rc = img_lookup(cs->st, f->image, info, err);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	if (f->pull == PULL_NEVER) {
		rcr_error_set(err, ENOENT,
			      "%s: image not known (--pull never: pull it first with 'rcr pull')",
			      f->image);
		return -1;
	}
	if (cli_pull_for_run(cs, f->image, f->tls, f->authfile, f->quiet, id, err) < 0)
		return -1;
	rc = store_image_get(cs->st, id, info, err);
	if (rc == 0)
		rcr_error_set(err, ENOENT, "pulled image '%s' vanished from the store", id);
	return rc <= 0 ? -1 : 0;
}

void ctr_flags_to_opts(const struct ctr_flags *f, struct ctr_opts *o)
{
	*o = (struct ctr_opts){
		.cmd = f->cmd,
		.name = f->name,
		.entrypoint = f->entrypoint,
		.env = f->env,
		.env_files = f->env_files,
		.env_host = f->env_host,
		.user = f->user,
		.workdir = f->workdir,
		.hostname = f->hostname,
		.cap_add = f->cap_add,
		.cap_drop = f->cap_drop,
		.security_opts = f->security_opts,
		.ulimits = f->ulimits,
		.group_add = f->group_add,
		.labels = f->labels,
		.privileged = f->privileged,
		.read_only = f->read_only,
		.tty = f->tty,
		.interactive = f->interactive,
		.remove = f->remove,
		.init = f->init,
		.replace = f->replace,
		.read_only_tmpfs = f->read_only_tmpfs < 0 ? f->read_only : f->read_only_tmpfs,
		.tz = f->tz,
		.network = f->network,
		.log_driver = f->log_driver,
		.log_opts = f->log_opts,
		.stop_signal = f->stop_signal,
		.stop_timeout = f->stop_timeout,
		.memory = f->memory,
		.cpus = f->cpus,
		.pids_limit = f->pids_limit,
		.volumes = f->volumes,
		.mounts = f->mounts,
		.tmpfs = f->tmpfs,
		.publish = f->publish,
		.publish_all = f->publish_all,
		.dns = f->dns,
		.dns_search = f->dns_search,
		.dns_options = f->dns_options,
		.add_hosts = f->add_hosts,
		.mac_address = f->mac_address,
		.expose = f->expose,
		.no_hosts = f->no_hosts,
		.userns = f->userns,
		.uidmaps = f->uidmaps,
		.gidmaps = f->gidmaps,
	};
}
