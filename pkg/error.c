/* Error construction and wrapping (see error.h).
 *
 * Never prints and never exits: reporting is cmd/main.c's job. Allocation failure while building
 * an error message falls back to a static text so an error is never lost.
 */
#include "pkg/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char oom_msg[] = "out of memory";
/* Handed out when even the error cannot be allocated; rcr_error_free knows not to free it. */
static struct rcr_error oom_error = {ENOMEM, oom_msg};

static struct rcr_error *error_new(int code, char *msg)
{
	struct rcr_error *e = calloc(1, sizeof(*e));

	if (e == NULL || msg == NULL) {
		free(e);
		free(msg);
		return &oom_error;
	}
	e->code = code;
	e->msg = msg;
	return e;
}

static void error_install(struct rcr_error **err, int code, char *msg)
{
	if (err == NULL || *err != NULL) {
		free(msg);
		return;
	}
	*err = error_new(code, msg);
}

void rcr_error_set(struct rcr_error **err, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	error_install(err, code, msg);
}

void rcr_error_set_errno(struct rcr_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *head = NULL;
	char *msg = NULL;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head != NULL && asprintf(&msg, "%s: %s", head, strerror(errnum)) < 0)
		msg = NULL;
	free(head);
	error_install(err, errnum, msg);
}

void rcr_error_wrap(struct rcr_error **err, const char *fmt, ...)
{
	va_list ap;
	char *ctx = NULL;
	char *msg = NULL;

	if (err == NULL || *err == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (ctx == NULL)
		return;
	if (*err != &oom_error && asprintf(&msg, "%s: %s", ctx, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
}

void rcr_error_join(struct rcr_error **err, struct rcr_error *more)
{
	char *msg = NULL;

	if (err == NULL || more == NULL) {
		rcr_error_free(more);
		return;
	}
	if (*err == NULL) {
		*err = more;
		return;
	}
	if (*err != &oom_error && asprintf(&msg, "%s; %s", (*err)->msg, more->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	rcr_error_free(more);
}

void rcr_error_free(struct rcr_error *e)
{
	if (e == NULL || e == &oom_error)
		return;
	free(e->msg);
	free(e);
}

void rcr_error_clear(struct rcr_error **err)
{
	if (err == NULL)
		return;
	rcr_error_free(*err);
	*err = NULL;
}
