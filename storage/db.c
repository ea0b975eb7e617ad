/* The store's SQLite database: connection settings, schema migrations and statement helpers.
 *
 * Schema changes are migrations: migrations[i] takes the database from user_version i to i + 1,
 * and all pending ones run in one IMMEDIATE transaction, so two rcr calls opening an old store
 * at once migrate it once. A migration, once released, is never edited: add the next one
 * for each change. This file must never open a database it does not understand (a
 * newer user_version) and must never report a failure without SQLite's own message.
 */
#include "storage/db.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"

/* Parent references are deferred so that a transaction may delete a chain of layers in any
 * order; image_layers also keeps every layer an image uses from being deleted under it. Sizes
 * are -1 when unknown. Times: created as the image config says (RFC 3339 text), added as unix
 * seconds. manifest_len is NULL when no manifest is stored (an import); store_check compares
 * both lengths with the files. */
static const char *const migrations[] = {
	/* 0 -> 1: images and layers. */
	"CREATE TABLE layers ("
	"  chain_id TEXT PRIMARY KEY NOT NULL,"
	"  diff_id TEXT NOT NULL,"
	"  parent TEXT REFERENCES layers(chain_id) DEFERRABLE INITIALLY DEFERRED,"
	"  compressed_digest TEXT,"
	"  compressed_size INTEGER NOT NULL DEFAULT -1,"
	"  size INTEGER NOT NULL DEFAULT -1,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX layers_parent ON layers(parent);"
	"CREATE TABLE images ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  manifest_digest TEXT,"
	"  created TEXT,"
	"  added INTEGER NOT NULL,"
	"  manifest_len INTEGER,"
	"  config_len INTEGER NOT NULL);"
	"CREATE TABLE image_layers ("
	"  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE"
	"    DEFERRABLE INITIALLY DEFERRED,"
	"  idx INTEGER NOT NULL,"
	"  chain_id TEXT NOT NULL REFERENCES layers(chain_id) DEFERRABLE INITIALLY DEFERRED,"
	"  PRIMARY KEY (image_id, idx));"
	"CREATE INDEX image_layers_chain ON image_layers(chain_id);"
	"CREATE TABLE image_names ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE"
	"    DEFERRABLE INITIALLY DEFERRED,"
	"  added INTEGER NOT NULL);"
	"CREATE INDEX image_names_image ON image_names(image_id);"
	"CREATE TABLE image_digests ("
	"  repo_digest TEXT NOT NULL,"
	"  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE"
	"    DEFERRABLE INITIALLY DEFERRED,"
	"  added INTEGER NOT NULL,"
	"  PRIMARY KEY (repo_digest, image_id));"
	"CREATE INDEX image_digests_image ON image_digests(image_id);",

	/* 1 -> 2: containers. image_id has no foreign key on purpose: store_image_delete refuses
	 * an image in use with Podman's message (checked in its write transaction), and a
	 * deferred key would only fail at COMMIT with SQLite's. created is unix nanoseconds;
	 * config is the CLI's JSON, opaque to the store. */
	"CREATE TABLE containers ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT UNIQUE NOT NULL,"
	"  image_id TEXT NOT NULL,"
	"  image_name TEXT,"
	"  command TEXT,"
	"  created INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  config TEXT NOT NULL);"
	"CREATE INDEX containers_image ON containers(image_id);",

	/* 2 -> 3: volumes, and which container uses which (at which destination). A volume's
	 * labels and options are JSON objects as the user gave them; created is unix
	 * nanoseconds; copy_up records that it was made to take the image's content on its first
	 * mount (whether it still will is the marker file's business: storage/volumes.c). Rows
	 * of container_volumes go with their container; a volume in use cannot be deleted (the
	 * key is immediate, behind store_volume_delete's own check and Podman's message). */
	"CREATE TABLE volumes ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  labels TEXT NOT NULL DEFAULT '{}',"
	"  options TEXT NOT NULL DEFAULT '{}',"
	"  anonymous INTEGER NOT NULL DEFAULT 0,"
	"  copy_up INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE container_volumes ("
	"  container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,"
	"  volume TEXT NOT NULL REFERENCES volumes(name),"
	"  dest TEXT NOT NULL,"
	"  PRIMARY KEY (container_id, dest));"
	"CREATE INDEX container_volumes_volume ON container_volumes(volume);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == DB_SCHEMA_VERSION,
	       "one migration per schema version");

static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_FULL:
		return ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return EACCES;
	case SQLITE_CONSTRAINT:
		return EEXIST;
	default:
		return EIO;
	}
}

static void set_db_error(sqlite3 *db, const char *path, struct rcr_error **err, const char *what)
{
	int rc = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;

	rcr_error_set(err, errno_of(rc), "%s in '%s': %s", what, path,
		      db ? sqlite3_errmsg(db) : "out of memory");
}

void db_error(struct store *st, struct rcr_error **err, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	set_db_error(st->db, st->db_path, err, what);
}

/* sqlite3_exec on a connection not yet wrapped in a store. */
static int raw_exec(sqlite3 *db, const char *path, const char *sql, const char *what,
		    struct rcr_error **err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		set_db_error(db, path, err, what);
		return -1;
	}
	return 0;
}

static int raw_int(sqlite3 *db, const char *path, const char *sql, long long *out,
		   struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		set_db_error(db, path, err, sql);
		return -1;
	}
	*out = sqlite3_column_int64(s, 0);
	return 0;
}

static int migrate(sqlite3 *db, const char *path, struct rcr_error **err)
{
	long long version = 0;
	char sql[64];

	if (raw_int(db, path, "PRAGMA user_version", &version, err) < 0)
		return -1;
	if (version == DB_SCHEMA_VERSION)
		return 0;
	if (version > DB_SCHEMA_VERSION) {
		rcr_error_set(err, EPROTO,
			      "the store database '%s' has schema version %lld, newer than this "
			      "rcr knows (%d): use a newer rcr",
			      path, version, DB_SCHEMA_VERSION);
		return -1;
	}
	if (raw_exec(db, path, "BEGIN IMMEDIATE", "starting the schema migration", err) < 0)
		return -1;
	/* Read again under the write lock: another call may have migrated meanwhile. */
	if (raw_int(db, path, "PRAGMA user_version", &version, err) < 0)
		goto fail;
	for (; version < DB_SCHEMA_VERSION; version++) {
		char what[64];

		snprintf(what, sizeof(what), "migrating the schema to version %lld", version + 1);
		if (raw_exec(db, path, migrations[version], what, err) < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", DB_SCHEMA_VERSION);
	if (raw_exec(db, path, sql, "setting the schema version", err) < 0 ||
	    raw_exec(db, path, "COMMIT", "committing the schema migration", err) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int configure(sqlite3 *db, const char *path, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *mode;

	/* The busy timeout first: switching to WAL needs a lock another call may hold. */
	if (sqlite3_busy_timeout(db, 30000) != SQLITE_OK) {
		set_db_error(db, path, err, "setting the busy timeout");
		return -1;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		set_db_error(db, path, err, "switching to WAL");
		return -1;
	}
	/* The pragma answers with the mode in force: a file system without shared memory
	 * support keeps the old one, and our concurrency reasoning assumes WAL. */
	mode = (const char *)sqlite3_column_text(s, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		rcr_error_set(err, EIO, "switching '%s' to WAL: the journal mode stays '%s'", path,
			      mode ? mode : "?");
		return -1;
	}
	/* NORMAL in WAL mode: a power cut may lose the last commits but never corrupts; content
	 * is renamed into place before its row commits, so a lost row only leaves an orphan
	 * directory that the next store_open removes. */
	if (raw_exec(db, path, "PRAGMA synchronous = NORMAL", "setting synchronous", err) < 0)
		return -1;
	return raw_exec(db, path, "PRAGMA foreign_keys = ON", "enabling foreign keys", err);
}

int db_open(const char *path, sqlite3 **out, struct rcr_error **err)
{
	const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	sqlite3 *db = NULL;

	*out = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		set_db_error(db, path, err, "opening the store database");
		sqlite3_close_v2(db);
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	if (configure(db, path, err) < 0 || migrate(db, path, err) < 0) {
		sqlite3_close_v2(db);
		return -1;
	}
	*out = db;
	return 0;
}

/* Prepare sql and bind the va_list's parameters as db_stmt describes. */
static sqlite3_stmt *vstmt(struct store *st, struct rcr_error **err, const char *what,
			   const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_OK;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		db_error(st, err, "%s", what);
		return NULL;
	}
	for (int i = 0; rc == SQLITE_OK && types != NULL && types[i] != '\0'; i++) {
		if (types[i] == 's') {
			const char *v = va_arg(ap, const char *);

			rc = v ? sqlite3_bind_text(s, i + 1, v, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(s, i + 1);
		} else {
			rc = sqlite3_bind_int64(s, i + 1, va_arg(ap, long long));
		}
	}
	if (rc != SQLITE_OK) {
		db_error(st, err, "%s", what);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

sqlite3_stmt *db_stmt(struct store *st, struct rcr_error **err, const char *what, const char *sql,
		      const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;

	va_start(ap, types);
	s = vstmt(st, err, what, sql, types, ap);
	va_end(ap);
	return s;
}

int db_step(struct store *st, sqlite3_stmt *s, const char *what, struct rcr_error **err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_error(st, err, "%s", what);
	return -1;
}

int db_collect(struct store *st, sqlite3_stmt *s, const char *what, size_t size, db_fill_fn fill,
	       void **v, size_t *n, struct rcr_error **err)
{
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	while ((rc = db_step(st, s, what, err)) == 1) {
		char *elem;

		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *nv = realloc(*v, ncap * size);

			if (nv == NULL) {
				rcr_error_set(err, ENOMEM, "out of memory");
				return -1;
			}
			*v = nv;
			cap = ncap;
		}
		elem = (char *)*v + *n * size;
		memset(elem, 0, size);
		if (fill(s, elem, err) < 0)
			return -1;
		(*n)++;
	}
	return rc;
}

int db_exec(struct store *st, struct rcr_error **err, const char *what, const char *sql,
	    const char *types, ...)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	va_list ap;

	va_start(ap, types);
	s = vstmt(st, err, what, sql, types, ap);
	va_end(ap);
	if (s == NULL)
		return -1;
	return db_step(st, s, what, err) < 0 ? -1 : 0;
}

const char *db_text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

int db_begin_write(struct store *st, struct rcr_error **err)
{
	return db_exec(st, err, "starting a write transaction", "BEGIN IMMEDIATE", NULL);
}

int db_begin_read(struct store *st, struct rcr_error **err)
{
	return db_exec(st, err, "starting a read transaction", "BEGIN", NULL);
}

int db_commit(struct store *st, struct rcr_error **err)
{
	if (db_exec(st, err, "committing", "COMMIT", NULL) < 0) {
		db_rollback(st);
		return -1;
	}
	return 0;
}

void db_rollback(struct store *st)
{
	if (st->db != NULL && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}
