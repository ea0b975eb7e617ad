/* Levelled logging to stderr in Podman's (logrus) text form: `WARN[0000] text`, the number being
 * whole seconds since the process started. Users' scripts and Podman's tests grep these lines.
 */
#ifndef RCR_PKG_LOG_H
#define RCR_PKG_LOG_H

enum rcr_log_level {
	RCR_LOG_DEBUG,
	RCR_LOG_INFO,
	RCR_LOG_WARN,
	RCR_LOG_ERROR,
};

/* Parse "debug", "info", "warn"/"warning", "error" (also logrus' "trace", "fatal", "panic",
 * mapped to the nearest level). Returns -1 for anything else. */
int rcr_log_level_parse(const char *name, enum rcr_log_level *out);

/* Messages below this level are dropped; default RCR_LOG_WARN, as Podman's. */
void rcr_log_set_level(enum rcr_log_level level);
enum rcr_log_level rcr_log_get_level(void);

/* Redirect output (default stderr's fd 2); for the monitor's log and for tests. */
void rcr_log_set_fd(int fd);

__attribute__((format(printf, 2, 3))) void rcr_log(enum rcr_log_level level, const char *fmt, ...);

#define rcr_debug(...) rcr_log(RCR_LOG_DEBUG, __VA_ARGS__)
#define rcr_info(...)  rcr_log(RCR_LOG_INFO, __VA_ARGS__)
#define rcr_warn(...)  rcr_log(RCR_LOG_WARN, __VA_ARGS__)

#endif
