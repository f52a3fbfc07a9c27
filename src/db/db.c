/* db.c - engine-independent helpers over the vtable, and migrations. */
#include "db/db.h"
#include "core/clock.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const db_migration_t db_migrations[];
extern const size_t db_migrations_count;

bool db_is_postgres(const char *dsn)
{
    return strncmp(dsn, "postgres://", 11) == 0 || strncmp(dsn, "postgresql://", 13) == 0;
}

int db_open(const char *dsn, db_t **out, err_t *e)
{
    return (db_is_postgres(dsn) ? &db_pg_ops : &db_sqlite_ops)->open(dsn, out, e);
}

void db_close(db_t *db)
{
    if (db)
        db->ops->close(db);
}

int db_query(db_t *db, db_stmt_t **st, const char *sql, const db_arg_t *args, err_t *e)
{
    int rc = db->ops->prepare(db, sql, st, e);
    if (rc < 0)
        return rc;
    for (int i = 0; args[i].type != DB_T_END; i++) {
        rc = db->ops->bind(*st, i + 1, &args[i], e);
        if (rc < 0) {
            db->ops->reset(*st);
            return rc;
        }
    }
    return 0;
}

int db_step(db_stmt_t *st, err_t *e)
{
    int rc = st->db->ops->step(st, e);
    if (rc < 0)
        st->db->ops->reset(st);
    return rc;
}

void db_done(db_stmt_t *st)
{
    st->db->ops->reset(st);
}

int64_t db_exec(db_t *db, const char *sql, const db_arg_t *args, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(db, &st, sql, args, e);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st, e)) == DB_ROW)
        ;
    if (rc < 0)
        return rc;
    db_done(st);
    return db->ops->changes(db);
}

int db_exec_later(db_t *db, const char *sql, const db_arg_t *args, err_t *e)
{
    if (db->ops->send == NULL) {
        int64_t rc = db_exec(db, sql, args, e);
        return rc < 0 ? (int)rc : 0;
    }
    db_stmt_t *st;
    int rc = db_query(db, &st, sql, args, e);
    if (rc < 0)
        return rc;
    rc = db->ops->send(st, e);
    db_done(st);
    return rc;
}

int db_flush(db_t *db, err_t *e)
{
    return db->ops->flush ? db->ops->flush(db, e) : 0;
}

int db_one(db_t *db, db_stmt_t **st, const char *sql, const db_arg_t *args, err_t *e)
{
    int rc = db_query(db, st, sql, args, e);
    if (rc < 0)
        return rc;
    rc = db_step(*st, e);
    if (rc == DB_DONE)
        db_done(*st);
    return rc;
}

int64_t db_i64(db_stmt_t *st, int col)
{
    return st->db->ops->col_i64(st, col);
}

const void *db_bytes(db_stmt_t *st, int col, size_t *len)
{
    return st->db->ops->col_bytes(st, col, len);
}

bool db_is_null(db_stmt_t *st, int col)
{
    return st->db->ops->col_null(st, col);
}

static void write_lock(db_t *db, bool on)
{
    if (db->ops->write_lock)
        db->ops->write_lock(db, on);
}

int db_begin(db_t *db, err_t *e)
{
    write_lock(db, true);
    db->in_tx = 1;
    int64_t rc = db_exec(db, db->ops->begin_sql, DB_NOARGS, e);
    if (rc < 0) {
        db->in_tx = 0;
        write_lock(db, false);
        return (int)rc;
    }
    return 0;
}

int db_commit(db_t *db, err_t *e)
{
    int64_t rc = db_exec(db, "COMMIT", DB_NOARGS, e);
    if (rc < 0) {
        db_rollback(db);
        return (int)rc;
    }
    db->in_tx = 0;
    write_lock(db, false);
    return 0;
}

void db_rollback(db_t *db)
{
    err_t ignored = {0};
    if (db->in_tx) {
        (void)db_exec(db, "ROLLBACK", DB_NOARGS, &ignored);
        db->in_tx = 0;
        write_lock(db, false);
    }
    err_clear(&ignored);
}

int db_atomically(db_t *db, int (*fn)(void *arg, err_t *e), void *arg, err_t *e)
{
    if (db->in_tx)
        return fn(arg, e);
    int rc = db_begin(db, e);
    if (rc < 0)
        return rc;
    if ((rc = fn(arg, e)) < 0) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, e);
}

void db_trim(db_t *db)
{
    if (db->ops->trim)
        db->ops->trim(db);
}

static int64_t lock_key(const char *space, const void *key, size_t len)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a over space, NUL, key */
    for (const char *p = space;; p++) {
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
        if (*p == '\0')
            break;
    }
    for (size_t i = 0; i < len; i++)
        h = (h ^ ((const uint8_t *)key)[i]) * 1099511628211ULL;
    return (int64_t)h;
}

int db_xlock(db_t *db, const char *space, const void *key, size_t len, err_t *e)
{
    if (db->ops->xlock_sql == NULL)
        return 0;
    /* nothing to wait for: the next statement runs once the lock is held */
    return db_exec_later(db, db->ops->xlock_sql, DB_ARGS(DB_I64(lock_key(space, key, len))), e);
}

int db_xlock2(db_t *db, const char *space, const void *a, const void *b, size_t len, err_t *e)
{
    if (db->ops->xlock2_sql == NULL)
        return 0;
    int64_t rc =
        db_exec(db, db->ops->xlock2_sql,
                DB_ARGS(DB_I64(lock_key(space, a, len)), DB_I64(lock_key(space, b, len))), e);
    return rc < 0 ? (int)rc : 0;
}

#define REWRITE_PAGE 256 /* the LIMIT of select_sql */
#define REWRITE_MAX  256 /* bytes of a blob rewritten (wrapped keys are 73) */

typedef struct blob_row {
    int64_t id;
    size_t len, newlen;
    uint8_t old[REWRITE_MAX], new[REWRITE_MAX];
} blob_row_t;

/* One page: read, then rewrite, in one transaction. How many rows it read. */
static int rewrite_page(db_t *db, const char *select_sql, const char *update_sql, db_blob_fn fn,
                        void *arg, blob_row_t *rows, int64_t *last, int64_t *done,
                        int64_t *unreadable, err_t *e)
{
    int n = 0, rc = db_begin(db, e);
    db_stmt_t *st;
    if (rc < 0 || (rc = db_query(db, &st, select_sql, DB_ARGS(DB_I64(*last)), e)) < 0)
        return rc;
    while (n < REWRITE_PAGE && (rc = db_step(st, e)) == DB_ROW) {
        blob_row_t *r = &rows[n++];
        const void *b = db_bytes(st, 1, &r->len);
        r->id = db_i64(st, 0);
        if (r->len > REWRITE_MAX)
            r->len = 0; /* not ours to rewrite: the callback refuses an empty blob */
        memcpy(r->old, b ? b : "", r->len);
    }
    if (rc >= 0)
        db_done(st);
    for (int i = 0; rc >= 0 && i < n; i++) {
        blob_row_t *r = &rows[i];
        *last = r->id;
        int w = fn(arg, r->id, r->old, r->len, r->new, REWRITE_MAX, &r->newlen);
        if (w < 0)
            (*unreadable)++;
        if (w <= 0)
            continue;
        int64_t x =
            db_exec(db, update_sql,
                    DB_ARGS(DB_BLOB(r->new, r->newlen), DB_I64(r->id), DB_BLOB(r->old, r->len)), e);
        if (x < 0)
            rc = (int)x;
        else
            *done += x;
    }
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    return (rc = db_commit(db, e)) < 0 ? rc : n;
}

int db_rewrite_blobs(db_t *db, const char *select_sql, const char *update_sql, db_blob_fn fn,
                     void *arg, int64_t *done, int64_t *unreadable, err_t *e)
{
    blob_row_t *rows = malloc(sizeof(*rows) * REWRITE_PAGE);
    if (rows == NULL)
        abort();
    int64_t last = 0;
    int n;
    while ((n = rewrite_page(db, select_sql, update_sql, fn, arg, rows, &last, done, unreadable,
                             e)) == REWRITE_PAGE)
        ;
    free(rows);
    return n < 0 ? n : 0;
}

static int own_tools(const db_ops_t *ops, err_t *e)
{
    return err_set(e, ERR_VALIDATION_FAILED, NULL,
                   "%s backups are made and restored with its own tools (pg_dump, pg_restore): "
                   "see docs/OPERATIONS.md",
                   ops->name);
}

int db_backup(db_t *db, const char *path, db_progress_fn progress, void *arg, err_t *e)
{
    return db->ops->backup ? db->ops->backup(db, path, progress, arg, e) : own_tools(db->ops, e);
}

static const db_ops_t *ops_of(const char *dsn)
{
    return db_is_postgres(dsn) ? &db_pg_ops : &db_sqlite_ops;
}

int db_restore_stage(const char *dsn, const char *file, char *staged, size_t len, err_t *e)
{
    const db_ops_t *ops = ops_of(dsn);
    return ops->restore_stage ? ops->restore_stage(dsn, file, staged, len, e) : own_tools(ops, e);
}

int db_restore_install(const char *dsn, const char *staged, err_t *e)
{
    const db_ops_t *ops = ops_of(dsn);
    return ops->restore_install ? ops->restore_install(dsn, staged, e) : own_tools(ops, e);
}

void db_restore_drop(const char *staged)
{
    (void)unlink(staged);
}

int db_checkpoint(db_t *db, err_t *e)
{
    return db->ops->checkpoint ? db->ops->checkpoint(db, e) : 0;
}

int db_scrub(db_t *db, err_t *e)
{
    return db->ops->scrub ? db->ops->scrub(db, e) : 0;
}

static int applied(db_t *db, int version, bool *out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(db, &st, "SELECT 1 FROM schema_migrations WHERE version = $1",
                    DB_ARGS(DB_I64(version)), e);
    if (rc < 0)
        return rc;
    *out = rc == DB_ROW;
    if (rc == DB_ROW)
        db_done(st);
    return 0;
}

/* Runs m unless it ran already, in a transaction that holds the migration
 * lock: nodes starting at once apply each migration once. 1 when it ran. */
static int apply(db_t *db, const db_migration_t *m, err_t *e)
{
    bool done = false;
    int rc = db_begin(db, e);
    if (rc < 0)
        return rc;
    if ((rc = db_xlock(db, "migrate", NULL, 0, e)) >= 0 &&
        (rc = applied(db, m->version, &done, e)) >= 0 && !done &&
        (rc = db->ops->exec_script(db, m->sql, e)) >= 0)
        rc = (int)db_exec(db,
                          "INSERT INTO schema_migrations (version, name, applied_at) "
                          "VALUES ($1, $2, $3)",
                          DB_ARGS(DB_I64(m->version), DB_TEXT(m->name), DB_I64(clock_now_ms())), e);
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    return (rc = db_commit(db, e)) < 0 ? rc : !done;
}

static int create_ledger(db_t *db, err_t *e)
{
    int rc = db_begin(db, e);
    if (rc < 0)
        return rc;
    if ((rc = db_xlock(db, "migrate", NULL, 0, e)) < 0 ||
        (rc = db->ops->exec_script(db,
                                   "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   " version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                                   " applied_at BIGINT NOT NULL)",
                                   e)) < 0) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, e);
}

int64_t db_schema_latest(void)
{
    return db_migrations[db_migrations_count - 1].version;
}

int db_schema_version(db_t *db, int64_t *version, err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_one(db, &st, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", DB_NOARGS, e);
    if (rc < 0)
        return rc;
    *version = db_i64(st, 0);
    db_done(st);
    return 0;
}

int db_migrate(db_t *db, err_t *e)
{
    int rc = create_ledger(db, e);
    if (rc < 0)
        return rc;
    int64_t have, known = db_schema_latest();
    if ((rc = db_schema_version(db, &have, e)) < 0)
        return rc;
    if (have > known)
        return err_internal(e,
                            "the database is at schema version %lld, newer than this build "
                            "knows (%lld): run the newer wlk, or restore a backup made by this one",
                            (long long)have, (long long)known);
    int ran = 0;
    for (size_t i = 0; i < db_migrations_count; i++) {
        if ((rc = apply(db, &db_migrations[i], e)) < 0)
            return rc;
        if (rc == 1) {
            log_msg(LOG_INFO, "migration applied", "%s", db_migrations[i].name);
            ran++;
        }
    }
    return ran;
}
