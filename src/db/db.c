/* db.c - engine-independent helpers over the vtable, and migrations. */
#include "db/db.h"
#include "core/clock.h"
#include "core/log.h"

#include <stdio.h>

extern const db_migration_t db_migrations[];
extern const size_t db_migrations_count;

int db_open(const char *dsn, db_t **out, err_t *e)
{
    if (strncmp(dsn, "postgres://", 11) == 0 || strncmp(dsn, "postgresql://", 13) == 0)
        return err_internal(e, "the PostgreSQL engine is not built yet");
    return db_sqlite_ops.open(dsn, out, e);
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

static int apply(db_t *db, const db_migration_t *m, err_t *e)
{
    int rc = db_begin(db, e);
    if (rc < 0)
        return rc;
    rc = db->ops->exec_script(db, m->sql, e);
    if (rc >= 0)
        rc = (int)db_exec(db,
                          "INSERT INTO schema_migrations (version, name, applied_at) "
                          "VALUES ($1, $2, $3)",
                          DB_ARGS(DB_I64(m->version), DB_TEXT(m->name), DB_I64(clock_now_ms())), e);
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, e);
}

int db_migrate(db_t *db, err_t *e)
{
    int rc = db->ops->exec_script(db,
                                  "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                  " version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                                  " applied_at BIGINT NOT NULL)",
                                  e);
    if (rc < 0)
        return rc;
    int ran = 0;
    for (size_t i = 0; i < db_migrations_count; i++) {
        bool done;
        if ((rc = applied(db, db_migrations[i].version, &done, e)) < 0)
            return rc;
        if (done)
            continue;
        if ((rc = apply(db, &db_migrations[i], e)) < 0)
            return rc;
        log_msg(LOG_INFO, "migration applied", "%s", db_migrations[i].name);
        ran++;
    }
    return ran;
}
