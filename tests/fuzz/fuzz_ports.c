/* libFuzzer target: -p port specs. The input is one spec per line ("8080:80\n[::1]::53/udp");
 * each line (a NUL-terminated copy) is parsed by net_port_parse into one list, as several -p
 * flags are, and as an image's ExposedPorts key. Any input must parse or fail without reading
 * past the buffers or leaking; a failure sets an error and leaves the list as it was; a success
 * keeps the parser's promises (at most NET_PORTS_MAX entries, ports 1-65535 and ranges that end
 * there, host_ip NUL-terminated) and net_port_format's text parses back to the same entry. The
 * display helpers of container/network.c then show the canonical texts: one ps entry and one
 * `rcr port` line per port.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/network.h"
#include "network/ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct net_port *a, const struct net_port *b)
{
	return strcmp(a->host_ip, b->host_ip) == 0 && a->host_port == b->host_port &&
	       a->ctr_port == b->ctr_port && a->count == b->count && a->udp == b->udp;
}

static void check_entry(const struct net_port *p)
{
	struct net_port back[2];
	struct rcr_error *err = NULL;
	size_t n = 0;
	char *text;

	if (p->count < 1 || p->ctr_port < 1 || p->ctr_port + p->count - 1 > 65535 ||
	    (p->host_port != 0 && p->host_port + p->count - 1 > 65535) ||
	    memchr(p->host_ip, '\0', sizeof(p->host_ip)) == NULL)
		abort();
	text = net_port_format(p);
	if (text == NULL)
		return;
	if (net_port_parse(text, back, &n, &err) < 0 || err != NULL || n != 1 || !same(&back[0], p))
		abort();
	free(text);
}

/* A failure sets an error and leaves v and n alone; a success sets none and adds 1 or 2. */
static void parse_line(const char *line, struct net_port *v, size_t *n, bool exposed)
{
	struct rcr_error *err = NULL;
	size_t before = *n;
	struct net_port last = before > 0 ? v[before - 1] : (struct net_port){0};
	int rc = exposed ? net_port_parse_exposed(line, v, n, &err)
			 : net_port_parse(line, v, n, &err);

	if (rc < 0) {
		if (err == NULL || err->msg == NULL || *n != before ||
		    (before > 0 && !same(&v[before - 1], &last)))
			abort();
		rcr_error_clear(&err);
		return;
	}
	if (err != NULL || *n < before + 1 || *n > before + 2 || *n > NET_PORTS_MAX ||
	    (*n == before + 2 && (v[before].udp || !v[before + 1].udp)))
		abort();
	for (size_t i = before; i < *n; i++) {
		check_entry(&v[i]);
		if (exposed && (v[i].host_port != 0 || v[i].host_ip[0] != '\0'))
			abort();
	}
}

/* ps and `rcr port` show every entry of the canonical texts, one line per port. */
static void check_display(const struct net_port *v, size_t n)
{
	char **texts = calloc(n + 1, sizeof(char *)), **lines, *summary;
	size_t ports = 0, got = 0, seps = 0;
	json_t *j;

	if (texts == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		texts[i] = net_port_format(&v[i]);
		ports += v[i].count;
	}
	summary = ctr_ports_summary(texts);
	for (const char *s = summary; s != NULL && (s = strstr(s, ", ")) != NULL; s += 2)
		seps++;
	if (summary != NULL && seps + (n > 0) != n)
		abort();
	free(summary);
	/* a line per port: keep the allocation small for the fuzzer's speed */
	if (ports <= 4096) {
		lines = ctr_port_lines(texts, NULL);
		while (lines != NULL && lines[got] != NULL)
			free(lines[got++]);
		if (lines != NULL && got != ports)
			abort();
		free(lines);
		j = ctr_ports_json(texts);
		json_decref(j);
	}
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct net_port v[NET_PORTS_MAX], exp[NET_PORTS_MAX];
	size_t n = 0, n_exp = 0;
	struct rcr_error *err = NULL;
	char *save = NULL;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* the whole input as one argument first: newlines and all */
	parse_line(text, v, &n, false);
	n = 0;
	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		parse_line(line, v, &n, false);
		parse_line(line, exp, &n_exp, true);
	}
	/* the checks must agree with their return value */
	if ((net_ports_check_unique(v, n, &err) < 0) != (err != NULL))
		abort();
	rcr_error_clear(&err);
	if ((net_ports_check_floor(v, n, 1024, &err) < 0) != (err != NULL))
		abort();
	rcr_error_clear(&err);
	check_display(v, n);
	free(text);
	return 0;
}
