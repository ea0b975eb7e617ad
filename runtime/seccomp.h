/* Seccomp filters for a container's process: rcr's default profile and OCI/Docker JSON profiles,
 * compiled with libseccomp in the monitor (before the container process exists) to a BPF program
 * that the container process loads just before execve. */
#ifndef RCR_RUNTIME_SECCOMP_H
#define RCR_RUNTIME_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/error.h"

struct rt_seccomp_prog {
	struct sock_filter *filter; /* owned */
	unsigned short len;
};

/* Free the program and empty *p; an empty one is fine. */
void rt_seccomp_prog_release(struct rt_seccomp_prog *p);

/* The default profile; caps (the container's capability set, bit n = capability n) opens the
 * syscalls the containers' default profile opens for them. */
int rt_seccomp_compile_default(uint64_t caps, struct rt_seccomp_prog *out, struct rcr_error **err);

/* A JSON profile (what names it in errors, e.g. the file path; json is borrowed, at most
 * RT_SECCOMP_JSON_MAX bytes). Syscalls unknown on this architecture are skipped, as runc does. */
#define RT_SECCOMP_JSON_MAX ((size_t)4 << 20)
int rt_seccomp_compile_json(const char *json, size_t len, const char *what, uint64_t caps,
			    struct rt_seccomp_prog *out, struct rcr_error **err);

/* Load prog into the calling process (seccomp(SECCOMP_SET_MODE_FILTER)); the caller has set
 * no_new_privs or holds CAP_SYS_ADMIN in its user namespace. */
int rt_seccomp_load(const struct rt_seccomp_prog *p, struct rcr_error **err);

#endif
