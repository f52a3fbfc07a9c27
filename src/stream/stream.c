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

static int lock_stream(app_ctx_t *c, int64_t user, err_t *e)
{
    return db_xlock(c->db, "stream", &user, sizeof(user), e);
}

/* The head is the last kept event, or the pruned floor when none is kept:
 * read from the events' primary key, so appending writes no user row.
 * Appends to one stream are serialised (db_xlock), so head + 1 is free
 * and commits in seq order: a reader never sees seq n + 1 before n. */
static int read_head(app_ctx_t *c, int64_t user, int64_t *head, int64_t *floor, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT event_floor, (SELECT MAX(seq) FROM events WHERE user_id = $1) "
                    "FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user)), e);
    if (rc != DB_ROW)
        return rc;
    *floor = db_i64(st, 0);
    *head = db_is_null(st, 1) ? *floor : db_i64(st, 1);
    db_done(st);
    return DB_ROW;
}

int stream_add(app_ctx_t *c, stream_notify_t *n, int64_t user, const char *type, int64_t conv,
               int64_t ref, const json_t *data, const uint8_t *sealed, size_t sealed_len, err_t *e)
{
    int64_t head, floor;
    int rc = lock_stream(c, user, e);
    if (rc < 0)
        return rc;
    rc = read_head(c, user, &head, &floor, e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return 0; /* the user is gone: nothing to tell */
    int64_t seq = head + 1;
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    rc = (int)db_exec(c->db,
                      "INSERT INTO events (user_id, seq, type, conversation_id, ref_id, data, "
                      "data_enc, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                      DB_ARGS(DB_I64(user), DB_I64(seq), DB_TEXT(type),
                              conv ? DB_I64(conv) : DB_NULL, ref ? DB_I64(ref) : DB_NULL,
                              text ? DB_TEXT(text) : DB_NULL,
                              sealed ? DB_BLOB(sealed, sealed_len) : DB_NULL, DB_I64(c->now_ms())),
                      e);
    free(text);
    if (rc < 0)
        return rc;
    notify_add(n, user);
    return 0;
}

int stream_add_pair(app_ctx_t *c, stream_notify_t *n, int64_t a, int64_t b, const char *type,
                    int64_t conv, int64_t ref, const json_t *data, const uint8_t *sealed,
                    size_t sealed_len, err_t *e)
{
    /* both streams locked in ascending order: two transactions that
     * append to the same two users never wait for each other in a ring */
    int rc = lock_stream(c, a < b ? a : b, e);
    if (rc < 0 || (rc = lock_stream(c, a < b ? b : a, e)) < 0 ||
        (rc = stream_add(c, n, a, type, conv, ref, data, sealed, sealed_len, e)) < 0)
        return rc;
    return stream_add(c, n, b, type, conv, ref, data, sealed, sealed_len, e);
}

int stream_head(app_ctx_t *c, int64_t user, int64_t *head, int64_t *floor, err_t *e)
{
    int rc = read_head(c, user, head, floor, e);
    if (rc < 0)
        return rc;
    return rc == DB_DONE ? err_set(e, ERR_UNAUTHORIZED, NULL, NULL) : 0;
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
