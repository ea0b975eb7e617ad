/* A container's network (network.h): the mode and its helper chosen at create, published ports
 * parsed, checked and given free host ports, the /etc files written, and the ports shown back.
 *
 * Must never accept what the helper would refuse later at start: every port, option and address
 * is checked here, so that `rcr create` fails instead of every `rcr start`.
 */
#include "container/network.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/etcfiles.h"
#include "network/helper.h"
#include "network/hostroute.h"
#include "network/ports.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static char **split_opts(const char *text)
{
	_cleanup_free_ char *copy = strdup(text);
	char **v = calloc(strlen(text) / 2 + 2, sizeof(char *)), *save = NULL;
	size_t n = 0;

	if (copy == NULL || v == NULL) {
		free(v);
		return NULL;
	}
	for (char *w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save))
		v[n++] = strdup(w);
	return v;
}

/* The host's default route, read once per rcr process: the default mode and the /etc files of
 * one create both need it. NULL when there is none. */
static const struct net_host_route *host_route(void)
{
	static struct net_host_route r;
	static int known; /* 0 unread, 1 found, -1 none */

	if (known == 0)
		known = net_host_default_route(&r) ? 1 : -1;
	return known > 0 ? &r : NULL;
}

/* pasta when it is installed and has a default route to copy, else slirp4netns. The helper
 * found on the way is kept (*helper, owned), so that it is looked up in $PATH once. */
static const char *default_mode(char **helper)
{
	*helper = proc_find_in_path("pasta");
	if (*helper != NULL && host_route() != NULL)
		return "pasta";
	free(*helper);
	*helper = proc_find_in_path("slirp4netns");
	return "slirp4netns";
}

static int unsupported_mode(const char *arg, struct rcr_error **err)
{
	rcr_error_set(err, ENOTSUP,
		      "network mode '%s' is not supported: rcr has no user-defined networks; use "
		      "pasta (the default), slirp4netns, host, none, container:NAME or ns:PATH",
		      arg);
	return -1;
}

/* The other container's spec, as it was created. */
static int target_spec(struct store *st, const char *id, struct rt_spec *out,
		       struct rcr_error **err)
{
	_cleanup_free_ char *dir = ctr_userdata(st, id);
	_cleanup_free_ char *path = fs_path_join(dir, "spec.json");

	return rt_spec_read(path, out, err);
}

/* Its network must be one of its own (the host's belongs to the user's namespace) and its user
 * namespace have the default maps, which this container then runs with. */
static int check_target(struct store *st, const struct store_container *row, struct rcr_error **err)
{
	struct rt_spec t = {0};
	int rc = 0;

	if (target_spec(st, row->id, &t, err) < 0)
		return -1;
	if (strcmp(t.network, "host") == 0) {
		rcr_error_set(err, EINVAL,
			      "container '%s' uses the host's network: use --network host instead",
			      row->name);
		rc = -1;
	} else if (t.store_uidmap.n > 0) {
		rcr_error_set(
			err, EINVAL,
			"container '%s' runs with id maps of its own (--userns, --uidmap): its "
			"network cannot be joined, since joining it means running in its user "
			"namespace",
			row->name);
		rc = -1;
	}
	rt_spec_release(&t);
	return rc;
}
/* container:NAME (the other container must exist now and run at each start) and ns:PATH (a
 * network namespace file, e.g. /proc/PID/ns/net or a bind-mounted one). */
static int parse_join(struct store *st, const char *arg, struct rt_spec *s, struct rcr_error **err)
{
	const char *target = strchr(arg, ':') + 1;
	struct store_container row = {0};

	if (*target == '\0') {
		rcr_error_set(err, EINVAL, "network mode '%s' names nothing to join", arg);
		return -1;
	}
	if (arg[0] == 'n') {
		if (target[0] != '/' || !fs_exists(target)) {
			rcr_error_set(err, ENOENT,
				      "--network %s: '%s' is not an existing absolute path to a "
				      "network namespace",
				      arg, target);
			return -1;
		}
		s->network = strdup("ns");
		s->net_target = strdup(target);
		s->netns_path = strdup(target);
		return 0;
	}
	if (ctr_lookup(st, target, &row, err) < 0) {
		rcr_error_wrap(err, "--network %s", arg);
		return -1;
	}
	if (check_target(st, &row, err) < 0) {
		store_container_release(&row);
		return -1;
	}
	s->network = strdup("container");
	s->net_target = strdup(row.id);
	s->netns_path = ctr_userdata(st, row.id);
	store_container_release(&row);
	return 0;
}

/* "pasta:OPT,OPT" -> mode and options; NULL/"private" -> the default. */
static int parse_mode(struct store *st, const char *arg, struct rt_spec *s, struct rcr_error **err)
{
	const char *colon;
	size_t len;

	if (arg == NULL || *arg == '\0' || strcmp(arg, "private") == 0)
		arg = default_mode(&s->net_helper);
	if (strncmp(arg, "container:", 10) == 0 || strncmp(arg, "ns:", 3) == 0)
		return parse_join(st, arg, s, err);
	colon = strchr(arg, ':');
	len = colon ? (size_t)(colon - arg) : strlen(arg);
	if ((len == 4 && strncmp(arg, "none", 4) == 0) ||
	    (len == 4 && strncmp(arg, "host", 4) == 0)) {
		if (colon != NULL) {
			rcr_error_set(err, EINVAL, "network mode '%.*s' takes no options: '%s'",
				      (int)len, arg, arg);
			return -1;
		}
	} else if (!(len == 5 && strncmp(arg, "pasta", 5) == 0) &&
		   !(len == 11 && strncmp(arg, "slirp4netns", 11) == 0)) {
		return unsupported_mode(arg, err);
	}
	s->network = strndup(arg, len);
	if (colon != NULL && colon[1] != '\0')
		s->net_opts = split_opts(colon + 1);
	return net_helper_check_opts(s->network, s->net_opts, err);
}

static int find_helper(struct rt_spec *s, struct rcr_error **err)
{
	if (strcmp(s->network, "pasta") != 0 && strcmp(s->network, "slirp4netns") != 0)
		return 0;
	if (s->net_helper == NULL)
		s->net_helper = proc_find_in_path(s->network);
	if (s->net_helper != NULL)
		return 0;
	rcr_error_set(err, ENOENT,
		      "--network %s: '%s' is not installed: install it (Debian: apt-get install "
		      "%s), or use --network %s",
		      s->network, s->network,
		      strcmp(s->network, "pasta") == 0 ? "passt" : "slirp4netns",
		      strcmp(s->network, "pasta") == 0 ? "slirp4netns" : "pasta");
	return -1;
}

static bool published(const struct net_port *v, size_t n, const struct net_port *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].udp == p->udp && v[i].ctr_port <= p->ctr_port &&
		    p->ctr_port < v[i].ctr_port + v[i].count)
			return true;
	return false;
}

/* -P: the image's ExposedPorts not published by -p already, on free host ports. */
static int add_exposed(json_t *cfg, struct net_port *v, size_t *n, struct rcr_error **err)
{
	json_t *exposed = json_object_get(cfg, "ExposedPorts"), *val;
	size_t given = *n;
	const char *key;

	json_object_foreach (exposed, key, val) {
		struct net_port p[2];
		size_t k = 0;

		(void)val;
		if (net_port_parse_exposed(key, p, &k, err) < 0)
			return -1;
		for (size_t i = 0; i < k; i++) {
			if (published(v, given, &p[i]))
				continue;
			if (*n >= NET_PORTS_MAX)
				return rcr_error_set(err, E2BIG, "too many ports to publish"), -1;
			v[(*n)++] = p[i];
		}
	}
	return 0;
}

/* --expose PORT[/PROTO] (ranges too): like the image's EXPOSE, published by -P. */
static int add_expose(const struct ctr_opts *o, struct net_port *v, size_t *n,
		      struct rcr_error **err)
{
	for (size_t i = 0; i < count(o->expose); i++) {
		struct net_port p[2];
		size_t k = 0;

		if (strchr(o->expose[i], ':') != NULL ||
		    net_port_parse(o->expose[i], p, &k, err) < 0) {
			if (err != NULL && *err == NULL)
				rcr_error_set(err, EINVAL,
					      "invalid --expose '%s': expected PORT[-PORT][/PROTO]",
					      o->expose[i]);
			return -1;
		}
		for (size_t j = 0; j < k; j++) {
			if (published(v, *n, &p[j]))
				continue;
			if (*n >= NET_PORTS_MAX)
				return rcr_error_set(err, E2BIG, "too many ports to publish"), -1;
			v[(*n)++] = p[j];
		}
	}
	return 0;
}

static int make_ports(const struct ctr_opts *o, json_t *cfg, struct rt_spec *s,
		      struct rcr_error **err)
{
	struct net_port v[NET_PORTS_MAX];
	size_t n = 0;

	for (size_t i = 0; i < count(o->publish); i++)
		if (net_port_parse(o->publish[i], v, &n, err) < 0)
			return -1;
	if (o->publish_all && (add_exposed(cfg, v, &n, err) < 0 || add_expose(o, v, &n, err) < 0))
		return -1;
	if (!o->publish_all) {
		/* without -P an --expose only documents a port; it must still be one */
		struct net_port scratch[NET_PORTS_MAX];
		size_t k = 0;

		if (add_expose(o, scratch, &k, err) < 0)
			return -1;
	}
	if (n == 0)
		return 0;
	if (s->net_helper == NULL) {
		rcr_error_set(err, EINVAL, "ports cannot be published with --network %s: %s",
			      s->network,
			      strcmp(s->network, "host") == 0
				      ? "the container uses the host's ports already"
				      : "use --network pasta or slirp4netns");
		return -1;
	}
	if (net_ports_check_unique(v, n, err) < 0 ||
	    net_ports_check_floor(v, n, net_unprivileged_port_start(), err) < 0 ||
	    net_ports_pick(v, &n, err) < 0)
		return -1;
	s->ports = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; s->ports != NULL && i < n; i++)
		s->ports[i] = net_port_format(&v[i]);
	return 0;
}

static int check_mac(const struct ctr_opts *o, struct rt_spec *s, struct rcr_error **err)
{
	const char *m = o->mac_address;
	bool ok = m != NULL && strlen(m) == 17;

	if (m == NULL)
		return 0;
	/* six pairs of hex digits, colon-separated */
	for (size_t i = 0; ok && i < 17; i++)
		ok = i % 3 == 2 ? m[i] == ':' : isxdigit((unsigned char)m[i]) != 0;
	if (!ok) {
		rcr_error_set(err, EINVAL, "invalid --mac-address '%s': expected XX:XX:XX:XX:XX:XX",
			      o->mac_address);
		return -1;
	}
	if (s->net_helper == NULL) {
		rcr_error_set(err, EINVAL,
			      "--mac-address needs a network of the container's own: not possible "
			      "with --network %s",
			      s->network);
		return -1;
	}
	s->mac_address = strdup(o->mac_address);
	return 0;
}

/* resolv.conf and hosts lines: no whitespace that would start another entry. */
static int check_words(char *const *v, const char *flag, bool ip, struct rcr_error **err)
{
	for (size_t i = 0; i < count(v); i++) {
		unsigned char buf[16];

		if (ip ? (inet_pton(AF_INET, v[i], buf) != 1 && inet_pton(AF_INET6, v[i], buf) != 1)
		       : (*v[i] == '\0' || strpbrk(v[i], " \t\r\n") != NULL)) {
			rcr_error_set(err, EINVAL, "invalid %s '%s'%s", flag, v[i],
				      ip ? ": expected an IP address" : "");
			return -1;
		}
	}
	return 0;
}

static int check_etc(const struct ctr_opts *o, struct rcr_error **err)
{
	if (o->no_hosts && count(o->add_hosts) > 0) {
		rcr_error_set(err, EINVAL, "--no-hosts and --add-host cannot be set together");
		return -1;
	}
	if (check_words(o->dns, "--dns", true, err) < 0 ||
	    check_words(o->dns_search, "--dns-search", false, err) < 0 ||
	    check_words(o->dns_options, "--dns-option", false, err) < 0)
		return -1;
	for (size_t i = 0; i < count(o->add_hosts); i++)
		if (net_add_host_check(o->add_hosts[i], err) < 0)
			return -1;
	return 0;
}

/* Joining another container's network namespace means joining the user namespace that owns
 * it: the container runs with that namespace's maps, so it cannot have maps of its own. */
static int check_join(const struct rt_spec *s, struct rcr_error **err)
{
	if (s->netns_path == NULL || s->store_uidmap.n == 0)
		return 0;
	rcr_error_set(err, EINVAL,
		      "--network %s:%s joins the user namespace that owns that network: it cannot "
		      "be combined with --userns, --uidmap or --gidmap",
		      s->network, s->net_target);
	return -1;
}

int ctr_net_make(struct store *st, const struct ctr_opts *o, json_t *image_config,
		 struct rt_spec *s, struct rcr_error **err)
{
	if (parse_mode(st, o->network, s, err) < 0 || find_helper(s, err) < 0 ||
	    make_ports(o, image_config, s, err) < 0 || check_mac(o, s, err) < 0 ||
	    check_etc(o, err) < 0)
		return -1;
	return 0;
}

/* After the id maps are decided (container/userns.c). */
int ctr_net_check_userns(const struct rt_spec *s, struct rcr_error **err)
{
	return check_join(s, err);
}

/* ---- the /etc files ------------------------------------------------------------------------ */

static bool has_opt(char *const *opts, const char *word)
{
	for (size_t i = 0; i < count(opts); i++)
		if (strcmp(opts[i], word) == 0)
			return true;
	return false;
}

/* slirp4netns's addresses in its cidr (default 10.0.2.0/24): .100 the container, .2 the
 * gateway (the host's loopback with allow_host_loopback), .3 the DNS forwarder. */
static void slirp_addr(char *const *opts, unsigned host, char out[16])
{
	struct in_addr base = {htonl(0x0a000200)}; /* 10.0.2.0 */

	for (size_t i = 0; i < count(opts); i++)
		if (strncmp(opts[i], "cidr=", 5) == 0) {
			char addr[16];

			const char *slash = strchr(opts[i] + 5, '/');
			long bits = slash ? strtol(slash + 1, NULL, 10) : 24;

			snprintf(addr, sizeof(addr), "%.*s", (int)strcspn(opts[i] + 5, "/"),
				 opts[i] + 5);
			if (inet_pton(AF_INET, addr, &base) != 1 || bits < 1 || bits > 25)
				base.s_addr = htonl(0x0a000200);
			else /* the network's own address, as slirp4netns counts from it */
				base.s_addr &= htonl(~0U << (32 - bits));
		}
	base.s_addr = htonl(ntohl(base.s_addr) + host);
	inet_ntop(AF_INET, &base, out, 16);
}

/* container:NAME shares the other container's hosts and resolv.conf (copied now, as Podman
 * shares them); ns:PATH gets the host's resolv.conf, as with the host network. */
static int join_etc(const struct rt_spec *s, struct net_etc_conf *c, struct rcr_error **err)
{
	static const char *const files[] = {"hosts", "resolv.conf"};

	c->network = "host";
	if (net_etc_files_write(s->userdata, c, err) < 0)
		return -1;
	if (strcmp(s->network, "container") != 0)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *from = fs_path_join(s->netns_path, files[i]);
		_cleanup_free_ char *to = fs_path_join(s->userdata, files[i]);
		size_t len = 0;
		_cleanup_free_ char *text = fs_read_file(from, 1 << 20, &len, err);

		if (text == NULL || fs_write_replace(to, text, len, 0644, err) < 0)
			return -1;
	}
	return 0;
}

int ctr_net_write_etc(const struct ctr_opts *o, const struct rt_spec *s, struct rcr_error **err)
{
	struct net_etc_conf c = {s->hostname, s->name, s->network,    NULL,	      NULL,
				 NULL,	      o->dns,  o->dns_search, o->dns_options, o->add_hosts};
	const struct net_host_route *r = NULL;
	char ctr[16], gw[16], dns[16];

	/* the route is read only for the helpers' modes (none and host need nothing) */
	if (s->net_helper != NULL)
		r = host_route();
	if (strcmp(s->network, "pasta") == 0) {
		/* pasta gives the container the host's address and maps the gateway to the
		 * host's loopback (unless --no-map-gw) */
		c.ctr_ip = r && r->addr[0] ? r->addr : NULL;
		c.host_ip = r && r->gateway[0] && !has_opt(s->net_opts, "--no-map-gw") ? r->gateway
										       : NULL;
		c.nameserver = NET_PASTA_DNS;
	} else if (strcmp(s->network, "slirp4netns") == 0) {
		slirp_addr(s->net_opts, 100, ctr);
		slirp_addr(s->net_opts, 2, gw);
		slirp_addr(s->net_opts, 3, dns);
		c.ctr_ip = ctr;
		/* without allow_host_loopback the host is reached on its own address */
		c.host_ip = net_slirp_host_loopback(s->net_opts) ? gw
			    : r && r->addr[0]			 ? r->addr
								 : NULL;
		c.nameserver = dns;
	}
	if (s->netns_path != NULL)
		return join_etc(s, &c, err);
	return net_etc_files_write(s->userdata, &c, err);
}

/* ---- showing ports ------------------------------------------------------------------------- */

/* Each canonical entry, parsed; entries that do not parse (never written so) are skipped. */
static size_t parse_all(char *const *ports, struct net_port *v)
{
	size_t n = 0;

	for (size_t i = 0; i < count(ports) && n < NET_PORTS_MAX; i++) {
		_cleanup_error_ struct rcr_error *ignored = NULL;

		net_port_parse(ports[i], v, &n, &ignored);
	}
	return n;
}

static const char *shown_ip(const struct net_port *p, char buf[64])
{
	if (p->host_ip[0] == '\0')
		return "0.0.0.0";
	if (strchr(p->host_ip, ':') != NULL)
		return snprintf(buf, 64, "[%.48s]", p->host_ip), buf;
	return p->host_ip;
}

json_t *ctr_ports_json(char *const *ports)
{
	struct net_port v[NET_PORTS_MAX];
	size_t n = parse_all(ports, v);
	json_t *out = json_object();

	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < v[i].count; k++) {
			char key[16], hp[8];
			json_t *list;

			snprintf(key, sizeof(key), "%u/%s", v[i].ctr_port + k,
				 v[i].udp ? "udp" : "tcp");
			snprintf(hp, sizeof(hp), "%u", v[i].host_port + k);
			list = json_object_get(out, key);
			if (list == NULL)
				json_object_set_new(out, key, list = json_array());
			json_array_append_new(
				list, json_pack("{ssss}", "HostIp", v[i].host_ip, "HostPort", hp));
		}
	return out;
}

json_t *ctr_ports_podman_json(char *const *ports)
{
	struct net_port v[NET_PORTS_MAX];
	size_t n = parse_all(ports, v);
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(out,
				      json_pack("{sssisisiss}", "host_ip", v[i].host_ip,
						"container_port", (int)v[i].ctr_port, "host_port",
						(int)v[i].host_port, "range", (int)v[i].count,
						"protocol", v[i].udp ? "udp" : "tcp"));
	return out;
}

static void range_text(char *buf, size_t size, unsigned first, unsigned n)
{
	if (n > 1)
		snprintf(buf, size, "%u-%u", first, first + n - 1);
	else
		snprintf(buf, size, "%u", first);
}

char *ctr_ports_summary(char *const *ports)
{
	struct net_port v[NET_PORTS_MAX];
	size_t n = parse_all(ports, v);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char ip[64], h[16], c[16];

		range_text(h, sizeof(h), v[i].host_port, v[i].count);
		range_text(c, sizeof(c), v[i].ctr_port, v[i].count);
		fprintf(f, "%s%s:%s->%s/%s", i ? ", " : "", shown_ip(&v[i], ip), h, c,
			v[i].udp ? "udp" : "tcp");
	}
	fclose(f);
	return buf;
}

static bool matches(const char *filter, unsigned port, bool udp)
{
	char want[16];

	if (filter == NULL)
		return true;
	snprintf(want, sizeof(want), "%u", port);
	if (strcmp(filter, want) == 0)
		return true;
	snprintf(want, sizeof(want), "%u/%s", port, udp ? "udp" : "tcp");
	return strcmp(filter, want) == 0;
}

char **ctr_port_lines(char *const *ports, const char *filter)
{
	struct net_port v[NET_PORTS_MAX];
	size_t n = parse_all(ports, v), total = 0, k = 0;
	char **out;

	for (size_t i = 0; i < n; i++)
		total += v[i].count;
	out = calloc(total + 1, sizeof(char *));
	for (size_t i = 0; out != NULL && i < n; i++)
		for (unsigned j = 0; j < v[i].count; j++) {
			char ip[64];

			if (!matches(filter, v[i].ctr_port + j, v[i].udp))
				continue;
			if ((filter != NULL
				     ? asprintf(&out[k], "%s:%u", shown_ip(&v[i], ip),
						v[i].host_port + j)
				     : asprintf(&out[k], "%u/%s -> %s:%u", v[i].ctr_port + j,
						v[i].udp ? "udp" : "tcp", shown_ip(&v[i], ip),
						v[i].host_port + j)) >= 0)
				k++;
		}
	return out;
}

/* ---- dependents ---------------------------------------------------------------------------- */

/* Whether the row's container joins id's network: its config holds the spec. */
static bool joins(const struct store_container *row, const char *id)
{
	json_t *cfg, *target;
	bool yes;

	if (row->config == NULL || strstr(row->config, id) == NULL)
		return false;
	cfg = json_loads(row->config, 0, NULL);
	target = json_object_get(json_object_get(cfg, "spec"), "net_target");
	yes = json_is_string(target) && strcmp(json_string_value(target), id) == 0;
	json_decref(cfg);
	return yes;
}

int ctr_net_check_dependents(struct store *st, const struct store_container *c,
			     struct rcr_error **err)
{
	struct store_container *rows = NULL;
	char names[512] = "";
	size_t n = 0, len = 0;

	if (store_container_list(st, &rows, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].id, c->id) != 0 && joins(&rows[i], c->id) && len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "", rows[i].name);
	store_container_free(rows, n);
	if (len == 0)
		return 0;
	rcr_error_set(err, ENOTEMPTY,
		      "container %s has dependent containers which must be removed before it: %s "
		      "(they join its network)",
		      c->name, names);
	return -1;
}
