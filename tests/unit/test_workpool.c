/* Unit tests: image/workpool (the unpacking threads). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "image/workpool.h"
#include "tests/unit/tap.h"

static atomic_int ran, freed;

static int count_job(void *arg, struct rcr_error **err)
{
	free(arg);
	atomic_fetch_add(&freed, 1);
	if (err != NULL)
		atomic_fetch_add(&ran, 1);
	return 0;
}

static int fail_job(void *arg, struct rcr_error **err)
{
	free(arg);
	atomic_fetch_add(&freed, 1);
	if (err == NULL)
		return 0;
	rcr_error_set(err, EIO, "job %s failed", "seven");
	return -1;
}

/* A refused job's argument is the caller's again. */
static int submit_or_free(struct workpool *p, workpool_fn fn, const char *key)
{
	void *arg = malloc(16);
	int rc = workpool_submit(p, fn, arg, 100, key);

	if (rc < 0)
		free(arg);
	return rc;
}

int main(void)
{
	struct workpool *p = workpool_new(3, 4096);
	struct rcr_error *err = NULL;
	char key[32];
	int submitted = 0;

	tap_plan(10);
	ok(p != NULL, "a pool of three threads");
	ok(!workpool_busy(p), "idle at first");
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "f%d", i);
		submitted += submit_or_free(p, count_job, key) == 0;
	}
	ok(workpool_has_key(p, "f999") && !workpool_has_key(p, "f1000"), "keys are remembered");
	ok(workpool_busy(p), "busy until drained");
	ok(workpool_drain(p, &err) == 0 && err == NULL, "drain succeeds");
	is_int(atomic_load(&ran), submitted, "every job ran once (bytes bounded to 4096)");
	ok(!workpool_has_key(p, "f1") && !workpool_busy(p), "a drain forgets the keys");
	atomic_store(&freed, 0);
	submit_or_free(p, fail_job, "bad");
	for (int i = 0; i < 50; i++)
		submit_or_free(p, count_job, "after");
	ok(workpool_drain(p, &err) == -1 && err != NULL && strstr(err->msg, "seven") != NULL,
	   "the first job error comes out of the drain");
	rcr_error_free(err);
	err = NULL;
	ok(atomic_load(&freed) >= 1, "jobs are freed after a failure");
	ok(submit_or_free(p, count_job, "again") == 0 && workpool_drain(p, &err) == 0,
	   "the pool works again after a failed batch");
	workpool_free(p);
	return tap_done();
}
