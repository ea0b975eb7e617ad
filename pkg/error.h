/* The error type every fallible rcr function reports through.
 *
 * Functions take `struct rcr_error **err` last, return -1 / NULL / a negative fd on failure and set
 * *err exactly once. Callers pass errors up unchanged or wrap them with context at a boundary, so
 * the user reads a chain: "pulling 'x': fetching manifest: HTTP 401: authentication required".
 * Only cmd/main.c prints an error.
 */
#ifndef RCR_PKG_ERROR_H
#define RCR_PKG_ERROR_H

#include <stdarg.h>

struct rcr_error {
	int code;  /* an errno value when one caused the failure, else 0 */
	char *msg; /* the whole chain, owned */
};

/* Set *err to a new error with a printf-style message. Does nothing when err is NULL; when *err
 * is already set the first error wins (a second set is a programming error, kept harmless). */
__attribute__((format(printf, 3, 4))) void rcr_error_set(struct rcr_error **err, int code,
							 const char *fmt, ...);

/* Like rcr_error_set, with ": strerror(errnum)" appended and code = errnum. */
__attribute__((format(printf, 3, 4))) void rcr_error_set_errno(struct rcr_error **err, int errnum,
							       const char *fmt, ...);

/* Prefix the message of *err with "<context>: ". Does nothing when err or *err is NULL. */
__attribute__((format(printf, 2, 3))) void rcr_error_wrap(struct rcr_error **err, const char *fmt,
							  ...);

/* Append more's message to *err as "first; second" (or move more into an empty *err), taking
 * ownership of more: for an operation that tried several things and must report each reason. */
void rcr_error_join(struct rcr_error **err, struct rcr_error *more);

/* Free an error and its message; NULL is fine. */
void rcr_error_free(struct rcr_error *e);

/* Release *err (if any) and set it to NULL: for callers that deliberately ignore a failure. */
void rcr_error_clear(struct rcr_error **err);

#endif
