/* Generated container names, as Podman's "adjective_surname" (e.g. "brave_lovelace"). */
#ifndef RCR_CONTAINER_NAMES_H
#define RCR_CONTAINER_NAMES_H

/* A random name (owned). */
char *ctr_name_generate(void);

#endif
