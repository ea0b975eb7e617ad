/* Generated /etc files (etcfiles.h). Text builders on a growing buffer plus one writer; never
 * touches the host's own files other than reading /etc/resolv.conf and /etc/hosts.
 */
#include "network/etcfiles.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

/* An open_memstream buffer: the text, or NULL when memory ran out. */
struct text {
	FILE *f;
	char *buf;
	size_t len;
};

static bool text_open(struct text *t)
{
	t->buf = NULL;
	t->f = open_memstream(&t->buf, &t->len);
	return t->f != NULL;
}

static char *text_close(struct text *t)
{
	if (fclose(t->f) != 0) {
		free(t->buf);
		return NULL;
	}
	return t->buf;
}

static size_t strv_count(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* "NAME:IP" split at the first ':' or '=' (an IPv6 address holds colons, a name never). */
static const char *add_host_ip(const char *arg, size_t *name_len)
{
	size_t n = strcspn(arg, ":=");

	*name_len = n;
	return arg[n] ? arg + n + 1 : NULL;
}

int net_add_host_check(const char *arg, struct rcr_error **err)
{
	unsigned char buf[16];
	size_t n;
	const char *ip = add_host_ip(arg, &n);

	if (ip == NULL || n == 0 || *ip == '\0') {
		rcr_error_set(err, EINVAL, "invalid --add-host '%s': expected NAME:IP", arg);
		return -1;
	}
	if (strcmp(ip, "host-gateway") == 0 || inet_pton(AF_INET, ip, buf) == 1 ||
	    inet_pton(AF_INET6, ip, buf) == 1)
		return 0;
	rcr_error_set(err, EINVAL,
		      "invalid --add-host '%s': '%s' is not an IP address (or 'host-gateway')", arg,
		      ip);
	return -1;
}

static void hosts_add_hosts(FILE *f, const struct net_etc_conf *c)
{
	for (size_t i = 0; i < strv_count(c->add_hosts); i++) {
		size_t n;
		const char *ip = add_host_ip(c->add_hosts[i], &n);

		if (ip == NULL)
			continue;
		if (strcmp(ip, "host-gateway") == 0)
			ip = c->host_ip ? c->host_ip : "127.0.0.1";
		fprintf(f, "%s\t%.*s\n", ip, (int)n, c->add_hosts[i]);
	}
}

char *net_hosts_text(const struct net_etc_conf *c, const char *host_hosts)
{
	struct text t;
	bool host = strcmp(c->network, "host") == 0;

	if (!text_open(&t))
		return NULL;
	if (host && host_hosts != NULL) {
		fputs(host_hosts, t.f);
		if (*host_hosts != '\0' && host_hosts[strlen(host_hosts) - 1] != '\n')
			fputc('\n', t.f);
	} else {
		fputs("127.0.0.1\tlocalhost localhost.localdomain localhost4 "
		      "localhost4.localdomain4\n"
		      "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n",
		      t.f);
	}
	hosts_add_hosts(t.f, c);
	if (c->host_ip != NULL)
		fprintf(t.f, "%s\thost.containers.internal host.docker.internal\n", c->host_ip);
	if (!host || host_hosts == NULL)
		fprintf(t.f, "%s\t%s %s\n", c->ctr_ip ? c->ctr_ip : "127.0.1.1", c->hostname,
			c->name);
	return text_close(&t);
}

static bool starts_with_word(const char *line, size_t len, const char *word)
{
	size_t w = strlen(word);

	return len > w && strncmp(line, word, w) == 0 && (line[w] == ' ' || line[w] == '\t');
}

/* Which host lines survive: the host network keeps all but what --dns* replaces; other modes
 * keep search and options only. */
static bool keep_line(const char *line, size_t len, const struct net_etc_conf *c)
{
	bool host = strcmp(c->network, "host") == 0;

	if (starts_with_word(line, len, "nameserver"))
		return host && strv_count(c->dns) == 0;
	if (starts_with_word(line, len, "search") || starts_with_word(line, len, "domain"))
		return strv_count(c->dns_search) == 0 && (host || line[0] == 's');
	if (starts_with_word(line, len, "options"))
		return strv_count(c->dns_options) == 0;
	return host;
}

static void resolv_servers(FILE *f, const struct net_etc_conf *c)
{
	size_t n = strv_count(c->dns);

	for (size_t i = 0; i < n; i++)
		fprintf(f, "nameserver %s\n", c->dns[i]);
	if (n == 0 && c->nameserver != NULL && strcmp(c->network, "host") != 0)
		fprintf(f, "nameserver %s\n", c->nameserver);
}

static void resolv_list(FILE *f, const char *word, char *const *v)
{
	size_t n = strv_count(v);

	/* "--dns-search ." means no search domains at all, as in Docker */
	if (n == 0 || (n == 1 && strcmp(v[0], ".") == 0))
		return;
	fputs(word, f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", v[i]);
	fputc('\n', f);
}

char *net_resolv_text(const struct net_etc_conf *c, const char *host_text)
{
	struct text t;

	if (!text_open(&t))
		return NULL;
	resolv_list(t.f, "search", c->dns_search);
	resolv_servers(t.f, c);
	for (const char *line = host_text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (keep_line(line, len, c))
			fprintf(t.f, "%.*s\n", (int)len, line);
		line = nl ? nl + 1 : NULL;
	}
	resolv_list(t.f, "options", c->dns_options);
	return text_close(&t);
}

static int write_text(const char *dir, const char *name, const char *text, struct rcr_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);

	if (text == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return fs_write_replace(path, text, strlen(text), 0644, err);
}

int net_etc_files_write(const char *dir, const struct net_etc_conf *c, struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *ignored = NULL, *ignored2 = NULL;
	_cleanup_free_ char *host_resolv =
		fs_read_file("/etc/resolv.conf", 1 << 20, NULL, &ignored);
	_cleanup_free_ char *host_hosts =
		strcmp(c->network, "host") == 0
			? fs_read_file("/etc/hosts", 1 << 20, NULL, &ignored2)
			: NULL;
	_cleanup_free_ char *hosts = net_hosts_text(c, host_hosts);
	_cleanup_free_ char *resolv = net_resolv_text(c, host_resolv);
	_cleanup_free_ char *hn = NULL;

	if (asprintf(&hn, "%s\n", c->hostname) < 0)
		hn = NULL;
	if (write_text(dir, "hosts", hosts, err) < 0 || write_text(dir, "hostname", hn, err) < 0 ||
	    write_text(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}
