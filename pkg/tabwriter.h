/* Column alignment for table output, as Go's text/tabwriter does it for Podman
 * (minwidth 12, padding 2, padded with spaces): cells are separated by '\t', rows by '\n', and
 * every column is as wide as its widest cell plus padding. The last cell of a row is not padded.
 */
#ifndef RCR_PKG_TABWRITER_H
#define RCR_PKG_TABWRITER_H

#include <stddef.h>

/* Align text (borrowed). Returns an owned string, or NULL for memory. */
char *tabwriter_align(const char *text, size_t minwidth, size_t padding);

#endif
