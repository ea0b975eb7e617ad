/* A container's environment list (see env.h): set/get, --env-file parsing, -e arguments and the
 * defaults Podman adds.
 *
 * Pure: the host environment comes in as an argument and is never read here (getenv would make
 * the result depend on rcr's own process and untestable). The env-file parser must never read
 * past len and never let a NUL byte cut a value short silently.
 */
#include "runtime/env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "pkg/cleanup.h"

/* Podman's DefaultEnvVariables PATH. */
#define ENV_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void rt_env_release(struct rt_env *e)
{
	if (e == NULL)
		return;
	strv_free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* The index of the entry named [name, name+len), or -1. */
static ssize_t env_find(const struct rt_env *e, const char *name, size_t len)
{
	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=')
			return (ssize_t)i;
	return -1;
}

/* Set [name, name+nlen) to [val, val+vlen); replace says whether an existing entry is changed. */
static int env_put(struct rt_env *e, const char *name, size_t nlen, const char *val, size_t vlen,
		   bool replace, struct rcr_error **err)
{
	ssize_t i = env_find(e, name, nlen);
	_cleanup_free_ char *entry = NULL;

	if (i >= 0 && !replace)
		return 0;
	entry = malloc(nlen + vlen + 2);
	if (entry == NULL)
		goto oom;
	memcpy(entry, name, nlen);
	entry[nlen] = '=';
	memcpy(entry + nlen + 1, val, vlen);
	entry[nlen + 1 + vlen] = '\0';
	if (i >= 0) {
		/* In place, so the variable keeps its first-set position. */
		free(e->v[i]);
		e->v[i] = steal_ptr(&entry);
		return 0;
	}
	{
		char **nv = reallocarray(e->v, e->n + 2, sizeof(*nv));

		if (nv == NULL)
			goto oom;
		e->v = nv;
	}
	e->v[e->n++] = steal_ptr(&entry);
	e->v[e->n] = NULL;
	return 0;
oom:
	rcr_error_set_errno(err, ENOMEM, "setting environment variable '%.*s'", (int)nlen, name);
	return -1;
}

int rt_env_set(struct rt_env *e, const char *entry, struct rcr_error **err)
{
	const char *eq = strchr(entry, '=');

	if (eq == NULL || eq == entry) {
		rcr_error_set(err, EINVAL, "invalid environment entry '%s': expected NAME=value",
			      entry);
		return -1;
	}
	return env_put(e, entry, (size_t)(eq - entry), eq + 1, strlen(eq + 1), true, err);
}

int rt_env_set_default(struct rt_env *e, const char *name, const char *value,
		       struct rcr_error **err)
{
	size_t n = strlen(name);

	if (n == 0 || strchr(name, '=') != NULL) {
		rcr_error_set(err, EINVAL, "invalid environment variable name '%s'", name);
		return -1;
	}
	return env_put(e, name, n, value, strlen(value), false, err);
}

const char *rt_env_get(const struct rt_env *e, const char *name)
{
	ssize_t i = env_find(e, name, strlen(name));

	return i < 0 ? NULL : e->v[i] + strlen(name) + 1;
}

/* A variable given without '=': "NAME" copies the host's value when it has one (the first
 * entry, as Go's os.LookupEnv finds it), "PRE*" copies every host variable starting with PRE
 * (later duplicates win, as Podman's map does). Entries without '=' in hostenv are ignored. */
static int apply_from_host(struct rt_env *e, const char *name, size_t n, char *const *hostenv,
			   struct rcr_error **err)
{
	bool glob = n > 0 && name[n - 1] == '*';
	size_t want = glob ? n - 1 : n;

	for (char *const *h = hostenv; h != NULL && *h != NULL; h++) {
		const char *eq = strchr(*h, '=');
		size_t hn;

		if (eq == NULL)
			continue;
		hn = (size_t)(eq - *h);
		if (strncmp(*h, name, want) != 0 || (!glob && hn != want) || hn < want)
			continue;
		if (env_put(e, *h, hn, eq + 1, strlen(eq + 1), true, err) < 0)
			return -1;
		if (!glob)
			return 0;
	}
	return 0;
}

int rt_env_apply_arg(struct rt_env *e, const char *arg, char *const *hostenv,
		     struct rcr_error **err)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	const char *name = arg;

	/* Podman trims the front of a name, but nothing else. */
	while (n > 0 && (*name == ' ' || *name == '\t')) {
		name++;
		n--;
	}
	if (n == 0) {
		rcr_error_set(err, EINVAL, "invalid environment variable '%s': no name", arg);
		return -1;
	}
	if (eq != NULL)
		return env_put(e, name, n, eq + 1, strlen(eq + 1), true, err);
	return apply_from_host(e, name, n, hostenv, err);
}

/* One env-file line, already without its newline, '\r' and leading blanks, and not blank or a
 * comment. Sets the error without the file's context; the caller adds it. */
static int parse_line(struct rt_env *e, const char *p, size_t n, size_t line_no,
		      char *const *hostenv, struct rcr_error **err)
{
	const char *eq = memchr(p, '=', n);
	size_t nn = eq ? (size_t)(eq - p) : n;

	if (memchr(p, '\0', n) != NULL) {
		rcr_error_set(err, EINVAL, "line %zu: NUL byte", line_no);
		return -1;
	}
	if (nn == 0) {
		rcr_error_set(err, EINVAL, "line %zu: no variable name", line_no);
		return -1;
	}
	/* Docker refuses such names (Podman would keep "A B" or "A " as the name): a space in a
	 * name is always a mistake in the file, most often "NAME = value". */
	if (memchr(p, ' ', nn) != NULL || memchr(p, '\t', nn) != NULL) {
		rcr_error_set(err, EINVAL, "line %zu: variable name '%.*s' has white space",
			      line_no, (int)nn, p);
		return -1;
	}
	if (eq != NULL)
		return env_put(e, p, nn, eq + 1, n - nn - 1, true, err);
	return apply_from_host(e, p, nn, hostenv, err);
}

int rt_env_parse_file(struct rt_env *e, const char *text, size_t len, const char *what,
		      char *const *hostenv, struct rcr_error **err)
{
	size_t pos = 0;
	size_t line_no = 0;

	/* A BOM from a Windows editor is not part of the first name (Docker strips it too). */
	if (text != NULL && len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (text != NULL && pos < len) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;

		pos += n + 1;
		line_no++;
		/* Go's bufio.Scanner drops one '\r' before the newline (or at the end). */
		if (n > 0 && p[n - 1] == '\r')
			n--;
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (n == 0 || *p == '#')
			continue;
		if (parse_line(e, p, n, line_no, hostenv, err) < 0) {
			rcr_error_wrap(err, "parsing env file '%s'", what ? what : "-");
			return -1;
		}
	}
	return 0;
}

int rt_env_finish(struct rt_env *e, bool tty, const char *hostname, struct rcr_error **err)
{
	if (rt_env_set_default(e, "PATH", ENV_DEFAULT_PATH, err) < 0)
		return -1;
	if (tty && rt_env_set_default(e, "TERM", "xterm", err) < 0)
		return -1;
	if (rt_env_set_default(e, "container", "oci", err) < 0)
		return -1;
	if (hostname != NULL && rt_env_set_default(e, "HOSTNAME", hostname, err) < 0)
		return -1;
	return 0;
}
