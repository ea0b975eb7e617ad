/* libFuzzer target: layer blobs, which come from the network. Each input is unpacked into a fresh
 * temporary directory (removed afterwards), declared as the compression its magic number shows,
 * so the gzip and zstd decoders, the tar reader and the extraction with its path checks all see
 * it. Owners are not kept: the target runs unprivileged.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/unpack.h"
#include "pkg/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Directories an input made read-only (0555, 0000) must become removable again. */
static int make_writable(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_D || type == FTW_DNR)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static enum layer_compression sniff(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return LAYER_GZIP;
	if (size >= 4 && memcmp(data, "\x28\xb5\x2f\xfd", 4) == 0)
		return LAYER_ZSTD;
	return LAYER_PLAIN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	struct unpack_opts o = {.compression = sniff(data, size), .keep_owners = false};
	struct unpack_result res;
	struct rcr_error *err = NULL;
	char dir[4096];
	int fd;

	snprintf(dir, sizeof(dir), "%s/rcr-fuzz-unpack-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 0;
	fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0)
		unpack_layer(fd, dir, &o, &res, &err);
	if (fd >= 0)
		close(fd);
	rcr_error_free(err);
	err = NULL;
	nftw(dir, make_writable, 16, FTW_PHYS);
	fs_rm_rf(dir, &err);
	rcr_error_free(err);
	return 0;
}
