/* `rcr ps` (`rcr container ls`): containers with Podman's columns, -a -q -l -n --no-trunc
 * --noheading, --filter status=,name=,id=,label=,ancestor=,exited= and --format.
 *
 * Must stay fast with many containers: one store listing, and per container only its two small
 * state files and a /proc lookup; the stored config is parsed only for labels or json.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "cmd/format.h"
#include "container/network.h"
#include "pkg/cleanup.h"
#include "pkg/humanize.h"

#define MAX_FILTERS 32

struct ps_flags {
	bool all, quiet, latest, no_trunc, noheading;
	long last;
	const char *format;
	const char *filters[MAX_FILTERS];
	size_t n_filters;
};

struct entry {
	struct store_container *row;
	struct ctr_state st;
	json_t *labels;	    /* owned, or NULL */
	char *ports;	    /* owned: the PORTS column ("" when none published) */
	json_t *ports_json; /* owned: Podman's JSON "Ports" array, or NULL */
};

static int parse_flags(int argc, char **argv, struct ps_flags *f, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"quiet", no_argument, NULL, 'q'},
		{"latest", no_argument, NULL, 'l'},
		{"last", required_argument, NULL, 'n'},
		{"no-trunc", no_argument, NULL, 'T'},
		{"noheading", no_argument, NULL, 'N'},
		{"format", required_argument, NULL, 'F'},
		{"filter", required_argument, NULL, 'f'},
		{"size", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	f->last = -1;
	while ((c = getopt_long(argc, argv, "+aqln:f:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			f->all = true;
			break;
		case 'q':
			f->quiet = true;
			break;
		case 'l':
			f->latest = true;
			break;
		case 'n':
			f->last = strtol(optarg, NULL, 10);
			break;
		case 'T':
			f->no_trunc = true;
			break;
		case 'N':
			f->noheading = true;
			break;
		case 'F':
			f->format = optarg;
			break;
		case 's':
			break;
		case 'f':
			if (f->n_filters == MAX_FILTERS || strchr(optarg, '=') == NULL) {
				rcr_error_set(
					err, EINVAL,
					"invalid filter '%s': use KEY=VALUE with status, name, "
					"id, label, ancestor or exited",
					optarg);
				return -1;
			}
			f->filters[f->n_filters++] = optarg;
			break;
		case 'h':
			printf("Usage: rcr ps [options]\n\nList containers (running ones; -a for "
			       "all).\n");
			return 1;
		default:
			return cli_usage_error("ps", argv[optind - 1], err);
		}
	}
	return 0;
}

/* ---- filters ----------------------------------------------------------------------------------
 */

static bool regex_match(const char *pattern, const char *s)
{
	regex_t re;
	bool ok;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return strcmp(pattern, s) == 0;
	ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static bool label_match(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *key = eq ? strndup(want, (size_t)(eq - want)) : strdup(want);
	json_t *v = json_object_get(labels, key);

	if (v == NULL)
		return false;
	return eq == NULL || (json_is_string(v) && strcmp(json_string_value(v), eq + 1) == 0);
}

static bool ancestor_match(const struct store_container *r, const char *want)
{
	const char *hex = strchr(r->image_id, ':') ? strchr(r->image_id, ':') + 1 : r->image_id;
	size_t n = strlen(want);

	if (strncmp(hex, want, n) == 0 || strcmp(r->image_id, want) == 0)
		return true;
	if (r->image_name == NULL)
		return false;
	/* "busybox" matches "docker.io/library/busybox:latest", "bb:1" ".../bb:1" */
	return strcmp(r->image_name, want) == 0 || regex_match(want, r->image_name);
}

static bool passes_one(const struct entry *e, const char *filter)
{
	const char *v = strchr(filter, '=') + 1;
	size_t klen = (size_t)(v - 1 - filter);

	if (strncmp(filter, "status", klen) == 0)
		return strcmp(ctr_status_name(e->st.status), v) == 0;
	if (strncmp(filter, "name", klen) == 0)
		return regex_match(v, e->row->name);
	if (strncmp(filter, "id", klen) == 0)
		return strncmp(e->row->id, v, strlen(v)) == 0;
	if (strncmp(filter, "label", klen) == 0)
		return label_match(e->labels, v);
	if (strncmp(filter, "ancestor", klen) == 0)
		return ancestor_match(e->row, v);
	if (strncmp(filter, "exited", klen) == 0)
		return e->st.status == CTR_EXITED && e->st.has_exit &&
		       e->st.exit.exit_code == (int)strtol(v, NULL, 10);
	return false;
}

static int check_filters(const struct ps_flags *f, struct rcr_error **err)
{
	static const char *const keys[] = {"status", "name", "id", "label", "ancestor", "exited"};

	for (size_t i = 0; i < f->n_filters; i++) {
		size_t klen = (size_t)(strchr(f->filters[i], '=') - f->filters[i]);
		bool known = false;

		for (size_t k = 0; k < 6; k++)
			known |= strlen(keys[k]) == klen &&
				 strncmp(keys[k], f->filters[i], klen) == 0;
		if (!known) {
			rcr_error_set(
				err, EINVAL,
				"invalid filter '%s': use status, name, id, label, ancestor or "
				"exited",
				f->filters[i]);
			return -1;
		}
	}
	return 0;
}

/* Podman: filters of the same key are ORed, different keys ANDed. */
static bool passes(const struct ps_flags *f, const struct entry *e)
{
	for (size_t i = 0; i < f->n_filters; i++) {
		size_t klen = (size_t)(strchr(f->filters[i], '=') - f->filters[i]);
		bool any = false;

		for (size_t k = 0; k < f->n_filters; k++)
			if (strncmp(f->filters[k], f->filters[i], klen + 1) == 0)
				any |= passes_one(e, f->filters[k]);
		if (!any)
			return false;
	}
	return f->all || f->n_filters > 0 || e->st.status == CTR_RUNNING;
}

/* ---- rows
 * ---------------------------------------------------------------------------------------- */

static void status_text(const struct entry *e, long long now, char *out, size_t len)
{
	char d[64];

	switch (e->st.status) {
	case CTR_RUNNING:
		humanize_duration(now - e->st.run.started_ns / 1000000000LL, d, sizeof(d));
		snprintf(out, len, "Up %s ago", d); /* Podman 4 says "ago" here too */
		break;
	case CTR_EXITED:
		humanize_duration(
			now - (e->st.has_exit ? e->st.exit.finished_ns / 1000000000LL : now), d,
			sizeof(d));
		snprintf(out, len, "Exited (%d) %s ago", e->st.has_exit ? e->st.exit.exit_code : -1,
			 d);
		break;
	default:
		snprintf(out, len, "%s", e->st.status == CTR_CREATED ? "Created" : "Removing");
	}
}

static json_t *row_json(const struct ps_flags *f, const struct entry *e, long long now)
{
	const struct store_container *r = e->row;
	char status[96], since[64], ago[80], at[64];
	long long created = r->created / 1000000000LL;
	json_t *names = json_pack("[s]", r->name);

	status_text(e, now, status, sizeof(status));
	humanize_duration(now - created, since, sizeof(since));
	snprintf(ago, sizeof(ago), "%s ago", since);
	humanize_go_time(created, at, sizeof(at));
	return json_pack(
		"{s:s#,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:O,s:i,s:b,s:i,"
		"s:s}",
		"ID", r->id, f->no_trunc ? 64 : 12, "Id", r->id, "Image",
		r->image_name ? r->image_name : r->image_id, "ImageID", r->image_id, "Command",
		r->command ? r->command : "", "Created", (json_int_t)created, "CreatedAt", at,
		"CreatedHuman", ago, "RunningFor", ago, "Names", r->name, "NamesList", names,
		"Status", status, "State", ctr_status_name(e->st.status), "Labels",
		e->labels ? e->labels : json_null(), "ExitCode",
		e->st.has_exit ? e->st.exit.exit_code : 0, "Exited", e->st.status == CTR_EXITED,
		"Pid", e->st.status == CTR_RUNNING ? (int)e->st.run.pid : 0, "Ports",
		e->ports ? e->ports : "");
}

/* What `--format json` prints: Podman's shapes (Names and Command as arrays). */
static json_t *summary_json(json_t *row, const struct entry *e)
{
	json_t *s = json_deep_copy(row);

	json_object_set_new(s, "Ports", e->ports_json ? json_incref(e->ports_json) : json_null());
	json_object_set(s, "Names", json_object_get(row, "NamesList"));
	json_object_del(s, "NamesList");
	json_object_set(s, "Id", json_object_get(row, "Id"));
	return s;
}

static int print(const struct ps_flags *f, struct entry *v, size_t n, struct rcr_error **err)
{
	json_t *rows = json_array(), *sums = json_array();
	json_t *head =
		json_pack("{s:s,s:s,s:s,s:s,s:s}", "ID", "CONTAINER ID", "RunningFor", "CREATED",
			  "CreatedHuman", "CREATED", "Names", "NAMES", "CreatedAt", "CREATED AT");
	struct cli_format cf = {
		.format = f->format,
		.default_table = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t"
				 "{{.Status}}\t{{.Ports}}\t{{.Names}}",
		.headings = head,
		.noheading = f->noheading,
	};
	long long now = time(NULL);
	int rc;

	bool json = f->format != NULL && strcmp(f->format, "json") == 0;

	for (size_t i = 0; i < n; i++) {
		json_t *row = row_json(f, &v[i], now);

		/* Podman's JSON shape is only needed for --format json */
		if (json)
			json_array_append_new(sums, summary_json(row, &v[i]));
		json_array_append_new(rows, row);
	}
	rc = cli_print_rows(&cf, rows, json ? sums : NULL, err);
	json_decref(rows);
	json_decref(sums);
	json_decref(head);
	return rc;
}

static bool needs_labels(const struct ps_flags *f)
{
	if (f->format != NULL && (strcmp(f->format, "json") == 0 || strstr(f->format, "Labels")))
		return true;
	for (size_t i = 0; i < f->n_filters; i++)
		if (strncmp(f->filters[i], "label=", 6) == 0)
			return true;
	return false;
}

/* Published ports are in the spec inside the row's config: parsed only for rows that have
 * any (most have none, and ps must stay cheap with many containers). */
static char *load_ports(const struct ps_flags *f, const struct store_container *row,
			json_t **as_json)
{
	json_t *cfg, *ports, *v;
	char **strv;
	char *text;
	size_t i;

	if ((f->format != NULL && strcmp(f->format, "json") != 0 && !strstr(f->format, "Ports")) ||
	    row->config == NULL || strstr(row->config, "\"ports\"") == NULL)
		return NULL;
	cfg = json_loads(row->config, 0, NULL);
	ports = json_object_get(json_object_get(cfg, "spec"), "ports");
	strv = calloc(json_array_size(ports) + 1, sizeof(char *));
	json_array_foreach (ports, i, v)
		if (strv != NULL)
			strv[i] = (char *)json_string_value(v);
	text = strv ? ctr_ports_summary(strv) : NULL;
	if (strv != NULL && f->format != NULL && strcmp(f->format, "json") == 0)
		*as_json = ctr_ports_podman_json(strv);
	free(strv);
	json_decref(cfg);
	return text;
}

static void load(struct store *st, const struct ps_flags *f, struct store_container *row,
		 struct entry *e)
{
	_cleanup_free_ char *ud = ctr_userdata(st, row->id);

	e->row = row;
	ctr_state_get(ud, row->state, &e->st);
	e->labels = NULL;
	if (needs_labels(f)) {
		json_t *cfg = json_loads(row->config, 0, NULL);

		e->labels = json_incref(json_object_get(cfg, "labels"));
		json_decref(cfg);
	}
	e->ports_json = NULL;
	e->ports = load_ports(f, row, &e->ports_json);
}

static void entry_release(struct entry *e)
{
	json_decref(e->labels);
	json_decref(e->ports_json);
	free(e->ports);
	e->labels = NULL;
	e->ports = NULL;
}

static int list(struct store *st, const struct ps_flags *f, struct rcr_error **err)
{
	struct store_container *rows = NULL;
	size_t n = 0, kept = 0;
	struct entry *v;
	int rc = -1;

	if (store_container_list(st, &rows, &n, err) < 0)
		return -1;
	v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v != NULL && i < n; i++) {
		load(st, f, &rows[i], &v[kept]);
		if (passes(f, &v[kept]))
			kept++;
		else
			entry_release(&v[kept]);
	}
	if (v != NULL) {
		size_t loaded = kept;

		/* newest first: -l keeps one, -n N keeps N */
		if (f->latest && kept > 1)
			kept = 1;
		if (f->last >= 0 && (size_t)f->last < kept)
			kept = (size_t)f->last;
		if (f->quiet) {
			for (size_t i = 0; i < kept; i++)
				printf("%.*s\n", f->no_trunc ? 64 : 12, v[i].row->id);
			rc = 0;
		} else {
			rc = print(f, v, kept, err);
		}
		for (size_t i = 0; i < loaded; i++)
			entry_release(&v[i]);
		free(v);
	}
	store_container_free(rows, n);
	return rc;
}

int cmd_ps(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct ps_flags f = {0};
	struct cli_store cs;
	int rc = parse_flags(argc, argv, &f, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (optind < argc) {
		rcr_error_set(err, EINVAL, "ps takes no arguments, received %d", argc - optind);
		return -1;
	}
	if (check_filters(&f, err) < 0 || cli_open_store(g, &cs, err) < 0)
		return -1;
	if (f.latest || f.last >= 0)
		f.all = true;
	rc = list(cs.st, &f, err);
	cli_store_close(&cs);
	return rc < 0 ? -1 : 0;
}
