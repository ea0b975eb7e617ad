/* Go-template subset (see template.h): a parser to a small tree, and an evaluator over jansson
 * values that prints as Go's text/template would (strings raw, arrays "[a b]", maps "map[k:v]",
 * missing map keys "<no value>").
 *
 * Must never read past the format string, recurse without bound, or print a guess: an unknown
 * function or field is an error naming it.
 */
#include "pkg/template.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/template_tree.h"

/* ---- lexing -------------------------------------------------------------------------- */

struct parser {
	const char *src;
	const char *p;
	struct rcr_error **err;
	int depth;
};

__attribute__((format(printf, 2, 3))) static int perr(struct parser *ps, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	rcr_error_set(ps->err, EINVAL, "template: 1:%d: %s", (int)(ps->p - ps->src) + 1,
		      msg ? msg : "parse error");
	free(msg);
	return -1;
}

static void skip_spaces(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

/* Does the action end here ("}}" or " -}}")? */
static bool at_close(struct parser *ps)
{
	const char *q = ps->p;

	if (q[0] == '-' && q[1] == '}' && q[2] == '}')
		return true;
	return q[0] == '}' && q[1] == '}';
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void pipe_free(struct tpl_pipe *pp);

static void arg_release(struct tpl_arg *a)
{
	free(a->name);
	strv_free(a->fields);
	free(a->str);
	json_decref(a->num);
	pipe_free(a->sub);
}

static void pipe_free(struct tpl_pipe *pp)
{
	if (pp == NULL)
		return;
	for (size_t i = 0; i < pp->n; i++) {
		for (size_t k = 0; k < pp->cmds[i].n; k++)
			arg_release(&pp->cmds[i].args[k]);
		free(pp->cmds[i].args);
	}
	free(pp->cmds);
	free(pp->decl[0]);
	free(pp->decl[1]);
	free(pp);
}

/* ".A.B" or "." after the current position (which is on '.'). */
static char **read_fields(struct parser *ps)
{
	_cleanup_strv_ char **v = calloc(1, sizeof(char *));
	size_t n = 0;

	while (v != NULL && *ps->p == '.') {
		const char *start = ++ps->p;
		char **nv;

		while (is_ident_char(*ps->p))
			ps->p++;
		if (ps->p == start)
			break; /* a lone "." is the value itself */
		nv = realloc(v, (n + 2) * sizeof(char *));
		if (nv == NULL)
			return NULL;
		v = nv;
		v[n++] = strndup(start, (size_t)(ps->p - start));
		v[n] = NULL;
	}
	return steal_ptr(&v);
}

static char *read_quoted(struct parser *ps)
{
	char q = *ps->p++;
	_cleanup_free_ char *out = malloc(strlen(ps->p) + 1);
	size_t n = 0;

	if (out == NULL)
		return NULL;
	while (*ps->p && *ps->p != q) {
		char c = *ps->p++;

		if (c == '\\' && q == '"' && *ps->p) {
			c = *ps->p++;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		out[n++] = c;
	}
	if (*ps->p != q) {
		perr(ps, "unterminated quoted string");
		return NULL;
	}
	ps->p++;
	out[n] = '\0';
	return steal_ptr(&out);
}

static struct tpl_pipe *parse_pipe(struct parser *ps, bool in_parens);

static int parse_number(struct parser *ps, struct tpl_arg *a)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(ps->p, &end, 10);
	if (end == ps->p || errno != 0)
		return perr(ps, "bad number");
	if (*end == '.' || *end == 'e') {
		double d = strtod(ps->p, &end);

		a->num = json_real(d);
	} else {
		a->num = json_integer(v);
	}
	a->type = ARG_NUMBER;
	ps->p = end;
	return 0;
}

static int parse_arg(struct parser *ps, struct tpl_arg *a)
{
	memset(a, 0, sizeof(*a));
	if (*ps->p == '.') {
		a->type = ARG_FIELD;
		a->fields = read_fields(ps);
		return a->fields ? 0 : perr(ps, "out of memory");
	}
	if (*ps->p == '$') {
		const char *start = ps->p++;

		while (is_ident_char(*ps->p))
			ps->p++;
		a->type = ARG_VAR;
		a->name = strndup(start, (size_t)(ps->p - start));
		a->fields = read_fields(ps);
		return a->name && a->fields ? 0 : perr(ps, "out of memory");
	}
	if (*ps->p == '"' || *ps->p == '`') {
		a->type = ARG_STRING;
		a->str = read_quoted(ps);
		return a->str ? 0 : -1;
	}
	if (isdigit((unsigned char)*ps->p) || (*ps->p == '-' && isdigit((unsigned char)ps->p[1])))
		return parse_number(ps, a);
	if (*ps->p == '(') {
		ps->p++;
		a->type = ARG_PIPE;
		a->sub = parse_pipe(ps, true);
		return a->sub ? 0 : -1;
	}
	if (isalpha((unsigned char)*ps->p)) {
		const char *start = ps->p;

		while (is_ident_char(*ps->p))
			ps->p++;
		a->type = ARG_IDENT;
		a->name = strndup(start, (size_t)(ps->p - start));
		return a->name ? 0 : perr(ps, "out of memory");
	}
	return perr(ps, "unexpected '%c' in an action", *ps->p ? *ps->p : ' ');
}

static int push_arg(struct parser *ps, struct tpl_cmd *c)
{
	struct tpl_arg *na = realloc(c->args, (c->n + 1) * sizeof(*na));

	if (na == NULL)
		return perr(ps, "out of memory");
	c->args = na;
	if (parse_arg(ps, &c->args[c->n]) < 0) {
		arg_release(&c->args[c->n]);
		return -1;
	}
	c->n++;
	return 0;
}

/* Append an empty command to the pipeline; returns it (borrowed) or NULL. */
static struct tpl_cmd *push_cmd(struct parser *ps, struct tpl_pipe *pp)
{
	struct tpl_cmd *nc = realloc(pp->cmds, (pp->n + 1) * sizeof(*nc));

	if (nc == NULL) {
		perr(ps, "out of memory");
		return NULL;
	}
	pp->cmds = nc;
	pp->cmds[pp->n] = (struct tpl_cmd){0};
	return &pp->cmds[pp->n++];
}

/* "$k, $v :=" or "$v :=" before a range pipeline. */
static int parse_decl(struct parser *ps, struct tpl_pipe *pp)
{
	const char *save = ps->p;

	for (int i = 0; i < 2 && *ps->p == '$'; i++) {
		const char *start = ps->p++;

		while (is_ident_char(*ps->p))
			ps->p++;
		pp->decl[i] = strndup(start, (size_t)(ps->p - start));
		skip_spaces(ps);
		if (*ps->p == ',') {
			ps->p++;
			skip_spaces(ps);
			continue;
		}
		if (ps->p[0] == ':' && ps->p[1] == '=') {
			ps->p += 2;
			skip_spaces(ps);
			if (i == 0) { /* a single variable takes the element */
				pp->decl[1] = pp->decl[0];
				pp->decl[0] = NULL;
			}
			return 0;
		}
		break;
	}
	free(pp->decl[0]);
	free(pp->decl[1]);
	pp->decl[0] = pp->decl[1] = NULL;
	ps->p = save;
	return 0;
}

static struct tpl_pipe *parse_pipe(struct parser *ps, bool in_parens)
{
	struct tpl_pipe *pp = calloc(1, sizeof(*pp));
	struct tpl_cmd *cur;

	if (pp == NULL || ++ps->depth > TPL_MAX_DEPTH) {
		perr(ps, "template nested too deeply");
		pipe_free(pp);
		return NULL;
	}
	skip_spaces(ps);
	parse_decl(ps, pp);
	cur = push_cmd(ps, pp);
	if (cur == NULL)
		goto fail;
	for (;;) {
		skip_spaces(ps);
		if (in_parens && *ps->p == ')') {
			ps->p++;
			break;
		}
		if (!in_parens && at_close(ps))
			break;
		if (*ps->p == '\0') {
			perr(ps, in_parens ? "unclosed '('" : "unclosed action: missing '}}'");
			goto fail;
		}
		if (*ps->p == '|') {
			ps->p++;
			if (cur->n == 0) {
				perr(ps, "missing command before '|'");
				goto fail;
			}
			cur = push_cmd(ps, pp);
			if (cur == NULL)
				goto fail;
			continue;
		}
		if (push_arg(ps, cur) < 0)
			goto fail;
	}
	if (cur->n == 0) {
		perr(ps, "missing value in an action");
		goto fail;
	}
	ps->depth--;
	return pp;
fail:
	pipe_free(pp);
	return NULL;
}

/* ---- tree ------------------------------------------------------------------------------ */

static void list_release(struct tpl_list *l);

static void node_release(struct tpl_node *n)
{
	free(n->text);
	pipe_free(n->pipe);
	list_release(&n->then);
	list_release(&n->otherwise);
}

static void list_release(struct tpl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		node_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct tpl_node *list_push(struct tpl_list *l)
{
	struct tpl_node *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (nv == NULL)
		return NULL;
	l->v = nv;
	memset(&l->v[l->n], 0, sizeof(struct tpl_node));
	return &l->v[l->n++];
}

/* Text up to the next "{{", with Go's \t and \n escapes of the format turned into characters
 * (Podman does this for --format), and "{{-" trimming the text's trailing white space. */
static int parse_text(struct parser *ps, struct tpl_list *l)
{
	const char *start = ps->p;
	const char *open = strstr(ps->p, "{{");
	const char *end = open ? open : ps->p + strlen(ps->p);
	size_t n = 0;
	struct tpl_node *node;
	char *t;

	if (open && open[2] == '-' && (open[3] == ' ' || open[3] == '\t' || open[3] == '\n'))
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
	t = malloc((size_t)(end - start) + 1);
	if (t == NULL)
		return perr(ps, "out of memory");
	for (const char *q = start; q < end; q++) {
		if (q[0] == '\\' && q + 1 < end && (q[1] == 't' || q[1] == 'n')) {
			t[n++] = q[1] == 't' ? '\t' : '\n';
			q++;
		} else {
			t[n++] = *q;
		}
	}
	t[n] = '\0';
	ps->p = open ? open : end;
	node = list_push(l);
	if (node == NULL) {
		free(t);
		return perr(ps, "out of memory");
	}
	node->type = NODE_TEXT;
	node->text = t;
	return 0;
}

/* After the pipeline: "}}" or "-}}" (which trims following white space). */
static int close_action(struct parser *ps)
{
	skip_spaces(ps);
	if (ps->p[0] == '-' && ps->p[1] == '}' && ps->p[2] == '}') {
		ps->p += 3;
		while (isspace((unsigned char)*ps->p))
			ps->p++;
		return 0;
	}
	if (ps->p[0] == '}' && ps->p[1] == '}') {
		ps->p += 2;
		return 0;
	}
	return perr(ps, "expected '}}'");
}

/* Which keyword, if any, opens the action at ps->p (after "{{" and trimming). */
static const char *keyword(struct parser *ps)
{
	static const char *const kws[] = {"if", "range", "else", "end"};

	for (size_t i = 0; i < 4; i++) {
		size_t n = strlen(kws[i]);

		if (strncmp(ps->p, kws[i], n) == 0 && !is_ident_char(ps->p[n]))
			return kws[i];
	}
	return NULL;
}

static int parse_list(struct parser *ps, struct tpl_list *l, const char **stop);

/* {{if P}} / {{range P}}: the pipeline, the body, an optional {{else}} part, {{end}}. An
 * "{{else if Q}}" is a nested if in the else part that shares the outer {{end}}. */
static int parse_block(struct parser *ps, struct tpl_list *l, bool is_range)
{
	struct tpl_node *node = list_push(l);
	const char *stop = NULL;

	if (node == NULL)
		return perr(ps, "out of memory");
	node->type = is_range ? NODE_RANGE : NODE_IF;
	node->pipe = parse_pipe(ps, false);
	if (node->pipe == NULL || close_action(ps) < 0)
		return -1;
	if (parse_list(ps, &node->then, &stop) < 0)
		return -1;
	if (stop != NULL && strcmp(stop, "else") == 0) {
		skip_spaces(ps);
		if (!is_range && strncmp(ps->p, "if", 2) == 0 && !is_ident_char(ps->p[2])) {
			ps->p += 2;
			return parse_block(ps, &node->otherwise, false);
		}
		if (close_action(ps) < 0 || parse_list(ps, &node->otherwise, &stop) < 0)
			return -1;
	}
	if (stop == NULL || strcmp(stop, "end") != 0)
		return perr(ps, "missing {{end}}");
	return close_action(ps);
}

/* Parse nodes until the end of input, or an {{else}}/{{end}} (returned in *stop, with ps->p
 * after the keyword). */
static int parse_list(struct parser *ps, struct tpl_list *l, const char **stop)
{
	if (++ps->depth > TPL_MAX_DEPTH)
		return perr(ps, "template nested too deeply");
	*stop = NULL;
	while (*ps->p) {
		const char *kw;
		struct tpl_node *node;

		if (!(ps->p[0] == '{' && ps->p[1] == '{')) {
			if (parse_text(ps, l) < 0)
				return -1;
			continue;
		}
		ps->p += 2;
		if (ps->p[0] == '-' && isspace((unsigned char)ps->p[1]))
			ps->p++;
		skip_spaces(ps);
		kw = keyword(ps);
		if (kw != NULL && (strcmp(kw, "else") == 0 || strcmp(kw, "end") == 0)) {
			ps->p += strlen(kw);
			*stop = kw;
			ps->depth--;
			return 0;
		}
		if (kw != NULL) {
			ps->p += strlen(kw);
			if (parse_block(ps, l, strcmp(kw, "range") == 0) < 0)
				return -1;
			continue;
		}
		node = list_push(l);
		if (node == NULL)
			return perr(ps, "out of memory");
		node->type = NODE_ACTION;
		node->pipe = parse_pipe(ps, false);
		if (node->pipe == NULL || close_action(ps) < 0)
			return -1;
	}
	ps->depth--;
	return 0;
}

struct template *template_parse(const char *fmt, struct rcr_error **err)
{
	struct template *t = calloc(1, sizeof(*t));
	struct parser ps = {.src = fmt, .p = fmt, .err = err};
	const char *stop = NULL;

	if (t == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	/* "table" alone or followed by white space starts a table (Podman's convention). */
	if (strncmp(fmt, "table", 5) == 0 && (fmt[5] == '\0' || isspace((unsigned char)fmt[5]))) {
		t->table = true;
		ps.p = fmt + 5;
		while (*ps.p == ' ')
			ps.p++;
	}
	if (parse_list(&ps, &t->root, &stop) < 0 ||
	    (stop != NULL && perr(&ps, "unexpected {{%s}}", stop) < 0)) {
		template_free(t);
		return NULL;
	}
	return t;
}

void template_free(struct template *t)
{
	if (t == NULL)
		return;
	list_release(&t->root);
	free(t);
}

bool template_is_table(const struct template *t)
{
	return t->table;
}
