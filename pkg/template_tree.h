/* The parsed form of a template, shared by template.c (parsing) and template_exec.c
 * (evaluation) only. Not part of the module's interface.
 */
#ifndef RCR_PKG_TEMPLATE_TREE_H
#define RCR_PKG_TEMPLATE_TREE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define TPL_MAX_DEPTH 32
#define TPL_MAX_VARS  16

enum tpl_arg_type { ARG_FIELD, ARG_VAR, ARG_STRING, ARG_NUMBER, ARG_IDENT, ARG_PIPE };

struct tpl_pipe;

struct tpl_arg {
	enum tpl_arg_type type;
	char *name;	      /* variable ("$", "$k") or function/identifier */
	char **fields;	      /* field chain after "." or a variable; NULL-terminated */
	char *str;	      /* string literal */
	json_t *num;	      /* number literal */
	struct tpl_pipe *sub; /* parenthesised pipeline */
};

struct tpl_cmd {
	struct tpl_arg *args;
	size_t n;
};

struct tpl_pipe {
	struct tpl_cmd *cmds;
	size_t n;
	char *decl[2]; /* range $k, $v := ... (either may be NULL) */
};

enum tpl_node_type { NODE_TEXT, NODE_ACTION, NODE_IF, NODE_RANGE };

struct tpl_list {
	struct tpl_node *v;
	size_t n;
};

struct tpl_node {
	enum tpl_node_type type;
	char *text;
	struct tpl_pipe *pipe;
	struct tpl_list then;
	struct tpl_list otherwise;
};

struct template
{
	bool table;
	struct tpl_list root;
};

#endif
