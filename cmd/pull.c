/* `rcr pull`: fetch an image from a registry (or a local OCI layout or archive) into the store.
 * Progress goes to stderr, the image id to stdout (only it with -q), as Podman prints them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/progress.h"
#include "image/manifest.h"
#include "image/pull.h"
#include "image/transport.h"
#include "pkg/cleanup.h"
#include "runtime/host.h"

struct pull_flags {
	bool quiet, all_tags;
	const char *platform, *os, *arch, *variant;
	const char *authfile, *cert_dir, *creds;
	enum tls_verify tls;
};

static int parse_flags(int argc, char **argv, struct pull_flags *f, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"all-tags", no_argument, NULL, 'a'},
		{"platform", required_argument, NULL, 'P'},
		{"os", required_argument, NULL, 'O'},
		{"arch", required_argument, NULL, 'A'},
		{"variant", required_argument, NULL, 'V'},
		{"authfile", required_argument, NULL, 'f'},
		{"cert-dir", required_argument, NULL, 'c'},
		{"creds", required_argument, NULL, 'C'},
		{"tls-verify", optional_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+qah", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			f->quiet = true;
			break;
		case 'a':
			f->all_tags = true;
			break;
		case 'P':
			f->platform = optarg;
			break;
		case 'O':
			f->os = optarg;
			break;
		case 'A':
			f->arch = optarg;
			break;
		case 'V':
			f->variant = optarg;
			break;
		case 'f':
			f->authfile = optarg;
			break;
		case 'c':
			f->cert_dir = optarg;
			break;
		case 'C':
			f->creds = optarg;
			break;
		case 't':
			if (cli_parse_tls_verify(optarg, &f->tls, err) < 0)
				return -1;
			break;
		case 'h':
			printf("Usage: rcr pull [options] IMAGE [IMAGE...]\n\n"
			       "Pull images from a registry, an OCI layout (oci:DIR[:TAG]) or an "
			       "archive\n"
			       "(oci-archive:FILE[:TAG], docker-archive:FILE).\n\n"
			       "Options:\n"
			       "  -a, --all-tags          pull every tag of the repository\n"
			       "      --arch string       architecture to choose from an index\n"
			       "      --authfile string   path of the authentication file\n"
			       "      --cert-dir string   directory of TLS certificates (*.crt)\n"
			       "      --creds string      USERNAME[:PASSWORD] for the registry\n"
			       "      --os string         OS to choose from an index\n"
			       "      --platform string   OS/ARCH[/VARIANT] to choose from an "
			       "index\n"
			       "  -q, --quiet             print only the image id\n"
			       "      --tls-verify        require HTTPS and verify certificates "
			       "(default true)\n"
			       "      --variant string    architecture variant\n");
			return 1;
		default:
			return cli_usage_error("pull", argv[optind - 1], err);
		}
	}
	return 0;
}

/* --creds USER[:PASS]; without a password it is an error (no prompt in scripts). */
static int parse_creds(const char *s, struct auth_creds *cr, struct rcr_error **err)
{
	const char *colon = strchr(s, ':');

	if (colon == NULL || colon == s) {
		rcr_error_set(err, EINVAL, "--creds must be USERNAME:PASSWORD");
		return -1;
	}
	cr->username = strndup(s, (size_t)(colon - s));
	cr->password = strdup(colon + 1);
	return cr->username && cr->password ? 0 : -1;
}

/* The platform wanted: --platform, else --os/--arch/--variant over this host's. */
static int choose_platform(const struct pull_flags *f, struct platform *p, struct rcr_error **err)
{
	struct utsname u;

	if (f->platform != NULL)
		return platform_parse(f->platform, p, err);
	uname(&u);
	p->os = strdup(f->os ? f->os : "linux");
	p->arch = strdup(f->arch ? f->arch : rt_host_oci_arch(u.machine));
	p->variant = f->variant ? strdup(f->variant) : NULL;
	if (p->os == NULL || p->arch == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (f->arch != NULL) {
		/* "x86_64" and friends, as --platform accepts them. */
		_cleanup_free_ char *spec = NULL;

		platform_release(p);
		if (asprintf(&spec, "%s/%s%s%s", f->os ? f->os : "linux", f->arch,
			     f->variant ? "/" : "", f->variant ? f->variant : "") < 0)
			return -1;
		return platform_parse(spec, p, err);
	}
	return 0;
}

static int pull_one(const struct pull_opts *o, const char *name, struct rcr_error **err)
{
	char id[72];
	int rc;

	if (img_transport_check(name, err) < 0)
		return -1;
	if (img_transport_is_local(name))
		rc = img_pull_local(o, name, id, err);
	else
		rc = img_pull(o, strncmp(name, "docker://", 9) == 0 ? name + 9 : name, id, err);
	if (rc < 0)
		return -1;
	printf("%s\n", strchr(id, ':') ? strchr(id, ':') + 1 : id);
	fflush(stdout);
	return 0;
}

static int pull_all_tags(const struct pull_opts *o, const char *name, struct rcr_error **err)
{
	_cleanup_free_ char *repo = NULL;
	_cleanup_strv_ char **tags = NULL;
	const char *at = strrchr(name, '/');

	if (strchr(at ? at : name, ':') != NULL || strchr(name, '@') != NULL) {
		rcr_error_set(err, EINVAL,
			      "tag or digest can't be used with --all-tags: give just the "
			      "repository (%s)",
			      name);
		return -1;
	}
	if (img_list_tags(o, name, &repo, &tags, err) < 0)
		return -1;
	for (size_t i = 0; tags[i] != NULL; i++) {
		_cleanup_free_ char *one = NULL;

		if (asprintf(&one, "%s:%s", repo, tags[i]) < 0 || pull_one(o, one, err) < 0)
			return -1;
	}
	return 0;
}

static int run_pulls(struct cli_global *g, struct pull_flags *f, int argc, char **argv,
		     struct rcr_error **err)
{
	_cleanup_strv_ char **files = cli_auth_files(f->authfile);
	struct reg_conf conf;
	struct auth_creds cr = {0};
	struct platform plat = {0};
	struct cli_store cs;
	struct pull_opts o = {0};
	int rc = -1;

	if (cli_load_registries(&conf, err) < 0)
		return -1;
	if ((f->creds == NULL || parse_creds(f->creds, &cr, err) == 0) &&
	    choose_platform(f, &plat, err) == 0 && cli_open_store(g, &cs, err) == 0) {
		o.store = cs.st;
		o.conf = &conf;
		o.auth_files = files;
		o.creds = f->creds ? &cr : NULL;
		o.cert_dir = f->cert_dir;
		o.tls_verify = f->tls == TLS_VERIFY_DEFAULT ? -1 : f->tls == TLS_VERIFY_TRUE;
		o.os = plat.os;
		o.arch = plat.arch;
		o.variant = plat.variant;
		o.maps = &cs.maps;
		o.on_event = progress_event;
		o.on_progress = progress_bytes;
		o.event_arg = progress_new(f->quiet);
		rc = 0;
		for (int i = 0; i < argc && rc == 0; i++)
			rc = f->all_tags ? pull_all_tags(&o, argv[i], err)
					 : pull_one(&o, argv[i], err);
		progress_free(o.event_arg);
		cli_store_close(&cs);
	}
	platform_release(&plat);
	auth_creds_release(&cr);
	reg_conf_release(&conf);
	return rc;
}

int cli_pull_for_run(struct cli_store *cs, const char *name, enum tls_verify tls,
		     const char *authfile, bool quiet, char id[72], struct rcr_error **err)
{
	_cleanup_strv_ char **files = cli_auth_files(authfile);
	struct reg_conf conf;
	struct pull_opts o = {0};
	int rc;

	if (img_transport_check(name, err) < 0 || cli_load_registries(&conf, err) < 0)
		return -1;
	o.store = cs->st;
	o.conf = &conf;
	o.auth_files = files;
	o.tls_verify = tls == TLS_VERIFY_DEFAULT ? -1 : tls == TLS_VERIFY_TRUE;
	o.maps = &cs->maps;
	o.on_event = progress_event;
	o.on_progress = progress_bytes;
	o.event_arg = progress_new(quiet);
	if (img_transport_is_local(name))
		rc = img_pull_local(&o, name, id, err);
	else
		rc = img_pull(&o, strncmp(name, "docker://", 9) == 0 ? name + 9 : name, id, err);
	progress_free(o.event_arg);
	reg_conf_release(&conf);
	return rc;
}

int cmd_pull(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct pull_flags f = {.tls = TLS_VERIFY_DEFAULT};
	int rc = parse_flags(argc, argv, &f, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (optind >= argc) {
		rcr_error_set(err, EINVAL, "requires at least 1 arg(s), only received 0");
		return -1;
	}
	return run_pulls(g, &f, argc - optind, argv + optind, err) < 0 ? -1 : 0;
}
