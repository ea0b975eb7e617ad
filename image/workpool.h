/* A small pool of threads for unpacking: jobs run in any order on N threads while the caller
 * goes on reading the layer. The caller keeps the order that matters by draining (waiting for
 * every queued job) before any step that depends on earlier jobs, and by asking whether a key
 * (an entry's path) is still queued. What queued jobs hold is bounded: submitting waits while
 * more than max_bytes, or 256 jobs (each may hold a file descriptor), are queued.
 */
#ifndef RCR_IMAGE_WORKPOOL_H
#define RCR_IMAGE_WORKPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/error.h"

struct workpool;

/* run does the job and frees arg; it returns 0, or -1 with err set. After a failure, jobs not
 * yet started are only freed (run with err == NULL must just free arg). */
typedef int (*workpool_fn)(void *arg, struct rcr_error **err);

/* NULL when threads cannot be made: the caller then works alone. */
struct workpool *workpool_new(unsigned threads, size_t max_bytes);

/* Queue fn(arg), accounting bytes; key (copied) marks what the job writes. Returns -1 (and frees
 * nothing: arg is the caller's again) when a job already failed: drain to get its error. */
int workpool_submit(struct workpool *p, workpool_fn fn, void *arg, size_t bytes, const char *key);

/* True when key was submitted since the last drain. */
bool workpool_has_key(struct workpool *p, const char *key);

/* True when jobs were submitted since the last drain. */
bool workpool_busy(struct workpool *p);

/* Wait until every queued job has finished; the first job error, if any, moves to err. */
int workpool_drain(struct workpool *p, struct rcr_error **err);

/* Drain, stop the threads, free. */
void workpool_free(struct workpool *p);

#endif
