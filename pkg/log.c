/* Levelled logging (see log.h).
 *
 * One write(2) per line so lines from concurrent processes never interleave mid-line. Must never
 * allocate on the heap: it is called from forked children before exec.
 */
#include "pkg/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum rcr_log_level current_level = RCR_LOG_WARN;
static int log_fd = 2;
static struct timespec log_start;

/* Runs before main so that the [0000] counter starts with the process, as logrus' does. */
__attribute__((constructor)) static void log_init(void)
{
	clock_gettime(CLOCK_MONOTONIC, &log_start);
}

int rcr_log_level_parse(const char *name, enum rcr_log_level *out)
{
	static const struct {
		const char *name;
		enum rcr_log_level level;
	} names[] = {
		{"trace", RCR_LOG_DEBUG}, {"debug", RCR_LOG_DEBUG},  {"info", RCR_LOG_INFO},
		{"warn", RCR_LOG_WARN},	  {"warning", RCR_LOG_WARN}, {"error", RCR_LOG_ERROR},
		{"fatal", RCR_LOG_ERROR}, {"panic", RCR_LOG_ERROR},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name) == 0) {
			*out = names[i].level;
			return 0;
		}
	}
	return -1;
}

void rcr_log_set_level(enum rcr_log_level level)
{
	current_level = level;
}

enum rcr_log_level rcr_log_get_level(void)
{
	return current_level;
}

void rcr_log_set_fd(int fd)
{
	log_fd = fd;
}

static const char *level_tag(enum rcr_log_level level)
{
	switch (level) {
	case RCR_LOG_DEBUG:
		return "DEBU";
	case RCR_LOG_INFO:
		return "INFO";
	case RCR_LOG_WARN:
		return "WARN";
	case RCR_LOG_ERROR:
		return "ERRO";
	}
	return "????";
}

void rcr_log(enum rcr_log_level level, const char *fmt, ...)
{
	char line[2048];
	struct timespec now;
	va_list ap;
	int n;
	int m;

	if (level < current_level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	n = snprintf(line, sizeof(line), "%s[%04ld] ", level_tag(level),
		     (long)(now.tv_sec - log_start.tv_sec));
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* Best effort: a log line that cannot be written has nowhere else to go. */
	if (write(log_fd, line, (size_t)n) < 0)
		return;
}
