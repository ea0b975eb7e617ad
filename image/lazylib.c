/* Loading libcurl, libarchive and libcrypto on first use (see lazylib.h). */
#define RCR_LAZYLIB_IMPL 1
#include "image/lazylib.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

struct lazylib_curl lazylib_curl_fns;
struct lazylib_archive lazylib_archive_fns;
struct lazylib_crypto lazylib_crypto_fns;

/* What one load found: NULL when it worked, else why not (static text or dlerror's). */
static char curl_why[512], archive_why[512], crypto_why[512];
static pthread_once_t curl_once = PTHREAD_ONCE_INIT, archive_once = PTHREAD_ONCE_INIT,
		      crypto_once = PTHREAD_ONCE_INIT;

/* dlsym every name into the table; the first missing one is reported in why. */
#define LAZYLIB_RESOLVE(ret, name, params)                                                         \
	if (why[0] == '\0') {                                                                      \
		*(void **)&tbl->fn_##name = dlsym(h, #name);                                       \
		if (tbl->fn_##name == NULL)                                                        \
			snprintf(why, sizeof(curl_why), "%s has no %s", soname, #name);            \
	}

static void *open_lib(const char *soname, const char *package, char *why)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		snprintf(why, sizeof(curl_why), "cannot load %s (install Debian's %s): %s", soname,
			 package, dlerror());
	return h;
}

static void load_curl(void)
{
	static const char soname[] = "libcurl.so.4";
	struct lazylib_curl *tbl = &lazylib_curl_fns;
	char *why = curl_why;
	void *h = open_lib(soname, "libcurl4", why);

	if (h == NULL)
		return;
	LAZYLIB_CURL_FUNCS(LAZYLIB_RESOLVE)
	if (why[0] == '\0')
		tbl->fn_curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void load_archive(void)
{
	static const char soname[] = "libarchive.so.13";
	struct lazylib_archive *tbl = &lazylib_archive_fns;
	char *why = archive_why;
	void *h = open_lib(soname, "libarchive13", why);

	if (h == NULL)
		return;
	LAZYLIB_ARCHIVE_FUNCS(LAZYLIB_RESOLVE)
}

static void load_crypto(void)
{
	static const char soname[] = "libcrypto.so.3";
	struct lazylib_crypto *tbl = &lazylib_crypto_fns;
	char *why = crypto_why;
	void *h = open_lib(soname, "libssl3", why);

	if (h == NULL)
		return;
	LAZYLIB_CRYPTO_FUNCS(LAZYLIB_RESOLVE)
}

int lazylib_crypto(struct rcr_error **err)
{
	pthread_once(&crypto_once, load_crypto);
	if (crypto_why[0] != '\0') {
		rcr_error_set(err, ELIBACC, "%s", crypto_why);
		return -1;
	}
	return 0;
}

int lazylib_curl(struct rcr_error **err)
{
	pthread_once(&curl_once, load_curl);
	if (curl_why[0] != '\0') {
		rcr_error_set(err, ELIBACC, "%s", curl_why);
		return -1;
	}
	return 0;
}

int lazylib_archive(struct rcr_error **err)
{
	pthread_once(&archive_once, load_archive);
	if (archive_why[0] != '\0') {
		rcr_error_set(err, ELIBACC, "%s", archive_why);
		return -1;
	}
	return 0;
}
