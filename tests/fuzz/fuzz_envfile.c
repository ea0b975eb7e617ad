/* libFuzzer target: the --env-file parser and -e arguments. Any input must parse or fail without
 * reading past the buffer (it is not NUL-terminated) or leaking; the list must stay well formed:
 * NULL-terminated, every entry "NAME=value" with a non-empty NAME, each NAME once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct rt_env *e)
{
	if (e->n > 0 && e->v[e->n] != NULL)
		abort();
	for (size_t i = 0; i < e->n; i++) {
		const char *eq = strchr(e->v[i], '=');

		if (eq == NULL || eq == e->v[i])
			abort();
		for (size_t j = 0; j < i; j++)
			if (strncmp(e->v[j], e->v[i], (size_t)(eq - e->v[i]) + 1) == 0)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char h1[] = "HOME=/root", h2[] = "LANG=C", h3[] = "LC_ALL=C", h4[] = "NOEQ";
	char *const host[] = {h1, h2, h3, h4, NULL};
	struct rcr_error *err = NULL;
	struct rt_env e = {0};
	char *arg = NULL;

	if (rt_env_parse_file(&e, (const char *)data, size, "fuzz", host, &err) == 0)
		check(&e);
	rcr_error_clear(&err);
	/* The same bytes, up to a NUL, as one -e argument on top. */
	arg = strndup(size > 0 ? (const char *)data : "", size);
	if (arg != NULL && rt_env_apply_arg(&e, arg, host, &err) == 0)
		check(&e);
	rcr_error_clear(&err);
	if (rt_env_finish(&e, true, "host", &err) == 0)
		check(&e);
	rcr_error_clear(&err);
	free(arg);
	rt_env_release(&e);
	return 0;
}
