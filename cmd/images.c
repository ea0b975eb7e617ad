/* `rcr images` (`rcr image ls`): the stored images, one row per name, newest first, with
 * Podman's columns, filters and --format fields.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/format.h"
#include "image/lookup.h"
#include "pkg/cleanup.h"
#include "pkg/humanize.h"

#define MAX_FILTERS 32

struct images_flags {
	bool all, quiet, digests, no_trunc, noheading;
	const char *format;
	const char *filters[MAX_FILTERS];
	size_t n_filters;
};

/* One image with what the rows and filters need. */
struct entry {
	struct store_image_info *info;
	long long created; /* unix seconds (the added time when the config has none) */
	json_t *labels;	   /* owned object or NULL */
};

static int parse_flags(int argc, char **argv, struct images_flags *f, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"quiet", no_argument, NULL, 'q'},
		{"digests", no_argument, NULL, 'd'},
		{"no-trunc", no_argument, NULL, 'T'},
		{"noheading", no_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'F'},
		{"filter", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+aqnf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			f->all = true;
			break;
		case 'q':
			f->quiet = true;
			break;
		case 'd':
			f->digests = true;
			break;
		case 'T':
			f->no_trunc = true;
			break;
		case 'n':
			f->noheading = true;
			break;
		case 'F':
			f->format = optarg;
			break;
		case 'f':
			if (f->n_filters == MAX_FILTERS) {
				rcr_error_set(err, E2BIG, "too many --filter options");
				return -1;
			}
			f->filters[f->n_filters++] = optarg;
			break;
		case 'h':
			printf("Usage: rcr images [options] [REFERENCE]\n\nList images in the "
			       "store.\n\n"
			       "Options:\n"
			       "  -a, --all             show all images\n"
			       "      --digests         show digests\n"
			       "  -f, --filter filter   reference=, dangling=, label=, before=, "
			       "since=\n"
			       "      --format string   Go template, or json\n"
			       "  -n, --noheading       no header line\n"
			       "      --no-trunc        full image ids\n"
			       "  -q, --quiet           only image ids\n");
			return 1;
		default:
			return cli_usage_error("images", argv[optind - 1], err);
		}
	}
	return 0;
}

/* "repo:tag" -> repo and tag (the tag after the last ':' not followed by '/'). */
static void split_name(const char *name, char **repo, char **tag)
{
	const char *colon = strrchr(name, ':');

	if (colon == NULL || strchr(colon, '/') != NULL) {
		*repo = strdup(name);
		*tag = strdup("<none>");
		return;
	}
	*repo = strndup(name, (size_t)(colon - name));
	*tag = strdup(colon + 1);
}

static bool ref_matches(const char *pattern, const char *name)
{
	_cleanup_free_ char *repo = NULL;
	_cleanup_free_ char *tag = NULL;
	const char *candidates[6];
	size_t n = 0;

	split_name(name, &repo, &tag);
	if (repo == NULL || tag == NULL)
		return false;
	candidates[n++] = name;
	candidates[n++] = repo;
	/* Without the registry, and without docker.io's "library/": what people type. */
	if (strchr(name, '/') != NULL) {
		candidates[n++] = strchr(name, '/') + 1;
		candidates[n++] = strchr(repo, '/') + 1;
	}
	if (strncmp(name, "docker.io/library/", 18) == 0) {
		candidates[n++] = name + 18;
		candidates[n++] = repo + 18;
	}
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pattern, candidates[i], 0) == 0)
			return true;
	return false;
}

struct filter_ctx {
	struct store *st;
	struct entry *v;
	size_t n;
};

/* The created time of the image named by a before=/since= filter. */
static int created_of(struct filter_ctx *fc, const char *name, long long *out,
		      struct rcr_error **err)
{
	struct store_image_info info;
	int rc = img_lookup(fc->st, name, &info, err);

	if (rc == 0)
		rcr_error_set(err, ENOENT, "image %s in the filter was not found", name);
	if (rc <= 0)
		return -1;
	*out = -1;
	for (size_t i = 0; i < fc->n; i++)
		if (strcmp(fc->v[i].info->id, info.id) == 0)
			*out = fc->v[i].created;
	store_image_info_release(&info);
	return 0;
}

static bool label_matches(const struct entry *e, const char *want)
{
	_cleanup_free_ char *key = strdup(want);
	char *eq = key ? strchr(key, '=') : NULL;
	json_t *v;

	if (key == NULL || e->labels == NULL)
		return false;
	if (eq != NULL)
		*eq = '\0';
	v = json_object_get(e->labels, key);
	if (v == NULL)
		return false;
	return eq == NULL || (json_is_string(v) && strcmp(json_string_value(v), eq + 1) == 0);
}

/* Does entry e pass filter "key=value"? One image passes when every filter passes; several
 * values of one key are not combined (rare in practice). */
static int filter_one(struct filter_ctx *fc, const struct entry *e, const char *filter, bool *pass,
		      struct rcr_error **err)
{
	const char *eq = strchr(filter, '=');
	const char *val = eq ? eq + 1 : "";
	size_t klen = eq ? (size_t)(eq - filter) : strlen(filter);
	long long t;

	if (klen == 9 && strncmp(filter, "reference", 9) == 0) {
		*pass = false;
		for (size_t i = 0; i < e->info->n_names && !*pass; i++)
			*pass = ref_matches(val, e->info->names[i]);
	} else if (klen == 8 && strncmp(filter, "dangling", 8) == 0) {
		if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0) {
			rcr_error_set(err, EINVAL, "invalid filter dangling=%s: use true or false",
				      val);
			return -1;
		}
		*pass = (e->info->n_names == 0) == (strcmp(val, "true") == 0);
	} else if (klen == 5 && strncmp(filter, "label", 5) == 0) {
		*pass = label_matches(e, val);
	} else if ((klen == 6 && strncmp(filter, "before", 6) == 0) ||
		   (klen == 5 && strncmp(filter, "since", 5) == 0)) {
		if (created_of(fc, val, &t, err) < 0)
			return -1;
		*pass = filter[0] == 'b' ? e->created < t : e->created > t;
	} else {
		rcr_error_set(
			err, EINVAL,
			"invalid filter \"%s\": use reference=, dangling=, label=, before= or "
			"since=",
			filter);
		return -1;
	}
	return 0;
}

static int passes(struct filter_ctx *fc, const struct images_flags *f, const struct entry *e,
		  bool *pass, struct rcr_error **err)
{
	*pass = true;
	for (size_t i = 0; i < f->n_filters && *pass; i++)
		if (filter_one(fc, e, f->filters[i], pass, err) < 0)
			return -1;
	return 0;
}

static json_t *strv_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Podman's --format json entry. */
static json_t *summary_json(const struct entry *e)
{
	const char *hex = strchr(e->info->id, ':') + 1;
	char at[64];
	time_t t = (time_t)e->created;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack(
		"{s:s, s:s, s:o, s:o, s:I, s:i, s:I, s:O, s:i, s:o, s:s?, s:o, s:I, s:s}", "Id",
		hex, "ParentId", "", "RepoTags", strv_json(e->info->names, e->info->n_names),
		"RepoDigests", strv_json(e->info->digests, e->info->n_digests), "Size",
		(json_int_t)e->info->size, "SharedSize", 0, "VirtualSize",
		(json_int_t)e->info->size, "Labels", e->labels ? e->labels : json_null(),
		"Containers", 0, "Names", strv_json(e->info->names, e->info->n_names), "Digest",
		e->info->manifest_digest, "History", strv_json(e->info->names, e->info->n_names),
		"Created", (json_int_t)e->created, "CreatedAt", at);
}

/* The template row for one (image, name) pair: Podman's field names. */
static json_t *row_json(const struct images_flags *f, const struct entry *e, const char *name)
{
	_cleanup_free_ char *repo = NULL;
	_cleanup_free_ char *tag = NULL;
	const char *hex = strchr(e->info->id, ':') + 1;
	char since[64], at[64], size[32];
	_cleanup_free_ char *ago = NULL;
	char id[80];

	if (name != NULL) {
		split_name(name, &repo, &tag);
	} else {
		repo = strdup("<none>");
		tag = strdup("<none>");
	}
	humanize_duration((long long)time(NULL) - e->created, since, sizeof(since));
	humanize_go_time(e->created, at, sizeof(at));
	humanize_size((double)e->info->size, size, sizeof(size));
	snprintf(id, sizeof(id), "%s", f->no_trunc ? e->info->id : hex);
	if (!f->no_trunc)
		id[12] = '\0';
	if (repo == NULL || tag == NULL || asprintf(&ago, "%s ago", since) < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:o, s:O, "
			 "s:b, s:b, s:i}",
			 "ID", id, "Id", hex, "Repository", repo, "Tag", tag, "Digest",
			 e->info->manifest_digest ? e->info->manifest_digest : "", "CreatedSince",
			 ago, "CreatedAt", at, "Created", (json_int_t)e->created, "Size", size,
			 "VirtualSize", size, "RawSize", (json_int_t)e->info->size, "Names",
			 strv_json(e->info->names, e->info->n_names), "RepoDigests",
			 strv_json(e->info->digests, e->info->n_digests), "Labels",
			 e->labels ? e->labels : json_null(), "Dangling", e->info->n_names == 0,
			 "ReadOnly", 0, "Containers", 0);
}

static int cmp_created(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return (x->created < y->created) - (x->created > y->created);
}

static bool needs_labels(const struct images_flags *f)
{
	if (f->format != NULL && (strcmp(f->format, "json") == 0 || strstr(f->format, "Labels")))
		return true;
	for (size_t i = 0; i < f->n_filters; i++)
		if (strncmp(f->filters[i], "label", 5) == 0)
			return true;
	return false;
}

static void load_entry(struct store *st, bool labels, struct store_image_info *info,
		       struct entry *e)
{
	e->info = info;
	e->created = humanize_parse_rfc3339(info->created);
	if (e->created < 0)
		e->created = info->added;
	if (labels) {
		_cleanup_free_ char *cfg = NULL;
		size_t len = 0;
		json_t *doc;

		if (store_image_read(st, info->id, "config", &cfg, &len, NULL) < 0)
			return;
		doc = json_loadb(cfg, len, 0, NULL);
		e->labels = json_incref(json_object_get(json_object_get(doc, "config"), "Labels"));
		if (e->labels != NULL && !json_is_object(e->labels)) {
			json_decref(e->labels);
			e->labels = NULL;
		}
		json_decref(doc);
	}
}

static int print_quiet(const struct entry *v, size_t n, bool no_trunc)
{
	for (size_t i = 0; i < n; i++) {
		const char *hex = strchr(v[i].info->id, ':') + 1;

		if (no_trunc)
			printf("%s\n", v[i].info->id);
		else
			printf("%.12s\n", hex);
	}
	return 0;
}

static int print_rows(const struct images_flags *f, struct entry *v, size_t n,
		      struct rcr_error **err)
{
	json_t *rows = json_array(), *summaries = json_array();
	json_t *head = json_pack("{s:s, s:s, s:s, s:s}", "ID", "IMAGE ID", "CreatedSince",
				 "CREATED", "CreatedAt", "CREATED AT", "RawSize", "SIZE");
	struct cli_format cf = {
		.format = f->format,
		.default_table = f->digests
					 ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}"
					   "\t{{.CreatedSince}}\t{{.Size}}"
					 : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
					   "{{.CreatedSince}}\t{{.Size}}",
		.headings = head,
		.noheading = f->noheading,
	};
	int rc;

	for (size_t i = 0; i < n; i++) {
		json_array_append_new(summaries, summary_json(&v[i]));
		if (v[i].info->n_names == 0)
			json_array_append_new(rows, row_json(f, &v[i], NULL));
		for (size_t k = 0; k < v[i].info->n_names; k++)
			json_array_append_new(rows, row_json(f, &v[i], v[i].info->names[k]));
	}
	rc = cli_print_rows(&cf, rows, summaries, err);
	json_decref(rows);
	json_decref(summaries);
	json_decref(head);
	return rc;
}

/* Keep the entries that pass the filters (and the REFERENCE argument), in place. */
static int select_entries(struct store *st, const struct images_flags *f, const char *ref,
			  struct entry *v, size_t *n, struct rcr_error **err)
{
	struct filter_ctx fc = {st, v, *n};
	size_t kept = 0;

	for (size_t i = 0; i < *n; i++) {
		bool pass = true;

		if (passes(&fc, f, &v[i], &pass, err) < 0)
			return -1;
		if (pass && ref != NULL) {
			pass = false;
			for (size_t k = 0; k < v[i].info->n_names && !pass; k++)
				pass = ref_matches(ref, v[i].info->names[k]);
		}
		if (pass)
			v[kept++] = v[i];
		else
			json_decref(v[i].labels);
	}
	*n = kept;
	return 0;
}

static int list(struct store *st, const struct images_flags *f, const char *ref,
		struct rcr_error **err)
{
	struct store_image_info *infos = NULL;
	size_t n = 0;
	struct entry *v;
	int rc = -1;

	if (store_image_list(st, &infos, &n, err) < 0)
		return -1;
	v = calloc(n + 1, sizeof(*v));
	if (v != NULL) {
		size_t kept = n;

		for (size_t i = 0; i < n; i++)
			load_entry(st, needs_labels(f), &infos[i], &v[i]);
		qsort(v, n, sizeof(*v), cmp_created);
		if (select_entries(st, f, ref, v, &kept, err) == 0)
			rc = f->quiet ? print_quiet(v, kept, f->no_trunc)
				      : print_rows(f, v, kept, err);
		for (size_t i = 0; i < kept; i++)
			json_decref(v[i].labels);
		free(v);
	}
	store_image_info_free(infos, n);
	return rc;
}

int cmd_images(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct images_flags f = {0};
	struct cli_store cs;
	int rc = parse_flags(argc, argv, &f, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (argc - optind > 1) {
		rcr_error_set(err, EINVAL, "accepts at most 1 arg(s), received %d", argc - optind);
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	rc = list(cs.st, &f, optind < argc ? argv[optind] : NULL, err);
	cli_store_close(&cs);
	return rc < 0 ? -1 : 0;
}
