/* `rcr volume create|ls|inspect|rm|prune|exists` as Podman has them: flags, filters, --format
 * and exit codes (1 for a volume that does not exist, 2 for one in use, 125 for rcr's own
 * failures). Parsing and printing only: the work is in container/volumes.c and the store.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/format.h"
#include "container/volumes.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"

#define MAX_ITEMS 64

/* Repeated "K=V" flags (--label, --opt, --filter), borrowed from argv. */
struct items {
	char *v[MAX_ITEMS + 1];
	size_t n;
};

static int push_item(struct items *it, char *v, const char *flag, struct rcr_error **err)
{
	if (it->n == MAX_ITEMS) {
		rcr_error_set(err, E2BIG, "too many %s options (at most %d)", flag, MAX_ITEMS);
		return -1;
	}
	it->v[it->n++] = v;
	return 0;
}

/* ---- create --------------------------------------------------------------------------------- */

static int cmd_volume_create(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"label", required_argument, NULL, 'l'},  {"opt", required_argument, NULL, 'o'},
		{"driver", required_argument, NULL, 'd'}, {"ignore", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	struct items labels = {0}, options = {0};
	_cleanup_free_ char *name = NULL;
	bool ignore = false;
	struct cli_store cs;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+l:o:d:h", opts, NULL)) != -1) {
		if (c == 'l' && push_item(&labels, optarg, "--label", err) < 0)
			return -1;
		if (c == 'o' && push_item(&options, optarg, "--opt", err) < 0)
			return -1;
		if (c == 'i')
			ignore = true;
		if (c == 'd' && strcmp(optarg, "local") != 0) {
			rcr_error_set(
				err, ENOTSUP,
				"volume driver '%s' is not supported: rcr has the local driver "
				"only",
				optarg);
			return -1;
		}
		if (c == 'h') {
			printf("Usage: rcr volume create [--label K=V]... [--opt nocopy] "
			       "[--ignore] "
			       "[NAME]\n");
			return 0;
		}
		if (c == '?' || c == ':')
			return cli_usage_error("volume create", argv[optind - 1], err);
	}
	if (argc - optind > 1) {
		rcr_error_set(err, EINVAL, "too many arguments, create takes at most 1 argument");
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	rc = ctr_volume_create(cs.st, optind < argc ? argv[optind] : NULL, labels.v, options.v,
			       ignore, &name, err);
	cli_store_close(&cs);
	if (rc < 0)
		return -1;
	printf("%s\n", name);
	return 0;
}

/* ---- filters -------------------------------------------------------------------------------- */

/* "label=K" or "label=K=V" against a volume's labels (JSON text). */
static bool label_match(const char *labels, const char *want)
{
	_cleanup_json_ json_t *o = json_loads(labels, 0, NULL);
	_cleanup_free_ char *key = strdup(want);
	char *eq = key ? strchr(key, '=') : NULL;
	json_t *v;

	if (key == NULL)
		return false;
	if (eq != NULL)
		*eq++ = '\0';
	v = json_object_get(o, key);
	return v != NULL &&
	       (eq == NULL || (json_is_string(v) && strcmp(json_string_value(v), eq) == 0));
}

/* name= is a regular expression searched in the name, as Podman's. */
static int name_match(const char *pattern, const char *name, bool *pass, struct rcr_error **err)
{
	regex_t re;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		rcr_error_set(err, EINVAL, "invalid filter name=%s: not a regular expression",
			      pattern);
		return -1;
	}
	*pass = regexec(&re, name, 0, NULL, 0) == 0;
	regfree(&re);
	return 0;
}

/* Does v pass filter "key=value"? keys is what this command allows. */
static int filter_one(struct store *st, const struct store_volume *v, const char *filter,
		      const char *keys, bool *pass, struct rcr_error **err)
{
	const char *eq = strchr(filter, '=');
	_cleanup_free_ char *key = eq ? strndup(filter, (size_t)(eq - filter)) : NULL;
	const char *val = eq ? eq + 1 : "";

	if (key == NULL || strstr(keys, key) == NULL || strchr(key, ',') != NULL) {
		rcr_error_set(err, EINVAL, "invalid filter \"%s\": use %s", filter, keys);
		return -1;
	}
	if (strcmp(key, "name") == 0)
		return name_match(val, v->name, pass, err);
	if (strcmp(key, "label") == 0) {
		*pass = label_match(v->labels, val);
	} else if (strcmp(key, "driver") == 0) {
		*pass = strcmp(val, "local") == 0;
	} else if (strcmp(key, "dangling") == 0) {
		_cleanup_strv_ char **users = NULL;

		if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0) {
			rcr_error_set(err, EINVAL, "invalid filter dangling=%s: use true or false",
				      val);
			return -1;
		}
		if (store_volume_users(st, v->name, &users, err) < 0)
			return -1;
		*pass = (users[0] == NULL) == (strcmp(val, "true") == 0);
	} else {
		rcr_error_set(err, EINVAL, "invalid filter \"%s\": use %s", filter, keys);
		return -1;
	}
	return 0;
}

/* Podman's rule: filters with the same key are alternatives, different keys must all hold. */
static int passes(struct store *st, const struct store_volume *v, const struct items *f,
		  const char *keys, bool *pass, struct rcr_error **err)
{
	*pass = true;
	for (size_t i = 0; i < f->n && *pass; i++) {
		size_t klen = strcspn(f->v[i], "=");
		bool any = false, seen_before = false;

		for (size_t k = 0; k < i; k++)
			seen_before |= strncmp(f->v[k], f->v[i], klen + 1) == 0;
		if (seen_before)
			continue;
		for (size_t k = i; k < f->n && !any; k++)
			if (strncmp(f->v[k], f->v[i], klen + 1) == 0 &&
			    filter_one(st, v, f->v[k], keys, &any, err) < 0)
				return -1;
		*pass = any;
	}
	return 0;
}

/* The volumes passing the filters, by name (*out owned). */
static int select_volumes(struct store *st, const struct items *f, const char *keys,
			  struct store_volume **out, size_t *n, struct rcr_error **err)
{
	size_t kept = 0;

	if (store_volume_list(st, out, n, err) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		bool pass;

		if (passes(st, &(*out)[i], f, keys, &pass, err) < 0) {
			store_volume_free(*out, *n);
			*out = NULL;
			return -1;
		}
		if (pass)
			(*out)[kept++] = (*out)[i];
		else
			store_volume_release(&(*out)[i]);
	}
	*n = kept;
	return 0;
}

/* ---- ls ------------------------------------------------------------------------------------- */

static int print_list(struct store *st, struct store_volume *v, size_t n, const char *format,
		      bool noheading, struct rcr_error **err)
{
	json_t *rows = json_array();
	json_t *head = json_pack("{s:s}", "Name", "VOLUME NAME");
	struct cli_format cf = {
		.format = format,
		.default_table = "table {{.Driver}}\t{{.Name}}",
		.headings = head,
		.noheading = noheading,
	};
	int rc;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, ctr_volume_json(st, &v[i]));
	rc = cli_print_rows(&cf, rows, NULL, err);
	json_decref(rows);
	json_decref(head);
	return rc;
}

static int cmd_volume_ls(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},	  {"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'}, {"noheading", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	struct items filters = {0};
	const char *format = NULL;
	bool quiet = false, noheading = false;
	struct store_volume *v = NULL;
	struct cli_store cs;
	size_t n = 0;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+qf:nh", opts, NULL)) != -1) {
		if (c == 'q')
			quiet = true;
		else if (c == 'n')
			noheading = true;
		else if (c == 'F')
			format = optarg;
		else if (c == 'f' && push_item(&filters, optarg, "--filter", err) < 0)
			return -1;
		else if (c == 'h') {
			printf("Usage: rcr volume ls [-q] [--filter "
			       "name=|label=|dangling=|driver=]... "
			       "[--format TEMPLATE|json] [--noheading]\n");
			return 0;
		} else if (c == '?' || c == ':')
			return cli_usage_error("volume ls", argv[optind - 1], err);
	}
	if (optind < argc)
		return cli_usage_error("volume ls", argv[optind], err);
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	rc = select_volumes(cs.st, &filters, "name=, label=, dangling= or driver=", &v, &n, err);
	if (rc == 0 && quiet)
		for (size_t i = 0; i < n; i++)
			printf("%s\n", v[i].name);
	else if (rc == 0)
		rc = print_list(cs.st, v, n, format, noheading, err);
	store_volume_free(v, n);
	cli_store_close(&cs);
	return rc;
}

/* ---- inspect, exists ------------------------------------------------------------------------ */

static int inspect_names(struct store *st, char **names, int n, json_t *docs,
			 struct rcr_error **missing, struct rcr_error **err)
{
	for (int i = 0; i < n; i++) {
		struct store_volume v = {0};
		int found = store_volume_get(st, names[i], &v, err);
		struct rcr_error *e = NULL;

		if (found < 0)
			return -1;
		if (found == 0) {
			rcr_error_set(&e, ENOENT, "no such volume %s", names[i]);
			rcr_error_join(missing, e);
			continue;
		}
		json_array_append_new(docs, ctr_volume_json(st, &v));
		store_volume_release(&v);
	}
	return 0;
}

static int cmd_volume_inspect(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	_cleanup_json_ json_t *docs = json_array();
	struct rcr_error *missing = NULL;
	const char *format = NULL;
	struct store_volume *all_v = NULL;
	struct cli_store cs;
	bool all = false;
	size_t n_all = 0;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:ah", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'a')
			all = true;
		else if (c == 'h') {
			printf("Usage: rcr volume inspect [--format TEMPLATE] [-a] NAME...\n");
			return 0;
		} else
			return cli_usage_error("volume inspect", argv[optind - 1], err);
	}
	if (optind >= argc && !all) {
		rcr_error_set(err, EINVAL, "provide one or more volume names or use --all");
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	if (all) {
		rc = store_volume_list(cs.st, &all_v, &n_all, err);
		for (size_t i = 0; rc == 0 && i < n_all; i++)
			json_array_append_new(docs, ctr_volume_json(cs.st, &all_v[i]));
		store_volume_free(all_v, n_all);
	} else {
		rc = inspect_names(cs.st, argv + optind, argc - optind, docs, &missing, err);
	}
	cli_store_close(&cs);
	if (rc == 0 && (json_array_size(docs) > 0 || missing == NULL))
		rc = cli_print_docs(format, docs, err);
	if (rc == 0 && missing != NULL) {
		/* Podman prints what it found, then the names it did not; exit 1 */
		rcr_error_join(err, missing);
		return 1;
	}
	rcr_error_free(missing);
	return rc;
}

static int cmd_volume_exists(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct store_volume v = {0};
	struct cli_store cs;
	int found;

	if (argc != 2) {
		rcr_error_set(err, EINVAL, "requires exactly 1 arg(s), received %d", argc - 1);
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	found = store_volume_get(cs.st, argv[1], &v, err);
	store_volume_release(&v);
	cli_store_close(&cs);
	return found < 0 ? -1 : found ? 0 : 1;
}

/* ---- rm, prune ------------------------------------------------------------------------------ */

/* Remove each name, printing it; failures are joined and the worst exit code kept (2 in use,
 * 1 unknown), as Podman. */
static int remove_names(struct store *st, char **names, size_t n, bool force, int *code,
			struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++) {
		struct rcr_error *e = NULL;

		if (ctr_volume_remove(st, names[i], force, &e) == 0) {
			printf("%s\n", names[i]);
			continue;
		}
		if (e->code == EBUSY)
			*code = 2;
		else if (e->code == ENOENT && *code != 2)
			*code = 1;
		else
			*code = *code ? *code : 125;
		rcr_error_join(err, e);
	}
	return 0;
}

static int cmd_volume_rm(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"all", no_argument, NULL, 'a'},
		{"time", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool force = false, all = false;
	struct store_volume *v = NULL;
	_cleanup_free_ char **names = NULL;
	struct cli_store cs;
	size_t n = 0;
	int c, code = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fat:h", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'a')
			all = true;
		else if (c == 'h') {
			printf("Usage: rcr volume rm [-f] [-a] NAME...\n");
			return 0;
		} else if (c != 't')
			return cli_usage_error("volume rm", argv[optind - 1], err);
	}
	if ((optind >= argc) == !all) {
		rcr_error_set(err, EINVAL, "choose either one or more volumes or all");
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	if (all && store_volume_list(cs.st, &v, &n, err) < 0) {
		cli_store_close(&cs);
		return -1;
	}
	names = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; names != NULL && i < n; i++)
		names[i] = v[i].name;
	if (names != NULL)
		remove_names(cs.st, all ? names : argv + optind, all ? n : (size_t)(argc - optind),
			     force, &code, err);
	store_volume_free(v, n);
	cli_store_close(&cs);
	if (names == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return code == 125 ? -1 : code;
}

static bool confirm_prune(struct store_volume *v, size_t n)
{
	char line[16] = "";

	printf("WARNING! This will remove all volumes not used by at least one container. The "
	       "following volumes will be removed:\n");
	for (size_t i = 0; i < n; i++)
		printf("%s\n", v[i].name);
	printf("Are you sure you want to continue? [y/N] ");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

static int cmd_volume_prune(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"filter", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct items filters = {0};
	struct store_volume *v = NULL;
	struct cli_store cs;
	bool force = false;
	size_t n = 0;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'F' && push_item(&filters, optarg, "--filter", err) < 0)
			return -1;
		else if (c == 'h') {
			printf("Usage: rcr volume prune [-f] [--filter label=K[=V]|name=RE]...\n");
			return 0;
		} else if (c != 'F')
			return cli_usage_error("volume prune", argv[optind - 1], err);
	}
	/* Only the unused ones: dangling=true, before the user's filters. */
	if (push_item(&filters, (char *)"dangling=true", "--filter", err) < 0 ||
	    cli_open_store(g, &cs, err) < 0)
		return -1;
	rc = select_volumes(cs.st, &filters, "label= or name=, dangling=", &v, &n, err);
	if (rc == 0 && n > 0 && (force || confirm_prune(v, n))) {
		for (size_t i = 0; i < n && rc == 0; i++) {
			/* a container that started to use it meanwhile keeps it (EBUSY) */
			struct rcr_error *e = NULL;

			if (store_volume_delete(cs.st, v[i].name, &e) == 0)
				printf("%s\n", v[i].name);
			else if (e->code == EBUSY || e->code == ENOENT)
				rcr_error_free(e);
			else
				rcr_error_join(err, e), rc = -1;
		}
	}
	store_volume_free(v, n);
	cli_store_close(&cs);
	return rc;
}

/* ---- the group ------------------------------------------------------------------------------ */

static const struct cli_command volume_commands[] = {
	{"create", cmd_volume_create, "Create a new volume"},
	{"exists", cmd_volume_exists, "Check if a volume exists"},
	{"inspect", cmd_volume_inspect, "Display detailed information on one or more volumes"},
	{"list", cmd_volume_ls, "List volumes"},
	{"ls", cmd_volume_ls, "List volumes"},
	{"prune", cmd_volume_prune, "Remove all unused volumes"},
	{"remove", cmd_volume_rm, "Remove one or more volumes"},
	{"rm", cmd_volume_rm, "Remove one or more volumes"},
	{NULL, NULL, NULL},
};

int cmd_volume(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return cli_dispatch("volume", volume_commands, g, argc - 1, argv + 1, err);
}
