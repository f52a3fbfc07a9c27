/* db_sqlite.c - the SQLite engine: WAL, synchronous=FULL (an acknowledged
 * write survives a crash), busy timeout, and a per-connection cache of
 * prepared statements keyed by the SQL text's address. "$N" parameters are
 * named parameters to SQLite, so each statement maps N to SQLite's index. */
#include "db/db_int.h"

#include <malloc.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#define CACHE_SLOTS 128
#define MAX_PARAMS  32

typedef struct lite_stmt {
    struct db_stmt super;
    sqlite3_stmt *s;
    bool writes, locked; /* not read-only; holds the writer lock until reset */
    const char *sql;
    int nparams;
    int index[MAX_PARAMS + 1]; /* $N -> SQLite parameter index */
    struct lite_stmt *next;
} lite_stmt_t;

typedef struct lite {
    struct db super;
    sqlite3 *h;
    lite_stmt_t *cache[CACHE_SLOTS];
} lite_t;

/* Writers of this process queue on a mutex instead of meeting SQLITE_BUSY,
 * whose handler sleeps for milliseconds: one writer at a time either way,
 * but a waiting thread wakes the moment the lock is free. */
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;

static void lite_write_lock(db_t *db, bool on)
{
    (void)db;
    if (on)
        pthread_mutex_lock(&writer);
    else
        pthread_mutex_unlock(&writer);
}

static void unlock_stmt(lite_stmt_t *s)
{
    if (s->locked) {
        s->locked = false;
        pthread_mutex_unlock(&writer);
    }
}

static int translate(lite_t *db, int rc, err_t *e, const char *what)
{
    int ext = sqlite3_extended_errcode(db->h);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return err_set(e, ERR_CONFLICT, NULL, NULL);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        snprintf(e->cause, sizeof(e->cause), "sqlite busy in %s", what);
        return err_set(e, ERR_UNAVAILABLE, NULL, NULL);
    }
    return err_internal(e, "sqlite %s: %s (%d)", what, sqlite3_errmsg(db->h), ext);
}

static void lite_close(db_t *base)
{
    lite_t *db = (lite_t *)base;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        for (lite_stmt_t *s = db->cache[i], *n; s; s = n) {
            n = s->next;
            sqlite3_finalize(s->s);
            free(s);
        }
    }
    sqlite3_close_v2(db->h);
    free(db);
}

static int lite_exec_script(db_t *base, const char *sql, err_t *e)
{
    lite_t *db = (lite_t *)base;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : translate(db, rc, e, "exec");
}

/* Process-wide settings, before the first connection: no global memory
 * statistics (their mutex serialises every allocation of every thread) and
 * no mutexes on connections, which never cross threads. */
static void configure_once(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_initialize();
}

static int lite_open(const char *path, db_t **out, err_t *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    lite_t *db = calloc(1, sizeof(*db));
    if (db == NULL)
        abort();
    db->super.ops = &db_sqlite_ops;
    int rc = sqlite3_open_v2(
        path, &db->h,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK) {
        err_internal(e, "sqlite open %s: %s", path, db->h ? sqlite3_errmsg(db->h) : "no memory");
        lite_close(&db->super);
        return e->code;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 5000);
    rc = lite_exec_script(
        &db->super,
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-16384;"
        "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;"
        "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
        /* deleted rows are overwritten, not left in free space (erasure) */
        "PRAGMA secure_delete=ON;",
        e);
    if (rc < 0) {
        lite_close(&db->super);
        return rc;
    }
    *out = &db->super;
    return 0;
}

static unsigned slot_of(const char *sql)
{
    uintptr_t p = (uintptr_t)sql;
    return (unsigned)((p >> 3) ^ (p >> 11)) % CACHE_SLOTS;
}

static int lite_prepare(db_t *base, const char *sql, db_stmt_t **out, err_t *e)
{
    lite_t *db = (lite_t *)base;
    unsigned slot = slot_of(sql);
    /* Keyed by the text's address (SQL is normally a literal), checked
     * by content: SQL built at run time in a reused buffer must not get
     * the statement of whatever text was there before. */
    for (lite_stmt_t **pp = &db->cache[slot], *s; (s = *pp) != NULL; pp = &s->next) {
        if (s->sql != sql)
            continue;
        if (strcmp(sqlite3_sql(s->s), sql) != 0) {
            *pp = s->next;
            unlock_stmt(s);
            sqlite3_finalize(s->s);
            free(s);
            break;
        }
        sqlite3_reset(s->s);
        unlock_stmt(s);
        sqlite3_clear_bindings(s->s);
        *out = &s->super;
        return 0;
    }
    lite_stmt_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        abort();
    int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->s, NULL);
    if (rc != SQLITE_OK) {
        free(s);
        return translate(db, rc, e, "prepare");
    }
    s->super.db = base;
    s->sql = sql;
    s->writes = !sqlite3_stmt_readonly(s->s);
    s->nparams = sqlite3_bind_parameter_count(s->s);
    if (s->nparams > MAX_PARAMS) {
        sqlite3_finalize(s->s);
        free(s);
        return err_internal(e, "statement has too many parameters");
    }
    for (int n = 1; n <= s->nparams; n++) {
        char name[8];
        snprintf(name, sizeof(name), "$%d", n);
        s->index[n] = sqlite3_bind_parameter_index(s->s, name);
    }
    s->next = db->cache[slot];
    db->cache[slot] = s;
    *out = &s->super;
    return 0;
}

static int lite_bind(db_stmt_t *base, int n, const db_arg_t *a, err_t *e)
{
    lite_stmt_t *s = (lite_stmt_t *)base;
    if (n > s->nparams || s->index[n] == 0)
        return err_internal(e, "bind: statement has no $%d", n);
    int i = s->index[n], rc;
    switch (a->type) {
    case DB_T_I64:
        rc = sqlite3_bind_int64(s->s, i, a->i);
        break;
    case DB_T_TEXT:
        rc = sqlite3_bind_text(s->s, i, a->p, (int)a->len, SQLITE_TRANSIENT);
        break;
    case DB_T_BLOB:
        rc = sqlite3_bind_blob(s->s, i, a->p, (int)a->len, SQLITE_TRANSIENT);
        break;
    default:
        rc = sqlite3_bind_null(s->s, i);
        break;
    }
    return rc == SQLITE_OK ? 0 : translate((lite_t *)base->db, rc, e, "bind");
}

static int lite_step(db_stmt_t *base, err_t *e)
{
    lite_stmt_t *s = (lite_stmt_t *)base;
    /* a write outside a transaction is its own transaction: same queue */
    if (s->writes && !base->db->in_tx && !s->locked) {
        pthread_mutex_lock(&writer);
        s->locked = true;
    }
    int rc = sqlite3_step(s->s);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return translate((lite_t *)base->db, rc, e, "step");
}

static void lite_reset(db_stmt_t *base)
{
    lite_stmt_t *s = (lite_stmt_t *)base;
    sqlite3_reset(s->s);
    unlock_stmt(s);
}

static int64_t lite_col_i64(db_stmt_t *base, int col)
{
    return sqlite3_column_int64(((lite_stmt_t *)base)->s, col);
}

static const void *lite_col_bytes(db_stmt_t *base, int col, size_t *len)
{
    sqlite3_stmt *s = ((lite_stmt_t *)base)->s;
    if (sqlite3_column_type(s, col) == SQLITE_NULL) {
        *len = 0;
        return NULL;
    }
    const void *p = sqlite3_column_type(s, col) == SQLITE_BLOB ? sqlite3_column_blob(s, col)
                                                               : sqlite3_column_text(s, col);
    *len = (size_t)sqlite3_column_bytes(s, col);
    return p ? p : "";
}

static bool lite_col_null(db_stmt_t *base, int col)
{
    return sqlite3_column_type(((lite_stmt_t *)base)->s, col) == SQLITE_NULL;
}

static int64_t lite_changes(db_t *base)
{
    return sqlite3_changes64(((lite_t *)base)->h);
}

/* Checkpoints run on the outbox worker, never inside a commit (
 * wal_autocheckpoint is off). PASSIVE passes copy the log into the
 * database without holding anyone up; each pass copies only what was
 * committed during the one before. The log starts over only when a writer
 * finds every frame copied; with commits always arriving that needs one
 * short pass with the writers held: taken once the log passes
 * WAL_RESTART_FRAMES and the tail is small, so it lasts about one fsync. */
#define WAL_RESTART_FRAMES 4096
#define WAL_TAIL_FRAMES    256
#define CATCH_UP_PASSES    4

static int scrub_now(lite_t *db);
static int scrub_pending; /* a scrub found readers: the checkpointer tries again */

static int lite_checkpoint(db_t *base, err_t *e)
{
    lite_t *db = (lite_t *)base;
    int log = 0, done = 0, before = 0, rc = SQLITE_OK;
    if (__atomic_load_n(&scrub_pending, __ATOMIC_ACQUIRE) && scrub_now(db) == SQLITE_OK)
        return 0;
    for (int pass = 0; pass < CATCH_UP_PASSES; pass++) {
        rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        if (rc != SQLITE_OK || log - before < WAL_TAIL_FRAMES)
            break;
        before = log;
    }
    if (rc == SQLITE_OK && log > WAL_RESTART_FRAMES) {
        pthread_mutex_lock(&writer);
        rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        pthread_mutex_unlock(&writer);
    }
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : translate(db, rc, e, "checkpoint");
}

/* A TRUNCATE checkpoint waits for the readers of the moment: poll every
 * 100 us rather than SQLite's back-off, give up after 20 ms. */
static int short_busy(void *arg, int count)
{
    (void)arg;
    if (count >= 200)
        return 0;
    usleep(100);
    return 1;
}

/* The whole log into the database and the log emptied, writers held. */
static int scrub_now(lite_t *db)
{
    sqlite3_busy_handler(db->h, short_busy, NULL);
    pthread_mutex_lock(&writer);
    int rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    pthread_mutex_unlock(&writer);
    sqlite3_busy_timeout(db->h, 5000);
    __atomic_store_n(&scrub_pending, rc != SQLITE_OK, __ATOMIC_RELEASE);
    return rc;
}

/* After an erasure: no older image of an erased page may survive in the
 * WAL file. Holds the writers for one full checkpoint (rare calls only);
 * when readers are about, the checkpointer finishes it on its next pass. */
static int lite_scrub(db_t *base, err_t *e)
{
    lite_t *db = (lite_t *)base;
    int rc = scrub_now(db);
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : translate(db, rc, e, "scrub");
}

static void lite_trim(db_t *base)
{
    sqlite3_db_release_memory(((lite_t *)base)->h);
    malloc_trim(0); /* the freed pages back to the system, not kept by malloc */
}

sqlite3 *db_sqlite_handle(db_t *db)
{
    return ((lite_t *)db)->h;
}

int db_sqlite_dsn(const char *data_dir, bool exclusive, char *out, size_t len)
{
    size_t o = 0;
    const char *suffix = exclusive ? "/wlk.db?vfs=unix-excl" : "/wlk.db";
    if (len < 6)
        return -1;
    memcpy(out, "file:", 5);
    o = 5;
    for (const char *p = data_dir; *p; p++) {
        bool esc = *p == '%' || *p == '?' || *p == '#';
        if (o + 4 >= len)
            return -1;
        o += (size_t)(esc ? snprintf(out + o, 4, "%%%02X", (unsigned char)*p)
                          : snprintf(out + o, 2, "%c", *p));
    }
    if (o + strlen(suffix) + 1 > len)
        return -1;
    strcpy(out + o, suffix);
    return 0;
}

const db_ops_t db_sqlite_ops = {
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .exec_script = lite_exec_script,
    .prepare = lite_prepare,
    .bind = lite_bind,
    .step = lite_step,
    .reset = lite_reset,
    .col_i64 = lite_col_i64,
    .col_bytes = lite_col_bytes,
    .col_null = lite_col_null,
    .changes = lite_changes,
    .begin_sql = "BEGIN IMMEDIATE",
    .write_lock = lite_write_lock,
    .checkpoint = lite_checkpoint,
    .trim = lite_trim,
    .scrub = lite_scrub,
    .backup = db_sqlite_backup,
    .restore_stage = db_sqlite_restore_stage,
    .restore_install = db_sqlite_restore_install,
};
