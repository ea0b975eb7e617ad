/* Cleanup attributes and ownership hand-off, used by every owning local in rcr.
 *
 * `_cleanup_free_ char *s = NULL;` frees s when it leaves scope; `return steal_ptr(&s);` hands it
 * on. Every cleanup function accepts the "empty" value (NULL, -1) so locals can be initialised to
 * it and returned early from anywhere.
 */
#ifndef RCR_PKG_CLEANUP_H
#define RCR_PKG_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pkg/error.h"

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

static inline void cleanup_closedirp(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
}

static inline void cleanup_errorp(struct rcr_error **e)
{
	rcr_error_free(*e);
}

/* A NULL-terminated array of owned strings. */
static inline void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

static inline void cleanup_strvp(char ***v)
{
	strv_free(*v);
}

#define _cleanup_free_	   __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_	   __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_   __attribute__((cleanup(cleanup_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(cleanup_closedirp)))
#define _cleanup_error_	   __attribute__((cleanup(cleanup_errorp)))
#define _cleanup_strv_	   __attribute__((cleanup(cleanup_strvp)))

/* Take the pointer out of *pp, leaving NULL behind so the cleanup does nothing. */
static inline void *steal_ptr_impl(void **pp)
{
	void *p = *pp;

	*pp = NULL;
	return p;
}
#define steal_ptr(pp) steal_ptr_impl((void **)(pp))

/* Take the fd out of *fdp, leaving -1 behind. */
static inline int steal_fd(int *fdp)
{
	int fd = *fdp;

	*fdp = -1;
	return fd;
}

#endif
