/* Standard base64 (RFC 4648, with padding), as auth.json stores "user:password". Pure. */
#ifndef RCR_PKG_BASE64_H
#define RCR_PKG_BASE64_H

#include <stddef.h>

/* Encode len bytes; owned NUL-terminated result, NULL for memory. */
char *base64_encode(const void *data, size_t len);

/* Decode s (white space ignored, padding optional); owned NUL-terminated buffer with *len_out
 * the decoded length. NULL when s is not base64. */
char *base64_decode(const char *s, size_t *len_out);

#endif
