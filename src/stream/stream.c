/* stream.c - the per-user event stream (append inside the transaction of
 * the change, head, prune by age). Reading and rendering events is
 * chat_sync's job; pushes to offline users are auth_push's. */
#include "stream/stream.h"

#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

static void notify_add(stream_notify_t *n, int64_t user)
{
    for (int i = 0; i < n->n; i++)
        if (n->users[i] == user)
            return;
    if (n->n < STREAM_MAX_NOTIFY)
        n->users[n->n++] = user;
}

void stream_publish(app_ctx_t *c, const stream_notify_t *n)
{
    for (int i = 0; c->app->notify && i < n->n; i++)
        c->app->notify(c->app, n->users[i]);
    if (n->outbox && c->app->outbox_kick)
        c->app->outbox_kick(c->app);
}

int stream_commit(app_ctx_t *c, stream_notify_t *n, err_t *e)
{
    int rc = db_commit(c->db, e);
    if (rc == 0)
        stream_publish(c, n);
    return rc;
}

typedef struct event_in {
    const char *type;
    int64_t conv, ref;
    const json_t *data;
    const uint8_t *sealed;
    size_t sealed_len;
} event_in_t;

/* Appends ev to the streams of a and b (a == b: one), which the caller
 * locked, in one statement that waits for nothing: each seq is the
 * stream's head + 1, read by the insert itself. The head is the last kept
 * event, or the pruned floor when none is kept (from the events' primary
 * key, so appending writes no user row); a user who is gone gets nothing.
 * Appends to one stream are serialised (db_xlock), and the insert begins
 * after the lock is held, so head + 1 is free and commits in seq order: a
 * reader never sees seq n + 1 before n. */
static int append(app_ctx_t *c, stream_notify_t *n, int64_t a, int64_t b, const event_in_t *ev,
                  err_t *e)
{
    char *text = ev->data ? json_dumps(ev->data, JSON_COMPACT) : NULL;
    int rc = db_exec_later(
        c->db,
        "INSERT INTO events (user_id, seq, type, conversation_id, ref_id, data, data_enc, at) "
        "SELECT u.id, COALESCE((SELECT MAX(seq) FROM events WHERE events.user_id = u.id), "
        "u.event_floor) + 1, $3, $4, $5, $6, $7, $8 FROM users u WHERE u.id IN ($1, $2)",
        DB_ARGS(DB_I64(a), DB_I64(b), DB_TEXT(ev->type), ev->conv ? DB_I64(ev->conv) : DB_NULL,
                ev->ref ? DB_I64(ev->ref) : DB_NULL, text ? DB_TEXT(text) : DB_NULL,
                ev->sealed ? DB_BLOB(ev->sealed, ev->sealed_len) : DB_NULL, DB_I64(c->now_ms())),
        e);
    free(text);
    if (rc < 0)
        return rc;
    notify_add(n, a); /* one that is gone has no connection to tell */
    notify_add(n, b);
    return 0;
}

int stream_add(app_ctx_t *c, stream_notify_t *n, int64_t user, const char *type, int64_t conv,
               int64_t ref, const json_t *data, const uint8_t *sealed, size_t sealed_len, err_t *e)
{
    const event_in_t ev = {type, conv, ref, data, sealed, sealed_len};
    int rc = db_xlock(c->db, "stream", &user, sizeof(user), e);
    return rc < 0 ? rc : append(c, n, user, user, &ev, e);
}

int stream_add_pair(app_ctx_t *c, stream_notify_t *n, int64_t a, int64_t b, const char *type,
                    int64_t conv, int64_t ref, const json_t *data, const uint8_t *sealed,
                    size_t sealed_len, err_t *e)
{
    const event_in_t ev = {type, conv, ref, data, sealed, sealed_len};
    /* both streams locked in ascending order: two transactions that
     * append to the same two users never wait for each other in a ring */
    int64_t lo = a < b ? a : b, hi = a < b ? b : a;
    int rc = lo == hi ? db_xlock(c->db, "stream", &lo, sizeof(lo), e)
                      : db_xlock2(c->db, "stream", &lo, &hi, sizeof(lo), e);
    return rc < 0 ? rc : append(c, n, a, b, &ev, e);
}

int stream_head(app_ctx_t *c, int64_t user, int64_t *head, int64_t *floor, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT event_floor, (SELECT MAX(seq) FROM events WHERE user_id = $1) "
                    "FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_UNAUTHORIZED, NULL, NULL);
    *floor = db_i64(st, 0);
    *head = db_is_null(st, 1) ? *floor : db_i64(st, 1);
    db_done(st);
    return 0;
}

int stream_prune(app_ctx_t *c, err_t *e)
{
    int64_t before = c->now_ms() - (int64_t)c->app->cfg.event_retention_days * DAY_MS;
    /* raise each floor first, so a cursor below it is refused, never served a gap */
    int64_t rc = db_exec(c->db,
                         "UPDATE users SET event_floor = (SELECT MAX(seq) FROM events WHERE "
                         "events.user_id = users.id AND events.at < $1) WHERE id IN (SELECT "
                         "user_id FROM events WHERE at < $1)",
                         DB_ARGS(DB_I64(before)), e);
    if (rc >= 0)
        rc = db_exec(c->db, "DELETE FROM events WHERE at < $1", DB_ARGS(DB_I64(before)), e);
    return (int)rc;
}
