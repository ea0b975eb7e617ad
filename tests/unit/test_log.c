/* Unit tests of pkg/log.c: level names, filtering, and the logrus line format users grep. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pkg/log.h"
#include "tests/unit/tap.h"

static int log_pipe[2] = {-1, -1};

/* Everything written to the log pipe so far, as one string (lines of one test). */
static const char *drain(void)
{
	static char buf[8192];
	ssize_t n = read(log_pipe[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	/* The seconds counter depends on how slow the machine is (valgrind): zero it. */
	for (char *line = buf; *line != '\0';) {
		char *nl = strchr(line, '\n');

		if (strlen(line) > 10 && line[4] == '[' && line[9] == ']')
			memset(line + 5, '0', 4);
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	return buf;
}

static void test_parse(void)
{
	static const struct {
		const char *name;
		enum rcr_log_level level;
	} cases[] = {
		{"trace", RCR_LOG_DEBUG}, {"debug", RCR_LOG_DEBUG},  {"info", RCR_LOG_INFO},
		{"warn", RCR_LOG_WARN},	  {"warning", RCR_LOG_WARN}, {"error", RCR_LOG_ERROR},
		{"fatal", RCR_LOG_ERROR}, {"panic", RCR_LOG_ERROR},
	};
	enum rcr_log_level l = RCR_LOG_INFO;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l = RCR_LOG_INFO;
		ok(rcr_log_level_parse(cases[i].name, &l) == 0 && l == cases[i].level,
		   "level '%s' parses", cases[i].name);
	}
	l = RCR_LOG_INFO;
	is_int(rcr_log_level_parse("verbose", &l), -1, "an unknown level is refused");
	is_int(l, RCR_LOG_INFO, "and leaves the output alone");
	is_int(rcr_log_level_parse("WARN", &l), -1, "level names are lower case, as logrus'");
}

static void test_default_and_filter(void)
{
	is_int(rcr_log_get_level(), RCR_LOG_WARN, "default level is warn, as Podman's");
	rcr_info("hidden %d", 1);
	rcr_debug("hidden too");
	rcr_warn("disk %s", "full");
	is_str(drain(), "WARN[0000] disk full\n", "warn line in logrus form; info/debug dropped");
	rcr_log(RCR_LOG_ERROR, "broken");
	is_str(drain(), "ERRO[0000] broken\n", "error lines are tagged ERRO");
}

static void test_levels(void)
{
	rcr_log_set_level(RCR_LOG_DEBUG);
	is_int(rcr_log_get_level(), RCR_LOG_DEBUG, "level can be lowered");
	rcr_debug("d");
	rcr_info("i");
	is_str(drain(), "DEBU[0000] d\nINFO[0000] i\n", "debug and info appear at debug level");
	rcr_log_set_level(RCR_LOG_ERROR);
	rcr_warn("w");
	rcr_log(RCR_LOG_ERROR, "e");
	is_str(drain(), "ERRO[0000] e\n", "warnings dropped at error level");
	rcr_log_set_level(RCR_LOG_WARN);
}

static void test_long_line(void)
{
	static char big[5000];
	const char *got;
	size_t n;

	memset(big, 'x', sizeof(big) - 1);
	rcr_warn("%s", big);
	got = drain();
	n = strlen(got);
	ok(n <= 2048 && n > 2000, "a long message is cut to one buffer (%zu bytes)", n);
	ok(n > 0 && got[n - 1] == '\n', "and still ends with a newline");
	ok(strncmp(got, "WARN[0000] xxx", 14) == 0, "and keeps its prefix");
}

int main(void)
{
	if (pipe2(log_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return 1;
	rcr_log_set_fd(log_pipe[1]);
	test_parse();
	test_default_and_filter();
	test_levels();
	test_long_line();
	rcr_log_set_fd(2);
	close(log_pipe[0]);
	close(log_pipe[1]);
	return tap_done();
}
