/* Generated /etc files (etcfiles.h). Pure text builders plus one writer; never touches the
 * host's own files other than reading /etc/resolv.conf and /etc/hosts.
 */
#include "network/etcfiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

char *net_hosts_text(const char *hostname, const char *name, const char *network)
{
	char *text = NULL;

	if (strcmp(network, "host") == 0) {
		_cleanup_error_ struct rcr_error *ignored = NULL;
		char *host = fs_read_file("/etc/hosts", 1 << 20, NULL, &ignored);

		if (host != NULL)
			return host;
	}
	if (asprintf(&text,
		     "127.0.0.1\tlocalhost localhost.localdomain localhost4 "
		     "localhost4.localdomain4\n"
		     "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"
		     "127.0.1.1\t%s %s\n",
		     hostname, name) < 0)
		return NULL;
	return text;
}

static bool keep_line(const char *line, size_t len, const char *network)
{
	if (strcmp(network, "host") == 0)
		return true;
	/* Without a network no server is reachable; search domains and options stay. */
	return (len >= 6 && strncmp(line, "search", 6) == 0) ||
	       (len >= 7 && strncmp(line, "options", 7) == 0);
}

char *net_resolv_text(const char *host_text, const char *network)
{
	/* + a newline for a last line without one, + the NUL */
	size_t cap = (host_text ? strlen(host_text) : 0) + 2;
	char *out = malloc(cap), *p = out;

	if (out == NULL)
		return NULL;
	for (const char *line = host_text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (keep_line(line, len, network)) {
			memcpy(p, line, len);
			p += len;
			*p++ = '\n';
		}
		line = nl ? nl + 1 : NULL;
	}
	*p = '\0';
	return out;
}

static int write_text(const char *dir, const char *name, const char *text, struct rcr_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);

	if (text == NULL) {
		rcr_error_set(err, 12, "out of memory");
		return -1;
	}
	return fs_write_replace(path, text, strlen(text), 0644, err);
}

int net_etc_files_write(const char *dir, const char *hostname, const char *name,
			const char *network, struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *ignored = NULL;
	_cleanup_free_ char *host_resolv =
		fs_read_file("/etc/resolv.conf", 1 << 20, NULL, &ignored);
	_cleanup_free_ char *hosts = net_hosts_text(hostname, name, network);
	_cleanup_free_ char *resolv = net_resolv_text(host_resolv, network);
	_cleanup_free_ char *hn = NULL;

	if (asprintf(&hn, "%s\n", hostname) < 0)
		hn = NULL;
	if (write_text(dir, "hosts", hosts, err) < 0 || write_text(dir, "hostname", hn, err) < 0 ||
	    write_text(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}
