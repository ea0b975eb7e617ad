/* `rcr login` and `rcr logout`: check credentials against a registry and keep them in auth.json,
 * or remove them. Passwords come from -p, --password-stdin or a prompt with echo off, and are
 * never printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "image/auth.h"
#include "image/registry.h"
#include "pkg/cleanup.h"

struct login_opts {
	const char *username;
	const char *password;
	const char *authfile;
	const char *cert_dir;
	bool password_stdin;
	bool get_login;
	enum tls_verify tls;
};

/* A line from stdin (--password-stdin, or a prompt), without its newline. echo false turns
 * the terminal's echo off while reading. Owned. */
static char *read_line(bool echo)
{
	struct termios old, quiet;
	bool tty = !echo && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* "https://host/ns/" -> key "host/ns", host "host". */
static int split_registry(const char *arg, char **key, char **host, struct rcr_error **err)
{
	char *slash;

	*key = auth_normalize_key(arg);
	if (*key == NULL || (*key)[0] == '\0') {
		rcr_error_set(err, EINVAL, "invalid registry '%s'", arg);
		return -1;
	}
	*host = strdup(*key);
	slash = *host ? strchr(*host, '/') : NULL;
	if (slash != NULL)
		*slash = '\0';
	return *host ? 0 : -1;
}

static int get_credentials(struct login_opts *o, struct auth_creds *cr, struct rcr_error **err)
{
	memset(cr, 0, sizeof(*cr));
	if (o->password_stdin && o->password != NULL) {
		rcr_error_set(err, EINVAL,
			      "--password and --password-stdin are mutually exclusive");
		return -1;
	}
	if (o->username != NULL)
		cr->username = strdup(o->username);
	else if (isatty(STDIN_FILENO) && !o->password_stdin) {
		fputs("Username: ", stderr);
		cr->username = read_line(true);
	}
	if (cr->username == NULL || cr->username[0] == '\0') {
		rcr_error_set(err, EINVAL, "no username given: use --username");
		return -1;
	}
	if (o->password != NULL) {
		cr->password = strdup(o->password);
	} else if (o->password_stdin || isatty(STDIN_FILENO)) {
		if (!o->password_stdin)
			fputs("Password: ", stderr);
		cr->password = read_line(false);
	}
	if (cr->password == NULL) {
		rcr_error_set(err, EINVAL,
			      "no password given: use --password-stdin (or --password) when stdin "
			      "is not a terminal");
		return -1;
	}
	return 0;
}

static int do_login(struct login_opts *o, const char *registry, struct rcr_error **err)
{
	_cleanup_free_ char *key = NULL;
	_cleanup_free_ char *host = NULL;
	_cleanup_free_ char *file = cli_auth_write_file(o->authfile);
	_cleanup_free_ char *cfg = cli_config_home();
	_cleanup_free_ char *cert_dir = NULL;
	struct reg_conf conf;
	struct auth_creds cr = {0};
	struct reg_client *c = NULL;
	struct reg_client_opts ro = {0};
	int rc = -1;

	if (split_registry(registry, &key, &host, err) < 0 || cli_load_registries(&conf, err) < 0)
		return -1;
	cert_dir = o->cert_dir ? strdup(o->cert_dir) : reg_cert_dir(cfg, host);
	ro.host = host;
	ro.insecure = o->tls == TLS_VERIFY_FALSE ||
		      (o->tls == TLS_VERIFY_DEFAULT && reg_conf_host_insecure(&conf, host));
	ro.cert_dir = cert_dir;
	if (get_credentials(o, &cr, err) == 0) {
		ro.creds = &cr;
		c = reg_client_new(&ro, err);
		if (c != NULL && reg_check_credentials(c, err) == 0 &&
		    auth_store(file, key, cr.username, cr.password, err) == 0) {
			printf("Login Succeeded!\n");
			rc = 0;
		}
	}
	reg_client_free(c);
	auth_creds_release(&cr);
	reg_conf_release(&conf);
	return rc;
}

static int get_login(struct login_opts *o, const char *registry, struct rcr_error **err)
{
	_cleanup_free_ char *key = NULL;
	_cleanup_free_ char *host = NULL;
	_cleanup_strv_ char **files = cli_auth_files(o->authfile);
	struct auth_creds cr;
	int found;

	if (split_registry(registry, &key, &host, err) < 0)
		return -1;
	found = auth_lookup(files, key, &cr, err);
	if (found < 0)
		return -1;
	if (found == 0) {
		rcr_error_set(err, ENOENT, "not logged into %s", key);
		return -1;
	}
	printf("%s\n", cr.username);
	auth_creds_release(&cr);
	return 0;
}

int cmd_login(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"username", required_argument, NULL, 'u'},
		{"password", required_argument, NULL, 'p'},
		{"password-stdin", no_argument, NULL, 'S'},
		{"authfile", required_argument, NULL, 'A'},
		{"cert-dir", required_argument, NULL, 'C'},
		{"tls-verify", optional_argument, NULL, 'T'},
		{"get-login", no_argument, NULL, 'G'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct login_opts o = {0};
	int c;

	(void)g;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "u:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o.username = optarg;
			break;
		case 'p':
			o.password = optarg;
			break;
		case 'S':
			o.password_stdin = true;
			break;
		case 'A':
			o.authfile = optarg;
			break;
		case 'C':
			o.cert_dir = optarg;
			break;
		case 'G':
			o.get_login = true;
			break;
		case 'T':
			if (cli_parse_tls_verify(optarg, &o.tls, err) < 0)
				return -1;
			break;
		case 'h':
			printf("Usage: rcr login [options] REGISTRY\n\n"
			       "  -u, --username USER, -p, --password PASS, --password-stdin,\n"
			       "  --authfile FILE, --cert-dir DIR, --tls-verify[=false], "
			       "--get-login\n");
			return 0;
		default:
			return cli_usage_error("login", argv[optind - 1], err);
		}
	}
	if (argc - optind != 1) {
		rcr_error_set(err, EINVAL, "rcr login takes exactly one REGISTRY argument");
		return -1;
	}
	return o.get_login ? get_login(&o, argv[optind], err) : do_login(&o, argv[optind], err);
}

int cmd_logout(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"authfile", required_argument, NULL, 'A'},
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *authfile = NULL;
	bool all = false, removed = false;
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *key = NULL;
	_cleanup_free_ char *host = NULL;
	int c;

	(void)g;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		switch (c) {
		case 'A':
			authfile = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			printf("Usage: rcr logout [--authfile FILE] [--all | REGISTRY]\n");
			return 0;
		default:
			return cli_usage_error("logout", argv[optind - 1], err);
		}
	}
	if ((all && optind != argc) || (!all && argc - optind != 1)) {
		rcr_error_set(err, EINVAL, "rcr logout takes one REGISTRY argument, or --all");
		return -1;
	}
	file = cli_auth_write_file(authfile);
	if (!all && split_registry(argv[optind], &key, &host, err) < 0)
		return -1;
	if (auth_remove(file, all ? NULL : key, &removed, err) < 0)
		return -1;
	if (all) {
		printf("Removed login credentials for all registries\n");
		return 0;
	}
	if (!removed) {
		rcr_error_set(err, ENOENT, "not logged into %s", key);
		return -1;
	}
	printf("Removed login credentials for %s\n", key);
	return 0;
}
