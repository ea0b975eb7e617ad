/* A small TAP producer for rcr's C unit tests, read by prove.
 *
 *	int main(void) {
 *		tap_plan(2);
 *		ok(1 + 1 == 2, "addition");
 *		is_str(s, "x", "s is x");
 *		return tap_done();
 *	}
 *
 * Header-only on purpose: each test is one file and one binary.
 */
#ifndef RCR_TESTS_UNIT_TAP_H
#define RCR_TESTS_UNIT_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;
static int tap_planned = -1;

static inline void tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

__attribute__((format(printf, 4, 5))) static inline int tap_ok_at(int cond, const char *file,
								  int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                                     \
	do {                                                                                       \
		long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);                   \
		if (!tap_ok_at(tap_g_ == tap_w_, __FILE__, __LINE__, __VA_ARGS__))                 \
			printf("#   got %lld, want %lld\n", tap_g_, tap_w_);                       \
	} while (0)

#define is_str(got, want, ...)                                                                     \
	do {                                                                                       \
		const char *tap_g_ = (got), *tap_w_ = (want);                                      \
		int tap_c_ = (tap_g_ == NULL && tap_w_ == NULL) ||                                 \
			     (tap_g_ != NULL && tap_w_ != NULL && strcmp(tap_g_, tap_w_) == 0);    \
		if (!tap_ok_at(tap_c_, __FILE__, __LINE__, __VA_ARGS__))                           \
			printf("#   got '%s', want '%s'\n", tap_g_ ? tap_g_ : "(null)",            \
			       tap_w_ ? tap_w_ : "(null)");                                        \
	} while (0)

/* Substring match, for error chains. */
#define has_str(got, needle, ...)                                                                  \
	do {                                                                                       \
		const char *tap_g_ = (got);                                                        \
		if (!tap_ok_at(tap_g_ != NULL && strstr(tap_g_, (needle)) != NULL, __FILE__,       \
			       __LINE__, __VA_ARGS__))                                             \
			printf("#   '%s' does not contain '%s'\n", tap_g_ ? tap_g_ : "(null)",     \
			       (needle));                                                          \
	} while (0)

static inline int tap_done(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_count);
	else if (tap_planned != tap_count)
		printf("# planned %d tests but ran %d\n", tap_planned, tap_count);
	return tap_failed > 0 || (tap_planned >= 0 && tap_planned != tap_count);
}

#endif
