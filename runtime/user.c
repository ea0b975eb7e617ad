/* Resolving a container's user and groups from its /etc/passwd and /etc/group (see user.h).
 *
 * Pure: bytes in, struct out. It must never read past the lengths it is given (the files need
 * not be NUL-terminated and may hold NUL bytes), never trust a number it has not range-checked,
 * and never read the host's user database: the container's files are the only truth, as in runc.
 */
#include "runtime/user.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A piece of the input as [p, p+n): not NUL-terminated. */
struct field {
	const char *p;
	size_t n;
};

/* One usable passwd line (name:pass:uid:gid:gecos:home:shell). */
struct pw_entry {
	struct field name;
	struct field home;
	uint32_t uid;
	uint32_t gid;
};

/* One usable group line (name:pass:gid:member,member,...). */
struct gr_entry {
	struct field name;
	struct field members;
	uint32_t gid;
};

enum id_kind { ID_NAME, ID_OK, ID_RANGE };

static bool field_is(struct field f, const char *s, size_t n)
{
	return f.n == n && memcmp(f.p, s, n) == 0;
}

/* runc decides "is it a number" with strconv.Atoi: an optional sign, then digits. A number
 * outside 0..RT_USER_ID_MAX (negative, or too large) is ID_RANGE, never a name. */
static enum id_kind parse_id(const char *s, size_t n, uint32_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return ID_NAME;
	for (size_t k = i; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return ID_NAME;
	for (; i < n; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > RT_USER_ID_MAX)
			return ID_RANGE;
	}
	if (neg && v != 0)
		return ID_RANGE;
	*out = (uint32_t)v;
	return ID_OK;
}

/* File fields must be plain digits: runc's Atoi would turn a garbage uid field into 0 (root),
 * which we refuse by skipping the line instead. */
static bool parse_file_id(struct field f, uint32_t *out)
{
	if (f.n == 0 || f.p[0] < '0' || f.p[0] > '9')
		return false;
	return parse_id(f.p, f.n, out) == ID_OK;
}

/* Split [p, p+n) on ':' into at most max fields; returns how many were found (the last field
 * takes the rest when there are more colons than max). */
static size_t split_fields(const char *p, size_t n, struct field *f, size_t max)
{
	size_t k = 0;
	size_t start = 0;

	for (size_t i = 0; i <= n && k < max; i++) {
		if (i < n && (p[i] != ':' || k == max - 1))
			continue;
		f[k].p = p + start;
		f[k].n = i - start;
		k++;
		start = i + 1;
	}
	return k;
}

/* Iterate lines: *pos advances past each; the line comes back trimmed of surrounding blanks and
 * the '\r' of CRLF (runc trims passwd lines the same way). false at the end of the text. */
static bool next_line(const char *text, size_t len, size_t *pos, struct field *line)
{
	const char *p;
	size_t n;

	if (text == NULL || *pos >= len)
		return false;
	p = text + *pos;
	{
		const char *nl = memchr(p, '\n', len - *pos);

		n = nl ? (size_t)(nl - p) : len - *pos;
	}
	*pos += n + 1;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	while (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
		p++;
		n--;
	}
	line->p = p;
	line->n = n;
	return true;
}

static bool is_skipped(struct field line)
{
	return line.n == 0 || line.p[0] == '#';
}

static bool parse_pw(struct field line, struct pw_entry *e)
{
	struct field f[7];
	size_t k;

	if (is_skipped(line))
		return false;
	k = split_fields(line.p, line.n, f, 7);
	if (k < 4 || !parse_file_id(f[2], &e->uid) || !parse_file_id(f[3], &e->gid))
		return false;
	e->name = f[0];
	e->home = k >= 6 ? f[5] : (struct field){"", 0};
	return true;
}

static bool parse_gr(struct field line, struct gr_entry *e)
{
	struct field f[4];
	size_t k;

	if (is_skipped(line))
		return false;
	k = split_fields(line.p, line.n, f, 4);
	if (k < 3 || !parse_file_id(f[2], &e->gid))
		return false;
	e->name = f[0];
	e->members = k == 4 ? f[3] : (struct field){"", 0};
	return true;
}

/* The first passwd entry for a uid (by_uid) or a name: first match wins, as in runc. */
static bool find_pw(const char *text, size_t len, bool by_uid, uint32_t uid, const char *name,
		    size_t name_len, struct pw_entry *out)
{
	struct field line;
	size_t pos = 0;

	while (next_line(text, len, &pos, &line)) {
		if (!parse_pw(line, out))
			continue;
		if (by_uid ? out->uid == uid : field_is(out->name, name, name_len))
			return true;
	}
	return false;
}

/* The first group whose name is s, or, when s is a number, whose gid is that number. */
static bool find_gr(const char *text, size_t len, const char *s, size_t n, struct gr_entry *out)
{
	struct field line;
	size_t pos = 0;
	uint32_t id = 0;
	bool numeric = parse_id(s, n, &id) == ID_OK;

	while (next_line(text, len, &pos, &line)) {
		if (!parse_gr(line, out))
			continue;
		if (field_is(out->name, s, n) || (numeric && out->gid == id))
			return true;
	}
	return false;
}

static bool has_member(struct field members, struct field name)
{
	size_t start = 0;

	for (size_t i = 0; i <= members.n; i++) {
		if (i < members.n && members.p[i] != ',')
			continue;
		if (i - start == name.n && memcmp(members.p + start, name.p, name.n) == 0)
			return true;
		start = i + 1;
	}
	return false;
}

static int add_group(struct rt_user *out, uint32_t gid, struct rcr_error **err)
{
	for (size_t i = 0; i < out->n_groups; i++)
		if (out->groups[i] == gid)
			return 0;
	if (out->n_groups == RT_USER_GROUPS_MAX) {
		rcr_error_set(err, E2BIG, "too many supplementary groups: at most %d are supported",
			      RT_USER_GROUPS_MAX);
		return -1;
	}
	out->groups[out->n_groups++] = gid;
	return 0;
}

static void range_error(struct rcr_error **err, const char *what, const char *s, size_t n)
{
	rcr_error_set(err, ERANGE, "%s '%.*s' is out of range: uids and gids must be in range 0-%u",
		      what, (int)n, s, RT_USER_ID_MAX);
}

/* Copy the passwd entry's name and home into out; both are bounded by the struct. */
static int take_entry(struct rt_user *out, const struct pw_entry *pw, struct rcr_error **err)
{
	if (pw->name.n >= sizeof(out->name) || pw->home.n >= sizeof(out->home)) {
		rcr_error_set(err, ENAMETOOLONG,
			      "passwd entry for uid %u: name or home directory is too long",
			      (unsigned)pw->uid);
		return -1;
	}
	memcpy(out->name, pw->name.p, pw->name.n);
	out->name[pw->name.n] = '\0';
	if (pw->home.n > 0) {
		memcpy(out->home, pw->home.p, pw->home.n);
		out->home[pw->home.n] = '\0';
	}
	out->uid = pw->uid;
	out->gid = pw->gid;
	return 0;
}

/* The user part: sets uid, gid, home and name; *matched when passwd had an entry. */
static int resolve_user(const char *u, size_t un, const char *passwd, size_t passwd_len,
			struct rt_user *out, bool *matched, struct rcr_error **err)
{
	struct pw_entry pw;
	uint32_t uid = 0;
	enum id_kind kind = un == 0 ? ID_OK : parse_id(u, un, &uid);

	if (kind == ID_RANGE) {
		range_error(err, "uid", u, un);
		return -1;
	}
	*matched = find_pw(passwd, passwd_len, kind == ID_OK, uid, u, un, &pw);
	if (*matched)
		return take_entry(out, &pw, err);
	if (kind == ID_NAME) {
		rcr_error_set(err, ENOENT,
			      "unable to find user %.*s: no matching entries in passwd file",
			      (int)un, u);
		return -1;
	}
	/* A numeric uid without an entry is fine (runc): gid 0, home "/". */
	out->uid = uid;
	return 0;
}

static int resolve_group(const char *g, size_t gn, const char *group, size_t group_len,
			 struct rt_user *out, struct rcr_error **err)
{
	struct gr_entry gr;
	uint32_t gid = 0;
	enum id_kind kind = parse_id(g, gn, &gid);

	if (kind == ID_RANGE) {
		range_error(err, "gid", g, gn);
		return -1;
	}
	if (find_gr(group, group_len, g, gn, &gr)) {
		out->gid = gr.gid;
		return 0;
	}
	if (kind == ID_NAME) {
		rcr_error_set(err, ENOENT,
			      "unable to find group %.*s: no matching entries in group file",
			      (int)gn, g);
		return -1;
	}
	out->gid = gid;
	return 0;
}

/* The groups that list name as a member, in file order. */
static int add_memberships(const char *group, size_t group_len, struct field name,
			   struct rt_user *out, struct rcr_error **err)
{
	struct field line;
	struct gr_entry gr;
	size_t pos = 0;

	while (next_line(group, group_len, &pos, &line))
		if (parse_gr(line, &gr) && has_member(gr.members, name) &&
		    add_group(out, gr.gid, err) < 0)
			return -1;
	return 0;
}

/* --group-add: runc GetAdditionalGroups. */
static int add_extra(const char *ag, const char *group, size_t group_len, struct rt_user *out,
		     struct rcr_error **err)
{
	struct gr_entry gr;
	size_t n = strlen(ag);
	uint32_t gid = 0;
	enum id_kind kind;

	if (strcmp(ag, "keep-groups") == 0) {
		rcr_error_set(err, ENOTSUP,
			      "--group-add keep-groups is not supported by rcr: name the groups "
			      "instead");
		return -1;
	}
	if (n == 0) {
		rcr_error_set(err, EINVAL, "--group-add: empty group name");
		return -1;
	}
	if (find_gr(group, group_len, ag, n, &gr))
		return add_group(out, gr.gid, err);
	kind = parse_id(ag, n, &gid);
	if (kind == ID_RANGE) {
		range_error(err, "gid", ag, n);
		return -1;
	}
	if (kind == ID_NAME) {
		rcr_error_set(err, ENOENT,
			      "unable to find group %s: no matching entries in group file", ag);
		return -1;
	}
	return add_group(out, gid, err);
}

int rt_user_resolve(const char *spec, const char *passwd, size_t passwd_len, const char *group,
		    size_t group_len, const char *const *extra, size_t n_extra, struct rt_user *out,
		    struct rcr_error **err)
{
	const char *s = spec ? spec : "";
	const char *colon = strchr(s, ':');
	size_t un = colon ? (size_t)(colon - s) : strlen(s);
	const char *g = colon ? colon + 1 : "";
	bool matched = false;

	memset(out, 0, sizeof(*out));
	out->home[0] = '/';
	if (strchr(g, ':') != NULL) {
		/* runc silently ignores a third field; a typo deserves an error instead. */
		rcr_error_set(err, EINVAL, "invalid user '%s': expected user[:group]", s);
		goto fail;
	}
	if (resolve_user(s, un, passwd, passwd_len, out, &matched, err) < 0)
		goto fail;
	if (*g != '\0' && resolve_group(g, strlen(g), group, group_len, out, err) < 0)
		goto fail;
	/* Membership groups only in runc's implicit form, and only when Podman would apply them:
	 * it skips them whenever the user string holds a ':' (so "name:" gets none either). */
	if (colon == NULL && matched &&
	    add_memberships(group, group_len, (struct field){out->name, strlen(out->name)}, out,
			    err) < 0)
		goto fail;
	for (size_t i = 0; i < n_extra; i++)
		if (add_extra(extra[i] ? extra[i] : "", group, group_len, out, err) < 0)
			goto fail;
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return -1;
}

bool rt_user_db_has_id(const char *text, size_t len, unsigned int id)
{
	struct field line, f[4];
	size_t pos = 0;
	uint32_t v;

	while (next_line(text, len, &pos, &line)) {
		if (is_skipped(line) || split_fields(line.p, line.n, f, 4) < 3)
			continue;
		if (parse_file_id(f[2], &v) && v == id)
			return true;
	}
	return false;
}
