/* `rcr import FILE|URL|- [REFERENCE]`: make a one-layer image from a root filesystem tarball,
 * as `podman import` does. Progress goes to stderr (nothing with -q), the new image's id
 * ("sha256:<hex>", as Podman prints it) to stdout. The work is in image/import.c.
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
#include "image/import.h"
#include "pkg/cleanup.h"
#include "runtime/host.h"

struct import_flags {
	char **changes; /* owned NULL-terminated */
	size_t n_changes;
	const char *message, *os, *arch, *variant;
	bool quiet;
};

static void print_help(void)
{
	printf("Usage: rcr import [options] PATH [REFERENCE]\n\n"
	       "Create a container image from the contents of a tarball (.tar, .tar.gz, .tgz,\n"
	       ".tar.zst, .tar.xz, .tar.bz2), a file, an http(s) URL or - for stdin.\n\n"
	       "Options:\n"
	       "  -c, --change INSTRUCTION   apply a Dockerfile instruction to the image config:\n"
	       "                             CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD |\n"
	       "                             STOPSIGNAL | USER | VOLUME | WORKDIR\n"
	       "      --arch string          architecture of the image (default: this machine's)\n"
	       "  -m, --message string       commit message of the image's history\n"
	       "      --os string            OS of the image (default linux)\n"
	       "  -q, --quiet                print only the image id\n"
	       "      --variant string       architecture variant of the image\n");
}

static int add_change(struct import_flags *f, const char *c, struct rcr_error **err)
{
	char **v = realloc(f->changes, (f->n_changes + 2) * sizeof(char *));

	if (v == NULL || (v[f->n_changes] = strdup(c)) == NULL) {
		if (v != NULL)
			f->changes = v;
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	v[++f->n_changes] = NULL;
	f->changes = v;
	return 0;
}

/* 0 to go on, 1 after --help, -1 on a bad flag. */
static int parse_flags(int argc, char **argv, struct import_flags *f, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"change", required_argument, NULL, 'c'},
		{"message", required_argument, NULL, 'm'},
		{"quiet", no_argument, NULL, 'q'},
		{"os", required_argument, NULL, 'O'},
		{"arch", required_argument, NULL, 'A'},
		{"variant", required_argument, NULL, 'V'},
		/* Podman's hidden flag: rcr has no signature policy to point at. */
		{"signature-policy", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:m:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (add_change(f, optarg, err) < 0)
				return -1;
			break;
		case 'm':
			f->message = optarg;
			break;
		case 'q':
			f->quiet = true;
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
		case 'S':
			break;
		case 'h':
			print_help();
			return 1;
		default:
			return cli_usage_error("import", argv[optind - 1], err);
		}
	}
	return 0;
}

/* Podman's header comes before the first progress line, so a failure before any work (a
 * missing file) prints only the error. */
struct import_progress {
	struct progress *p;
	bool quiet, started;
};

static void on_event(void *arg, enum pull_event ev, const char *detail)
{
	struct import_progress *ip = arg;

	if (!ip->quiet && !ip->started)
		fprintf(stderr, "Getting image source signatures\n");
	ip->started = true;
	progress_event(ip->p, ev, detail);
}

static int run_import(struct cli_global *g, const struct import_flags *f, const char *source,
		      const char *reference, struct rcr_error **err)
{
	struct utsname u;
	struct cli_store cs;
	struct import_opts o = {0};
	struct import_progress ip = {.quiet = f->quiet};
	char id[72];
	int rc;

	uname(&u);
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	o.store = cs.st;
	o.maps = &cs.maps;
	o.os = f->os ? f->os : "linux";
	o.arch = f->arch ? f->arch : rt_host_oci_arch(u.machine);
	o.variant = f->variant;
	o.changes = f->changes;
	o.message = f->message;
	o.reference = reference;
	o.on_event = on_event;
	o.event_arg = &ip;
	ip.p = progress_new(f->quiet);
	if (!f->quiet && img_import_is_url(source))
		fprintf(stderr, "Downloading from \"%s\"\n", source);
	rc = img_import(&o, source, id, err);
	progress_free(ip.p);
	cli_store_close(&cs);
	if (rc < 0)
		return -1;
	printf("%s\n", id);
	return 0;
}

int cmd_import(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct import_flags f = {0};
	int rc = parse_flags(argc, argv, &f, err);
	int nargs = argc - optind;

	if (rc == 0 && (nargs < 1 || nargs > 2)) {
		rcr_error_set(err, EINVAL, "accepts between 1 and 2 arg(s), received %d", nargs);
		rc = -1;
	}
	if (rc == 0)
		rc = run_import(g, &f, argv[optind], nargs == 2 ? argv[optind + 1] : NULL, err);
	strv_free(f.changes);
	return rc < 0 ? -1 : 0;
}
