/* db_pg.c - the PostgreSQL engine on libpq: statements prepared once per
 * connection (named by the cache slot, typed by their first arguments),
 * parameters sent as text (blobs as binary bytea), results read as text
 * (bytea unescaped on demand). A lost connection is re-opened on the next
 * statement and answered UNAVAILABLE meanwhile; a unique violation is
 * CONFLICT; a serialization failure or deadlock outside a transaction is
 * retried a few times, inside one it is UNAVAILABLE (the request may be
 * retried whole). */
#include "db/db.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SLOTS 128
#define MAX_PARAMS  32
#define RETRIES     3
#define MAX_PENDING 64 /* statements sent down the pipeline before it is read */

#define UNAVAILABLE_TEXT "The database is unavailable; try again shortly."

#define OID_INT8  20
#define OID_TEXT  25
#define OID_BYTEA 17

typedef struct pg_stmt {
    struct db_stmt super;
    const char *sql; /* the text's address (the cache key) */
    char *text;      /* its copy (checked on reuse) */
    char name[24];   /* the server-side prepared statement, "" until prepared */
    int nparams;     /* the highest $N */
    unsigned epoch;  /* the connection it was prepared on */
    Oid types[MAX_PARAMS];
    char *values[MAX_PARAMS];
    int lengths[MAX_PARAMS], formats[MAX_PARAMS];
    char num[MAX_PARAMS][24];
    PGresult *res; /* after the first step */
    int row, nrows;
    unsigned char *unescaped[MAX_PARAMS]; /* bytea columns of the current row */
    size_t unescaped_len[MAX_PARAMS];
    struct pg_stmt *next;
} pg_stmt_t;

typedef struct pg {
    struct db super;
    PGconn *conn;
    char *dsn;
    unsigned epoch; /* counts connections: a reconnect unprepares everything */
    unsigned nstmt;
    int64_t changes;
    bool broken;             /* the pipeline lost track: reconnect */
    int pending;             /* sent down the pipeline, not read yet */
    char kinds[MAX_PENDING]; /* 'p' a prepare, 'q' a query */
    pg_stmt_t *cache[CACHE_SLOTS];
} pg_t;

static unsigned slot_of(const char *sql)
{
    uintptr_t p = (uintptr_t)sql;
    return (unsigned)((p >> 3) ^ (p >> 11)) % CACHE_SLOTS;
}

/* The highest $N of a statement (quotes and comments have none of ours). */
static int count_params(const char *sql)
{
    int max = 0;
    for (const char *p = sql; *p; p++) {
        if (*p != '$' || p[1] < '1' || p[1] > '9')
            continue;
        int n = (int)strtol(p + 1, NULL, 10);
        if (n > max)
            max = n;
    }
    return max;
}

static void clear_row(pg_stmt_t *s)
{
    for (int i = 0; i < MAX_PARAMS; i++) {
        PQfreemem(s->unescaped[i]);
        s->unescaped[i] = NULL;
    }
}

static void clear_result(pg_stmt_t *s)
{
    clear_row(s);
    PQclear(s->res);
    s->res = NULL;
    s->row = s->nrows = 0;
}

static void free_stmt(pg_stmt_t *s)
{
    clear_result(s);
    for (int i = 0; i < MAX_PARAMS; i++)
        free(s->values[i] != s->num[i] ? s->values[i] : NULL);
    free(s->text);
    free(s);
}

static int connect_now(pg_t *db, err_t *e)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = PQconnectdb(db->dsn);
    db->epoch++;
    db->broken = false;
    db->pending = 0;
    if (PQstatus(db->conn) != CONNECTION_OK) {
        /* the server's words, not the DSN: it may carry a password */
        snprintf(e->cause, sizeof(e->cause), "postgres: cannot connect: %s",
                 PQerrorMessage(db->conn));
        err_set(e, ERR_UNAVAILABLE, NULL, UNAVAILABLE_TEXT);
        e->retry_after = 1;
        return e->code;
    }
    PGresult *r = PQexec(db->conn, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    PQclear(r);
    return 0;
}

/* SQLSTATE to our codes. */
static int translate(pg_t *db, PGresult *r, err_t *e, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "23505") == 0)
        return err_set(e, ERR_CONFLICT, NULL, NULL);
    if (PQstatus(db->conn) != CONNECTION_OK || (state && strncmp(state, "08", 2) == 0) ||
        (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                   strcmp(state, "57P01") == 0))) {
        snprintf(e->cause, sizeof(e->cause), "postgres %s: %s", what,
                 r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn));
        err_set(e, ERR_UNAVAILABLE, NULL, UNAVAILABLE_TEXT);
        e->retry_after = 1;
        return e->code;
    }
    return err_internal(e, "postgres %s: %s", what,
                        r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn));
}

static bool retryable(PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
}

static void pg_close(db_t *base)
{
    pg_t *db = (pg_t *)base;
    for (int i = 0; i < CACHE_SLOTS; i++)
        for (pg_stmt_t *s = db->cache[i], *n; s; s = n) {
            n = s->next;
            free_stmt(s);
        }
    if (db->conn)
        PQfinish(db->conn);
    free(db->dsn);
    free(db);
}

static int pg_open(const char *dsn, db_t **out, err_t *e)
{
    pg_t *db = calloc(1, sizeof(*db));
    if (db == NULL || (db->dsn = strdup(dsn)) == NULL)
        abort();
    db->super.ops = &db_pg_ops;
    int rc = connect_now(db, e);
    if (rc < 0) {
        pg_close(&db->super);
        return rc;
    }
    *out = &db->super;
    return 0;
}

/* A connection that went away comes back on the next statement outside a
 * transaction, or on the BEGIN of one; a transaction that was open on it is
 * lost, and its next statements say so until it is rolled back. */
static int ensure_connected(pg_t *db, const char *sql, err_t *e)
{
    if (PQstatus(db->conn) == CONNECTION_OK && !db->broken)
        return 0;
    if (db->super.in_tx && strcmp(sql, db_pg_ops.begin_sql) != 0) {
        snprintf(e->cause, sizeof(e->cause), "postgres: the connection was lost mid-transaction");
        err_set(e, ERR_UNAVAILABLE, NULL, UNAVAILABLE_TEXT);
        e->retry_after = 1;
        return e->code;
    }
    return connect_now(db, e);
}

/* ---- the pipeline: writes whose results nobody waits for (db_exec_later)
 * are sent at once and read with the next statement that is waited for,
 * in the same round trip; a failure among them is that statement's. */

static int broken(pg_t *db, err_t *e, const char *what)
{
    db->broken = true;
    db->pending = 0;
    snprintf(e->cause, sizeof(e->cause), "postgres %s: %s", what, PQerrorMessage(db->conn));
    err_set(e, ERR_UNAVAILABLE, NULL, UNAVAILABLE_TEXT);
    e->retry_after = 1;
    return e->code;
}

static int pipeline_send(pg_t *db, pg_stmt_t *s, err_t *e)
{
    if (PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF && PQenterPipelineMode(db->conn) != 1)
        return broken(db, e, "pipeline");
    if (s->name[0] == '\0' || s->epoch != db->epoch) {
        snprintf(s->name, sizeof(s->name), "w%u_%u", db->epoch, ++db->nstmt);
        if (PQsendPrepare(db->conn, s->name, s->sql, s->nparams, s->types) != 1) {
            s->name[0] = '\0';
            return broken(db, e, "prepare");
        }
        s->epoch = db->epoch;
        db->kinds[db->pending++] = 'p';
    }
    if (PQsendQueryPrepared(db->conn, s->name, s->nparams, (const char *const *)s->values,
                            s->lengths, s->formats, 0) != 1)
        return broken(db, e, "send");
    db->kinds[db->pending++] = 'q';
    return 0;
}

/* Reads everything the pipeline answered, up to its sync, and leaves it.
 * The first failure goes to e; with last, the result of the last statement
 * sent (when all went well) is kept in *last. */
static int drain(pg_t *db, PGresult **last, err_t *e)
{
    int rc = 0, n = db->pending;
    bool unprepared = false;
    if (last)
        *last = NULL;
    if (PQpipelineSync(db->conn) != 1)
        return broken(db, e, "sync");
    for (int i = 0; i < n; i++) {
        PGresult *r = PQgetResult(db->conn);
        if (r == NULL)
            return broken(db, e, "pipeline");
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            unprepared |= db->kinds[i] == 'p'; /* its name was given out: give out others */
            if (rc == 0 && st != PGRES_PIPELINE_ABORTED)
                rc = translate(db, r, e, "step");
            PQclear(r);
        } else if (last && i == n - 1 && rc == 0) {
            *last = r;
        } else {
            PQclear(r);
        }
        while ((r = PQgetResult(db->conn)) != NULL) /* the end of this statement's results */
            PQclear(r);
    }
    PGresult *r = PQgetResult(db->conn);
    bool synced = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    db->pending = 0;
    if (unprepared)
        db->epoch++;
    if (!synced || PQexitPipelineMode(db->conn) != 1) {
        if (last && *last) {
            PQclear(*last);
            *last = NULL;
        }
        return broken(db, e, "pipeline");
    }
    return rc;
}

static int pg_send(db_stmt_t *base, err_t *e)
{
    pg_stmt_t *s = (pg_stmt_t *)base;
    pg_t *db = (pg_t *)base->db;
    int rc = ensure_connected(db, s->sql, e);
    if (rc < 0 || (db->pending > MAX_PENDING - 2 && (rc = drain(db, NULL, e)) < 0))
        return rc;
    return pipeline_send(db, s, e);
}

static int pg_flush(db_t *base, err_t *e)
{
    pg_t *db = (pg_t *)base;
    return db->pending ? drain(db, NULL, e) : 0;
}

static int pg_exec_script(db_t *base, const char *sql, err_t *e)
{
    pg_t *db = (pg_t *)base;
    int rc = ensure_connected(db, sql, e);
    if (rc < 0 || (rc = pg_flush(base, e)) < 0)
        return rc;
    PGresult *r = PQexec(db->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : translate(db, r, e, "exec");
    PQclear(r);
    return rc;
}

static int pg_prepare(db_t *base, const char *sql, db_stmt_t **out, err_t *e)
{
    pg_t *db = (pg_t *)base;
    unsigned slot = slot_of(sql);
    for (pg_stmt_t **pp = &db->cache[slot], *s; (s = *pp) != NULL; pp = &s->next) {
        if (s->sql != sql)
            continue;
        if (strcmp(s->text, sql) != 0) { /* the same buffer, other SQL: a fresh one */
            *pp = s->next;
            free_stmt(s);
            break;
        }
        clear_result(s);
        *out = &s->super;
        return 0;
    }
    pg_stmt_t *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->text = strdup(sql)) == NULL)
        abort();
    s->super.db = base;
    s->sql = sql;
    s->nparams = count_params(sql);
    if (s->nparams > MAX_PARAMS) {
        free_stmt(s);
        return err_internal(e, "statement has too many parameters");
    }
    s->next = db->cache[slot];
    db->cache[slot] = s;
    *out = &s->super;
    return 0;
}

static int pg_bind(db_stmt_t *base, int n, const db_arg_t *a, err_t *e)
{
    pg_stmt_t *s = (pg_stmt_t *)base;
    if (n < 1 || n > s->nparams)
        return err_internal(e, "bind: statement has no $%d", n);
    int i = n - 1;
    if (s->values[i] != s->num[i])
        free(s->values[i]);
    s->values[i] = NULL;
    s->lengths[i] = 0;
    s->formats[i] = 0;
    Oid type = 0;
    switch (a->type) {
    case DB_T_I64:
        snprintf(s->num[i], sizeof(s->num[i]), "%lld", (long long)a->i);
        s->values[i] = s->num[i];
        type = OID_INT8;
        break;
    case DB_T_TEXT:
    case DB_T_BLOB:
        if ((s->values[i] = malloc(a->len + 1)) == NULL)
            abort();
        memcpy(s->values[i], a->p, a->len);
        s->values[i][a->len] = '\0';
        s->lengths[i] = (int)a->len;
        s->formats[i] = a->type == DB_T_BLOB; /* bytea travels binary, as it is */
        type = a->type == DB_T_BLOB ? OID_BYTEA : OID_TEXT;
        break;
    default:
        break; /* NULL */
    }
    if (s->name[0] == '\0' && type)
        s->types[i] = type; /* typed by its first arguments, before it is prepared */
    return 0;
}

static int prepare_now(pg_t *db, pg_stmt_t *s, err_t *e)
{
    snprintf(s->name, sizeof(s->name), "w%u_%u", db->epoch, ++db->nstmt);
    PGresult *r = PQprepare(db->conn, s->name, s->sql, s->nparams, s->types);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : translate(db, r, e, "prepare");
    PQclear(r);
    if (rc < 0)
        s->name[0] = '\0';
    else
        s->epoch = db->epoch;
    return rc;
}

static void took_result(pg_t *db, pg_stmt_t *s, PGresult *r)
{
    s->res = r;
    s->row = -1;
    s->nrows = PQntuples(r);
    const char *n = PQcmdTuples(r);
    db->changes = n && *n ? strtoll(n, NULL, 10) : 0;
}

/* s with what is still in the pipeline, in one round trip. A rollback
 * waits for the pipeline first: after a failure in it, the pipeline would
 * skip the rollback too. */
static int execute_piped(pg_t *db, pg_stmt_t *s, err_t *e)
{
    if (strncmp(s->sql, "ROLLBACK", 8) == 0) {
        err_t ignored = {0};
        (void)drain(db, NULL, &ignored);
        err_clear(&ignored);
        return 1; /* now run it as usual */
    }
    PGresult *r;
    int rc = pipeline_send(db, s, e);
    if (rc < 0 || (rc = drain(db, &r, e)) < 0)
        return rc;
    took_result(db, s, r);
    return 0;
}

static int execute(pg_t *db, pg_stmt_t *s, err_t *e)
{
    int rc;
    if (db->pending && !db->broken && (rc = execute_piped(db, s, e)) <= 0)
        return rc;
    for (int attempt = 0;; attempt++) {
        if ((rc = ensure_connected(db, s->sql, e)) < 0)
            return rc;
        if ((s->name[0] == '\0' || s->epoch != db->epoch) && (rc = prepare_now(db, s, e)) < 0)
            return rc;
        PGresult *r = PQexecPrepared(db->conn, s->name, s->nparams, (const char *const *)s->values,
                                     s->lengths, s->formats, 0);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            took_result(db, s, r);
            return 0;
        }
        bool again = retryable(r) && !db->super.in_tx && attempt < RETRIES;
        if (!again) {
            rc = translate(db, r, e, "step");
            PQclear(r);
            return rc;
        }
        PQclear(r);
        usleep(1000u << attempt);
    }
}

static int pg_step(db_stmt_t *base, err_t *e)
{
    pg_stmt_t *s = (pg_stmt_t *)base;
    pg_t *db = (pg_t *)base->db;
    if (s->res == NULL) {
        int rc = execute(db, s, e);
        if (rc < 0)
            return rc;
    }
    clear_row(s);
    if (++s->row < s->nrows)
        return DB_ROW;
    return DB_DONE;
}

static void pg_reset(db_stmt_t *base)
{
    clear_result((pg_stmt_t *)base);
}

static int64_t pg_col_i64(db_stmt_t *base, int col)
{
    pg_stmt_t *s = (pg_stmt_t *)base;
    if (s->res == NULL || s->row >= s->nrows || PQgetisnull(s->res, s->row, col))
        return 0;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (v[0] == 't' || v[0] == 'f') /* a boolean expression */
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const void *pg_col_bytes(db_stmt_t *base, int col, size_t *len)
{
    pg_stmt_t *s = (pg_stmt_t *)base;
    *len = 0;
    if (s->res == NULL || s->row >= s->nrows || PQgetisnull(s->res, s->row, col))
        return NULL;
    if (PQftype(s->res, col) == OID_BYTEA && col < MAX_PARAMS) {
        if (s->unescaped[col] == NULL)
            s->unescaped[col] = PQunescapeBytea(
                (const unsigned char *)PQgetvalue(s->res, s->row, col), &s->unescaped_len[col]);
        *len = s->unescaped_len[col];
        return s->unescaped[col] ? (const void *)s->unescaped[col] : "";
    }
    *len = (size_t)PQgetlength(s->res, s->row, col);
    return PQgetvalue(s->res, s->row, col);
}

static bool pg_col_null(db_stmt_t *base, int col)
{
    pg_stmt_t *s = (pg_stmt_t *)base;
    return s->res == NULL || s->row >= s->nrows || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_changes(db_t *base)
{
    return ((pg_t *)base)->changes;
}

const db_ops_t db_pg_ops = {
    .name = "postgres",
    .open = pg_open,
    .close = pg_close,
    .exec_script = pg_exec_script,
    .prepare = pg_prepare,
    .bind = pg_bind,
    .step = pg_step,
    .reset = pg_reset,
    .col_i64 = pg_col_i64,
    .col_bytes = pg_col_bytes,
    .col_null = pg_col_null,
    .changes = pg_changes,
    .begin_sql = "BEGIN",
    .send = pg_send,
    .flush = pg_flush,
    .xlock_sql = "SELECT pg_advisory_xact_lock($1)",
    /* a target list is evaluated left to right: $1 is held before $2 is asked */
    .xlock2_sql = "SELECT pg_advisory_xact_lock($1), pg_advisory_xact_lock($2)",
};
