/* libcurl, libarchive and libcrypto, loaded on first use with dlopen.
 *
 * Linked normally, the two bring ~40 shared libraries (Kerberos, LDAP, GnuTLS, ICU, libxml2...)
 * that the dynamic loader maps and relocates at every start of rcr: about 12 ms, more than
 * `rcr images` spends on its own work. Commands that never talk to a registry or read an
 * archive should not pay for them (DESIGN.md §1: start time is where rcr beats Podman).
 *
 * Code that calls them includes this header after <curl/curl.h> or <archive.h>: each function it
 * uses is a macro for a pointer in a table that lazylib_curl()/lazylib_archive() fill once.
 * Every public entry point that reaches such code calls the loader first; a missing library is
 * an error that names the Debian package to install.
 */
#ifndef RCR_IMAGE_LAZYLIB_H
#define RCR_IMAGE_LAZYLIB_H

#define CURL_DISABLE_TYPECHECK 1
#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "pkg/error.h"

/* X(return type, name, parameter list) for every function rcr uses. */
#define LAZYLIB_CURL_FUNCS(X)                                                                      \
	X(CURLcode, curl_global_init, (long))                                                      \
	X(CURL *, curl_easy_init, (void))                                                          \
	X(void, curl_easy_cleanup, (CURL *))                                                       \
	X(void, curl_easy_reset, (CURL *))                                                         \
	X(CURLcode, curl_easy_setopt, (CURL *, CURLoption, ...))                                   \
	X(CURLcode, curl_easy_perform, (CURL *))                                                   \
	X(const char *, curl_easy_strerror, (CURLcode))                                            \
	X(char *, curl_easy_escape, (CURL *, const char *, int))                                   \
	X(void, curl_free, (void *))                                                               \
	X(struct curl_slist *, curl_slist_append, (struct curl_slist *, const char *))             \
	X(void, curl_slist_free_all, (struct curl_slist *))

#define LAZYLIB_ARCHIVE_FUNCS(X)                                                                   \
	X(struct archive *, archive_read_new, (void))                                              \
	X(int, archive_read_free, (struct archive *))                                              \
	X(int, archive_read_support_format_tar, (struct archive *))                                \
	X(int, archive_read_support_format_raw, (struct archive *))                                \
	X(int, archive_read_support_format_empty, (struct archive *))                              \
	X(int, archive_read_support_filter_all, (struct archive *))                                \
	X(int, archive_read_open,                                                                  \
	  (struct archive *, void *, archive_open_callback *, archive_read_callback *,             \
	   archive_close_callback *))                                                              \
	X(int, archive_read_open_filename, (struct archive *, const char *, size_t))               \
	X(int, archive_read_next_header, (struct archive *, struct archive_entry **))              \
	X(la_ssize_t, archive_read_data, (struct archive *, void *, size_t))                       \
	X(int, archive_read_data_block, (struct archive *, const void **, size_t *, la_int64_t *)) \
	X(int, archive_filter_code, (struct archive *, int))                                       \
	X(int, archive_errno, (struct archive *))                                                  \
	X(const char *, archive_error_string, (struct archive *))                                  \
	X(void, archive_set_error, (struct archive *, int, const char *, ...))                     \
	X(time_t, archive_entry_atime, (struct archive_entry *))                                   \
	X(long, archive_entry_atime_nsec, (struct archive_entry *))                                \
	X(int, archive_entry_atime_is_set, (struct archive_entry *))                               \
	X(time_t, archive_entry_mtime, (struct archive_entry *))                                   \
	X(long, archive_entry_mtime_nsec, (struct archive_entry *))                                \
	X(int, archive_entry_mtime_is_set, (struct archive_entry *))                               \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *))                           \
	X(__LA_MODE_T, archive_entry_perm, (struct archive_entry *))                               \
	X(la_int64_t, archive_entry_uid, (struct archive_entry *))                                 \
	X(la_int64_t, archive_entry_gid, (struct archive_entry *))                                 \
	X(const char *, archive_entry_pathname, (struct archive_entry *))                          \
	X(const char *, archive_entry_hardlink, (struct archive_entry *))                          \
	X(const char *, archive_entry_symlink, (struct archive_entry *))                           \
	X(dev_t, archive_entry_rdev, (struct archive_entry *))                                     \
	X(la_int64_t, archive_entry_size, (struct archive_entry *))                                \
	X(int, archive_entry_size_is_set, (struct archive_entry *))                                \
	X(struct archive_entry *, archive_entry_clone, (struct archive_entry *))                   \
	X(void, archive_entry_free, (struct archive_entry *))                                      \
	X(int, archive_entry_xattr_reset, (struct archive_entry *))                                \
	X(int, archive_entry_xattr_next,                                                           \
	  (struct archive_entry *, const char **, const void **, size_t *))

#define LAZYLIB_CRYPTO_FUNCS(X)                                                                    \
	X(EVP_MD_CTX *, EVP_MD_CTX_new, (void))                                                    \
	X(void, EVP_MD_CTX_free, (EVP_MD_CTX *))                                                   \
	X(const EVP_MD *, EVP_sha256, (void))                                                      \
	X(int, EVP_DigestInit_ex, (EVP_MD_CTX *, const EVP_MD *, ENGINE *))                        \
	X(int, EVP_DigestUpdate, (EVP_MD_CTX *, const void *, size_t))                             \
	X(int, EVP_DigestFinal_ex, (EVP_MD_CTX *, unsigned char *, unsigned int *))

#define LAZYLIB_MEMBER(ret, name, params) ret(*fn_##name) params;
struct lazylib_curl {
	LAZYLIB_CURL_FUNCS(LAZYLIB_MEMBER)
};
struct lazylib_archive {
	LAZYLIB_ARCHIVE_FUNCS(LAZYLIB_MEMBER)
};
struct lazylib_crypto {
	LAZYLIB_CRYPTO_FUNCS(LAZYLIB_MEMBER)
};
#undef LAZYLIB_MEMBER

extern struct lazylib_curl lazylib_curl_fns;
extern struct lazylib_archive lazylib_archive_fns;
extern struct lazylib_crypto lazylib_crypto_fns;

/* Load the library once (thread-safe); 0, or -1 with err naming what to install. */
int lazylib_curl(struct rcr_error **err);
int lazylib_archive(struct rcr_error **err);
int lazylib_crypto(struct rcr_error **err);

#ifndef RCR_LAZYLIB_IMPL
/* clang-format off */
#define curl_global_init (*lazylib_curl_fns.fn_curl_global_init)
#define curl_easy_init (*lazylib_curl_fns.fn_curl_easy_init)
#define curl_easy_cleanup (*lazylib_curl_fns.fn_curl_easy_cleanup)
#define curl_easy_reset (*lazylib_curl_fns.fn_curl_easy_reset)
#undef curl_easy_setopt
#define curl_easy_setopt (*lazylib_curl_fns.fn_curl_easy_setopt)
#define curl_easy_perform (*lazylib_curl_fns.fn_curl_easy_perform)
#define curl_easy_strerror (*lazylib_curl_fns.fn_curl_easy_strerror)
#define curl_easy_escape (*lazylib_curl_fns.fn_curl_easy_escape)
#define curl_free (*lazylib_curl_fns.fn_curl_free)
#define curl_slist_append (*lazylib_curl_fns.fn_curl_slist_append)
#define curl_slist_free_all (*lazylib_curl_fns.fn_curl_slist_free_all)
#define archive_read_new (*lazylib_archive_fns.fn_archive_read_new)
#define archive_read_free (*lazylib_archive_fns.fn_archive_read_free)
#define archive_read_support_format_tar (*lazylib_archive_fns.fn_archive_read_support_format_tar)
#define archive_read_support_format_raw (*lazylib_archive_fns.fn_archive_read_support_format_raw)
#define archive_read_support_format_empty (*lazylib_archive_fns.fn_archive_read_support_format_empty)
#define archive_read_support_filter_all (*lazylib_archive_fns.fn_archive_read_support_filter_all)
#define archive_read_open (*lazylib_archive_fns.fn_archive_read_open)
#define archive_read_open_filename (*lazylib_archive_fns.fn_archive_read_open_filename)
#define archive_read_next_header (*lazylib_archive_fns.fn_archive_read_next_header)
#define archive_read_data (*lazylib_archive_fns.fn_archive_read_data)
#define archive_read_data_block (*lazylib_archive_fns.fn_archive_read_data_block)
#define archive_filter_code (*lazylib_archive_fns.fn_archive_filter_code)
#define archive_errno (*lazylib_archive_fns.fn_archive_errno)
#define archive_error_string (*lazylib_archive_fns.fn_archive_error_string)
#define archive_set_error (*lazylib_archive_fns.fn_archive_set_error)
#define archive_entry_atime (*lazylib_archive_fns.fn_archive_entry_atime)
#define archive_entry_atime_nsec (*lazylib_archive_fns.fn_archive_entry_atime_nsec)
#define archive_entry_atime_is_set (*lazylib_archive_fns.fn_archive_entry_atime_is_set)
#define archive_entry_mtime (*lazylib_archive_fns.fn_archive_entry_mtime)
#define archive_entry_mtime_nsec (*lazylib_archive_fns.fn_archive_entry_mtime_nsec)
#define archive_entry_mtime_is_set (*lazylib_archive_fns.fn_archive_entry_mtime_is_set)
#define archive_entry_filetype (*lazylib_archive_fns.fn_archive_entry_filetype)
#define archive_entry_perm (*lazylib_archive_fns.fn_archive_entry_perm)
#define archive_entry_uid (*lazylib_archive_fns.fn_archive_entry_uid)
#define archive_entry_gid (*lazylib_archive_fns.fn_archive_entry_gid)
#define archive_entry_pathname (*lazylib_archive_fns.fn_archive_entry_pathname)
#define archive_entry_hardlink (*lazylib_archive_fns.fn_archive_entry_hardlink)
#define archive_entry_symlink (*lazylib_archive_fns.fn_archive_entry_symlink)
#define archive_entry_rdev (*lazylib_archive_fns.fn_archive_entry_rdev)
#define archive_entry_size (*lazylib_archive_fns.fn_archive_entry_size)
#define archive_entry_size_is_set (*lazylib_archive_fns.fn_archive_entry_size_is_set)
#define archive_entry_clone (*lazylib_archive_fns.fn_archive_entry_clone)
#define archive_entry_free (*lazylib_archive_fns.fn_archive_entry_free)
#define archive_entry_xattr_reset (*lazylib_archive_fns.fn_archive_entry_xattr_reset)
#define archive_entry_xattr_next (*lazylib_archive_fns.fn_archive_entry_xattr_next)
#define EVP_MD_CTX_new (*lazylib_crypto_fns.fn_EVP_MD_CTX_new)
#define EVP_MD_CTX_free (*lazylib_crypto_fns.fn_EVP_MD_CTX_free)
#define EVP_sha256 (*lazylib_crypto_fns.fn_EVP_sha256)
#define EVP_DigestInit_ex (*lazylib_crypto_fns.fn_EVP_DigestInit_ex)
#define EVP_DigestUpdate (*lazylib_crypto_fns.fn_EVP_DigestUpdate)
#define EVP_DigestFinal_ex (*lazylib_crypto_fns.fn_EVP_DigestFinal_ex)
/* clang-format on */
#endif

#endif
