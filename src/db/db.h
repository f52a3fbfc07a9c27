/* db.h - the database: a small engine vtable (a generic SQL executor) and
 * the helpers domain code calls. SQL is written once, in the dialect both
 * SQLite 3.40 and PostgreSQL 15 accept ($1 parameters, RETURNING, ON
 * CONFLICT, BIGINT ms times). Nothing above db/ includes an engine header
 * or sees an engine's error codes. One db_t per thread; not thread-safe. */
#ifndef WLK_DB_H
#define WLK_DB_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct db db_t;
typedef struct db_stmt db_stmt_t;

typedef enum { DB_T_END, DB_T_NULL, DB_T_I64, DB_T_TEXT, DB_T_BLOB } db_type_t;

typedef struct db_arg {
    db_type_t type;
    int64_t i;
    const void *p;
    size_t len;
} db_arg_t;

#define DB_I64(v)      ((db_arg_t){.type = DB_T_I64, .i = (v)})
#define DB_TEXT(s)     ((db_arg_t){.type = DB_T_TEXT, .p = (s), .len = strlen(s)})
#define DB_TEXTN(s, n) ((db_arg_t){.type = DB_T_TEXT, .p = (s), .len = (n)})
#define DB_BLOB(b, n)  ((db_arg_t){.type = DB_T_BLOB, .p = (b), .len = (n)})
#define DB_NULL        ((db_arg_t){.type = DB_T_NULL})
#define DB_ARGS(...)   ((const db_arg_t[]){__VA_ARGS__, {.type = DB_T_END}})
#define DB_NOARGS      ((const db_arg_t[]){{.type = DB_T_END}})
#define DB_NOARGS      ((const db_arg_t[]){{.type = DB_T_END}})

enum { DB_DONE = 0, DB_ROW = 1 };

/* The engine vtable. Engines embed `struct db` / `struct db_stmt` first. */
/* Progress of long work: done of total units. */
typedef void (*db_progress_fn)(void *arg, int done, int total);

typedef struct db_ops {
    const char *name;
    int (*open)(const char *dsn, db_t **out, err_t *e);
    void (*close)(db_t *db);
    /* Runs several ;-separated statements (migrations). */
    int (*exec_script)(db_t *db, const char *sql, err_t *e);
    /* Returns a cached, reset statement, borrowed (valid while db lives). */
    int (*prepare)(db_t *db, const char *sql, db_stmt_t **out, err_t *e);
    int (*bind)(db_stmt_t *st, int n, const db_arg_t *a, err_t *e);
    int (*step)(db_stmt_t *st, err_t *e); /* DB_ROW, DB_DONE or ERR_* */
    void (*reset)(db_stmt_t *st);
    int64_t (*col_i64)(db_stmt_t *st, int col);
    const void *(*col_bytes)(db_stmt_t *st, int col, size_t *len);
    bool (*col_null)(db_stmt_t *st, int col);
    int64_t (*changes)(db_t *db);
    const char *begin_sql;
    /* Optional: sends a bound statement whose result nobody reads, to run
     * before the next statement of the connection, which reports its
     * failure (db_exec_later); flush reads what was sent so far. */
    int (*send)(db_stmt_t *st, err_t *e);
    int (*flush)(db_t *db, err_t *e);
    /* Optional: takes a transaction-scoped lock on the 64-bit key $1
     * (db_xlock), and on $1 then $2 in one statement (db_xlock2); NULL
     * where write transactions are serialised anyway. */
    const char *xlock_sql, *xlock2_sql;
    /* Optional: called around every write transaction (held from BEGIN
     * to COMMIT/ROLLBACK), so an engine can queue its writers. */
    void (*write_lock)(db_t *db, bool on);
    /* Optional: moves committed log pages into the database file without
     * blocking writers (SQLite WAL checkpoint). */
    int (*checkpoint)(db_t *db, err_t *e);
    /* Optional: after an erasure, leaves no older copy of a changed page
     * in the engine's log (SQLite: a TRUNCATE checkpoint). */
    int (*scrub)(db_t *db, err_t *e);
    /* Optional: gives back the memory of cached pages not in use. */
    void (*trim)(db_t *db);
    /* Optional (NULL: the engine's own tools do it, see db_backup). */
    int (*backup)(db_t *db, const char *path, db_progress_fn progress, void *arg, err_t *e);
    int (*restore_stage)(const char *dsn, const char *file, char *staged, size_t len, err_t *e);
    int (*restore_install)(const char *dsn, const char *staged, err_t *e);
} db_ops_t;

struct db {
    const db_ops_t *ops;
    int in_tx;
};

struct db_stmt {
    db_t *db;
};

/* Opens a connection: "postgres://..." picks PostgreSQL, anything else is
 * a SQLite file path. Destroy with db_close(). */
int db_open(const char *dsn, db_t **out, err_t *e) __attribute__((warn_unused_result));
void db_close(db_t *db);

/* Prepares (from the cache) and binds args; the caller steps, then calls
 * db_done(). *st is borrowed. Statements are cached by the address of sql
 * (checked against its text): pass literals or text that lives as long as
 * the connection; SQL built per call works but is prepared every time. */
int db_query(db_t *db, db_stmt_t **st, const char *sql, const db_arg_t *args, err_t *e)
    __attribute__((warn_unused_result));
int db_step(db_stmt_t *st, err_t *e);
void db_done(db_stmt_t *st);
/* Runs a statement that returns no rows; returns the number of rows it
 * changed (>= 0) or an ERR_* code. */
int64_t db_exec(db_t *db, const char *sql, const db_arg_t *args, err_t *e);
/* A write inside a transaction whose result (rows changed) nobody needs:
 * on an engine that can, it is sent without waiting, and its failure is
 * reported by the next statement of the connection instead (or by
 * db_flush), after which the transaction is to be rolled back. Saves a
 * round trip per write on a database across the network. */
int db_exec_later(db_t *db, const char *sql, const db_arg_t *args, err_t *e)
    __attribute__((warn_unused_result));
/* Waits for every db_exec_later write sent so far; the first failure. */
int db_flush(db_t *db, err_t *e) __attribute__((warn_unused_result));
/* Runs a query expected to return at most one row: DB_ROW (then the caller
 * reads columns and calls db_done) or DB_DONE (statement already reset). */
int db_one(db_t *db, db_stmt_t **st, const char *sql, const db_arg_t *args, err_t *e)
    __attribute__((warn_unused_result));

int64_t db_i64(db_stmt_t *st, int col);
/* Text or blob bytes, borrowed until the next step/done; NULL when SQL NULL. */
const void *db_bytes(db_stmt_t *st, int col, size_t *len);
bool db_is_null(db_stmt_t *st, int col);

/* Write transactions (SQLite: BEGIN IMMEDIATE, so writers queue up front). */
int db_begin(db_t *db, err_t *e) __attribute__((warn_unused_result));
int db_commit(db_t *db, err_t *e) __attribute__((warn_unused_result));
void db_rollback(db_t *db);

/* Serialises the transactions that take the lock (space, key): the second
 * waits until the first commits or rolls back, and then sees what it
 * wrote. For check-then-write sequences that several processes may run at
 * once: a limit counted before a row is added, the head of a chain or of
 * a stream read before the next link. Inside a transaction. A no-op on
 * SQLite, whose write transactions are serialised already (BEGIN
 * IMMEDIATE, across processes too); PostgreSQL takes an advisory lock.
 * Take several in one order (e.g. ascending user ids) to avoid deadlocks. */
int db_xlock(db_t *db, const char *space, const void *key, size_t len, err_t *e)
    __attribute__((warn_unused_result));
/* The locks (space, a) then (space, b), in that order, in one round trip;
 * both keys len bytes. */
int db_xlock2(db_t *db, const char *space, const void *a, const void *b, size_t len, err_t *e)
    __attribute__((warn_unused_result));

/* A consistent copy of the database in the file path, written while the
 * server serves (progress may be NULL), then moved into place whole.
 * VALIDATION_FAILED on an engine whose own tools make backups
 * (PostgreSQL: pg_dump, see docs/OPERATIONS.md). */
int db_backup(db_t *db, const char *path, db_progress_fn progress, void *arg, err_t *e)
    __attribute__((warn_unused_result));
/* Restore, step one: a copy of file beside the database of dsn, checked
 * (a database file, intact); its DSN in staged. The live database is not
 * touched. VALIDATION_FAILED (with why) for a file that is not a backup. */
int db_restore_stage(const char *dsn, const char *file, char *staged, size_t len, err_t *e)
    __attribute__((warn_unused_result));
/* Step two, with no connection open to dsn: the staged copy replaces the
 * database (which is kept beside it as .before-restore). */
int db_restore_install(const char *dsn, const char *staged, err_t *e)
    __attribute__((warn_unused_result));
/* Drops a staged copy that was refused. */
void db_restore_drop(const char *staged);

/* Rewrites a blob column row by row, in transactions of a few hundred
 * rows, while the server serves: select_sql ($1 = the last id done) gives
 * (id, blob) ordered by id, a page at a time; fn writes the new blob into
 * out (1), or says it stays (0) or cannot be read (-1, counted in
 * *unreadable); update_sql ($1 = new blob, $2 = id, $3 = the old blob)
 * stores it unless the row changed meanwhile. *done counts rewritten rows.
 * select_sql ends "ORDER BY id LIMIT 256" (the page). */
typedef int (*db_blob_fn)(void *arg, int64_t id, const void *in, size_t len, uint8_t *out,
                          size_t cap, size_t *outlen);
int db_rewrite_blobs(db_t *db, const char *select_sql, const char *update_sql, db_blob_fn fn,
                     void *arg, int64_t *done, int64_t *unreadable, err_t *e)
    __attribute__((warn_unused_result));

/* Background maintenance of the engine's log (the outbox worker calls it
 * every pass, so loop threads never pay for it). 0 or ERR_*. */
int db_checkpoint(db_t *db, err_t *e);
/* Runs fn(arg, e) atomically: inside the caller's transaction when there
 * is one (its outcome is the caller's), else in one of its own, committed
 * when fn returns 0 and rolled back otherwise. */
int db_atomically(db_t *db, int (*fn)(void *arg, err_t *e), void *arg, err_t *e)
    __attribute__((warn_unused_result));

/* Gives back the memory of the connection's cached pages (after a scan
 * whose pages will not be needed soon). */
void db_trim(db_t *db);

/* After erasing personal data (account cancellation): no copy of the
 * erased rows stays in the engine's log. Blocks writers while it runs;
 * call outside a transaction. 0 or ERR_*. */
int db_scrub(db_t *db, err_t *e) __attribute__((warn_unused_result));

/* Applies the compiled-in migrations not applied yet; returns how many ran
 * (>= 0) or an ERR_* code. */
int db_migrate(db_t *db, err_t *e);
/* The highest migration this build has. */
int64_t db_schema_latest(void);
/* The highest migration applied to the database (0 when none). */
int db_schema_version(db_t *db, int64_t *version, err_t *e) __attribute__((warn_unused_result));

typedef struct db_migration {
    int version;
    const char *name;
    const char *sql;
} db_migration_t;

extern const db_ops_t db_sqlite_ops;
extern const db_ops_t db_pg_ops;

/* Whether dsn names a PostgreSQL database ("postgres://" or
 * "postgresql://"). */
bool db_is_postgres(const char *dsn);

/* The SQLite DSN of <data_dir>/wlk.db. exclusive: the "unix-excl" VFS,
 * which locks the file against other processes while the server runs and
 * keeps the WAL index in memory (no file-lock system calls per
 * transaction: 2x the throughput of reads on a VM). Returns 0 or -1 when
 * out is too small. */
int db_sqlite_dsn(const char *data_dir, bool exclusive, char *out, size_t len);

#endif
