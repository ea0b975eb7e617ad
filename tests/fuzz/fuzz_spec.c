/* libFuzzer target: the container spec reader (json_load_capped, then rt_spec_from_json). Any
 * input must be refused or read without leaking; a spec that is read must hold what the reader
 * promises (a command, layers, known network and log driver, bounded arrays) and must write
 * back as JSON that reads again to the same JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/json.h"
#include "runtime/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct rt_spec *s)
{
	struct rcr_error *err = NULL;
	struct rt_spec again;
	json_t *j, *j2;

	if (s->id == NULL || s->name == NULL || s->cwd == NULL || s->args == NULL ||
	    s->args[0] == NULL || s->lowers == NULL || s->network == NULL ||
	    s->log_driver == NULL || s->n_binds > RT_BINDS_MAX || s->n_rlimits > RT_RLIMITS_MAX ||
	    s->uidmap.n > USERNS_MAP_MAX || s->gidmap.n > USERNS_MAP_MAX || s->stop_signal < 1 ||
	    s->stop_signal > 64 || s->stop_timeout < 0)
		abort();
	if (strcmp(s->network, "none") != 0 && strcmp(s->network, "host") != 0)
		abort();
	for (size_t i = 0; i < s->uidmap.n; i++)
		if (s->uidmap.v[i].count == 0 ||
		    (uint64_t)s->uidmap.v[i].outer + s->uidmap.v[i].count > ((uint64_t)1 << 32))
			abort();
	j = rt_spec_to_json(s);
	if (rt_spec_from_json(j, &again, &err) < 0)
		abort();
	j2 = rt_spec_to_json(&again);
	if (!json_equal(j, j2))
		abort();
	json_decref(j2);
	json_decref(j);
	rt_spec_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rcr_error *err = NULL;
	struct rt_spec s;
	json_t *j = json_load_capped((const char *)data, size, 1 << 20, "spec", &err);

	if (j != NULL && rt_spec_from_json(j, &s, &err) == 0) {
		check(&s);
		rt_spec_release(&s);
	}
	json_decref(j);
	rcr_error_free(err);
	return 0;
}
