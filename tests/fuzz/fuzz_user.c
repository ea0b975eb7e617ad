/* libFuzzer target: resolving a user against passwd and group bytes. The input is
 * "SPEC\nPASSWD\0GROUP" (without a NUL, the same bytes serve as both files, so passwd-like lines
 * reach the group parser too). Any input must resolve or fail without reading past the buffers
 * or leaking; a result must keep the parser's promises: ids in range, no duplicate groups, at
 * most RT_USER_GROUPS_MAX of them, name and home NUL-terminated, home never empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct rt_user *u)
{
	if (u->uid > RT_USER_ID_MAX || u->gid > RT_USER_ID_MAX || u->n_groups > RT_USER_GROUPS_MAX)
		abort();
	for (size_t i = 0; i < u->n_groups; i++) {
		if (u->groups[i] > RT_USER_ID_MAX)
			abort();
		for (size_t j = 0; j < i; j++)
			if (u->groups[i] == u->groups[j])
				abort();
	}
	if (memchr(u->name, '\0', sizeof(u->name)) == NULL ||
	    memchr(u->home, '\0', sizeof(u->home)) == NULL || u->home[0] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = size > 0 ? (const char *)data : "";
	const char *nl = memchr(text, '\n', size);
	size_t spec_len = nl ? (size_t)(nl - text) : size;
	size_t rest = nl ? size - spec_len - 1 : 0;
	const char *files = nl ? nl + 1 : text + size;
	const char *nul = memchr(files, '\0', rest);
	size_t pw_len = nul ? (size_t)(nul - files) : rest;
	const char *gr = nul ? nul + 1 : files;
	size_t gr_len = nul ? rest - pw_len - 1 : rest;
	/* A few --group-add values of each kind: a name, a number, a number out of range. */
	static const char *const extra[] = {"wheel", "1000", "audio", "4294967296"};
	char *spec = malloc(spec_len + 1);
	struct rcr_error *err = NULL;
	struct rt_user u;

	if (spec == NULL)
		return 0;
	memcpy(spec, text, spec_len);
	spec[spec_len] = '\0';
	if (rt_user_resolve(spec, files, pw_len, gr, gr_len, NULL, 0, &u, &err) == 0)
		check(&u);
	rcr_error_clear(&err);
	if (rt_user_resolve(spec, files, pw_len, gr, gr_len, extra, 3, &u, &err) == 0)
		check(&u);
	rcr_error_clear(&err);
	/* An out-of-range number fails, unless a group has it as its name (runc matches
	 * --group-add values by name first). */
	if (rt_user_resolve(spec, files, pw_len, gr, gr_len, extra, 4, &u, &err) == 0)
		check(&u);
	rcr_error_clear(&err);
	free(spec);
	return 0;
}
