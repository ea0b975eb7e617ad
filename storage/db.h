/* The store's SQLite database (ROOT/rcr.db): opening with the settings every connection needs,
 * the schema and its migrations, and small helpers for statements and transactions that turn
 * every failure into an error naming what was being done, the database and SQLite's message.
 * Only the storage/ sources include this.
 */
#ifndef RCR_STORAGE_DB_H
#define RCR_STORAGE_DB_H

#include <sqlite3.h>
#include <stdbool.h>

#include "pkg/error.h"
#include "storage/internal.h"

/* The schema version this rcr writes (PRAGMA user_version). */
#define DB_SCHEMA_VERSION 3

/* Open (creating) path: WAL, synchronous NORMAL, a 30 s busy timeout, foreign keys on, and the
 * schema migrated to DB_SCHEMA_VERSION in one transaction. A database from a newer rcr is
 * refused rather than misread. */
int db_open(const char *path, sqlite3 **out, struct rcr_error **err);

/* Set err to "<what> in '<db path>': <sqlite message>", formatted from fmt. */
__attribute__((format(printf, 3, 4))) void db_error(struct store *st, struct rcr_error **err,
						    const char *fmt, ...);

/* Prepare sql and bind its parameters from types: 's' text (NULL binds NULL), 'i' long long.
 * what names the operation in errors. Returns NULL on failure. */
sqlite3_stmt *db_stmt(struct store *st, struct rcr_error **err, const char *what, const char *sql,
		      const char *types, ...);
/* Step: 1 a row, 0 done, -1 error (naming what). */
int db_step(struct store *st, sqlite3_stmt *s, const char *what, struct rcr_error **err);

/* Step s to its end, one element of size bytes per row (zeroed, then filled by fill) in a
 * growing array *v of *n elements. On failure -1, and *v still holds the *n filled elements for
 * the caller to release. */
typedef int (*db_fill_fn)(sqlite3_stmt *s, void *elem, struct rcr_error **err);
int db_collect(struct store *st, sqlite3_stmt *s, const char *what, size_t size, db_fill_fn fill,
	       void **v, size_t *n, struct rcr_error **err);
/* Run a statement that returns no rows (db_stmt + db_step + finalize); -1 on error. */
int db_exec(struct store *st, struct rcr_error **err, const char *what, const char *sql,
	    const char *types, ...);
/* A column as text, NULL for SQL NULL. */
const char *db_text(sqlite3_stmt *s, int col);

/* BEGIN IMMEDIATE (the write lock now, waiting up to the busy timeout), a plain BEGIN for a
 * consistent read, COMMIT, and a ROLLBACK that is harmless outside a transaction. */
int db_begin_write(struct store *st, struct rcr_error **err);
int db_begin_read(struct store *st, struct rcr_error **err);
int db_commit(struct store *st, struct rcr_error **err);
void db_rollback(struct store *st);

static inline void cleanup_stmtp(sqlite3_stmt **s)
{
	sqlite3_finalize(*s);
}
#define _cleanup_stmt_ __attribute__((cleanup(cleanup_stmtp)))

#endif
