/* Replays a fuzz target's committed seed corpus as a TAP test, so every corpus runs in
 * `make check` (and under ASan in `make asan`) without libFuzzer. Linked with one
 * tests/fuzz/fuzz_NAME.c; FUZZ_NAME names the corpus folder tests/fuzz/corpus/NAME (or
 * $RCR_TEST_CORPUS/NAME when the tests run from a staging dir).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *base = getenv("RCR_TEST_CORPUS");
	char dir[4096];
	_cleanup_closedir_ DIR *d = NULL;
	char *names[4096];
	size_t n = 0;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/%s", base && *base ? base : "tests/fuzz/corpus", FUZZ_NAME);
	d = opendir(dir);
	ok(d != NULL, "corpus '%s' is readable", dir);
	while (d != NULL && (e = readdir(d)) != NULL && n < 4096)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	qsort(names, n, sizeof(names[0]), by_name);
	ok(n > 0, "corpus '%s' has seeds", dir);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = fs_path_join(dir, names[i]);
		size_t len = 0;
		_cleanup_free_ char *data = fs_read_file(path, 1 << 20, &len, NULL);

		ok(data != NULL, "seed %s read", names[i]);
		if (data != NULL)
			LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		ok(1, "seed %s replayed", names[i]);
		free(names[i]);
	}
	return tap_done();
}
