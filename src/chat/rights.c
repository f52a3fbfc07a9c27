/* rights.c - chat's part of the user's rights: what an export shows (the
 * conversations a user is in and every message they can see) and what
 * cancellation does to chat (the peer keeps the history, with no link to
 * the cancelled account). */
#include "chat/chat_int.h"

#include <stdlib.h>

/* Messages of conv in seq order, rendered (bodies opened). */
static int conv_messages(app_ctx_t *c, int64_t conv, json_t *into, err_t *e)
{
    sec_key_t key;
    int rc = chat_conv_key(c, conv, &key, e);
    if (rc < 0)
        return rc;
    db_stmt_t *st;
    size_t n = 0, cap = 64;
    int64_t *ids = malloc(cap * sizeof(*ids));
    rc = db_query(c->db, &st, "SELECT id FROM messages WHERE conversation_id = $1 ORDER BY seq",
                  DB_ARGS(DB_I64(conv)), e);
    while (rc >= 0 && (rc = db_step(st, e)) == DB_ROW) {
        if (n == cap)
            ids = realloc(ids, (cap *= 2) * sizeof(*ids));
        if (ids == NULL)
            abort();
        ids[n++] = db_i64(st, 0);
    }
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        json_t *m;
        if ((rc = chat_message_view(c, ids[i], &key, &m, e)) >= 0)
            json_array_append_new(into, m);
    }
    free(ids);
    sec_wipe(&key, sizeof(key));
    return rc < 0 ? rc : 0;
}

static int member_convs(app_ctx_t *c, int64_t user, int64_t **ids, size_t *n, err_t *e)
{
    db_stmt_t *st;
    size_t cap = 16;
    *n = 0;
    *ids = malloc(cap * sizeof(**ids));
    int rc = db_query(c->db, &st,
                      "SELECT m.conversation_id FROM members m JOIN conversations c ON "
                      "c.id = m.conversation_id WHERE m.user_id = $1 ORDER BY c.created_at, c.id",
                      DB_ARGS(DB_I64(user)), e);
    while (rc >= 0 && (rc = db_step(st, e)) == DB_ROW) {
        if (*n == cap)
            *ids = realloc(*ids, (cap *= 2) * sizeof(**ids));
        if (*ids == NULL)
            abort();
        (*ids)[(*n)++] = db_i64(st, 0);
    }
    return rc < 0 ? rc : 0;
}

int chat_export(app_ctx_t *c, int64_t user, json_t **out, err_t *e)
{
    int64_t *convs;
    size_t n;
    int rc = member_convs(c, user, &convs, &n, e);
    json_t *items = json_array();
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        json_t *conv = NULL, *msgs = json_array();
        if ((rc = chat_conv_brief(c, user, convs[i], false, &conv, e)) < 0 ||
            (rc = conv_messages(c, convs[i], msgs, e)) < 0) {
            json_decref(msgs);
            json_decref(conv);
            break;
        }
        json_object_set_new(conv, "messages", msgs);
        json_array_append_new(items, conv);
    }
    free(convs);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

/* Adds n (rows changed, or an error) to *count (may be NULL). */
static int counted(int64_t n, int64_t *count)
{
    if (n >= 0 && count)
        *count += n;
    return n < 0 ? (int)n : 0;
}

/* The peer's side points to no account (peer 0); the user's slot of the
 * pair becomes the negated conversation id (unique, never a user id), so
 * a new account of the same phone starts a new conversation. Calls lose
 * their caller, and read receipts in the peer's stream the user. */
static int unlink_peer(app_ctx_t *c, int64_t user, int64_t conv, int64_t peer, err_t *e)
{
    int rc;
    if ((rc = counted(db_exec(c->db,
                              "UPDATE members SET peer_id = 0 WHERE conversation_id = $1 AND "
                              "user_id = $2",
                              DB_ARGS(DB_I64(conv), DB_I64(peer)), e),
                      NULL)) < 0 ||
        (rc = counted(db_exec(c->db,
                              "UPDATE conversations SET user_lo = CASE WHEN user_lo = $1 THEN -id "
                              "ELSE user_lo END, user_hi = CASE WHEN user_hi = $1 THEN -id ELSE "
                              "user_hi END WHERE id = $2",
                              DB_ARGS(DB_I64(user), DB_I64(conv)), e),
                      NULL)) < 0 ||
        (rc = counted(db_exec(c->db,
                              "UPDATE calls SET caller_id = 0 WHERE conversation_id = $1 AND "
                              "caller_id = $2",
                              DB_ARGS(DB_I64(conv), DB_I64(user)), e),
                      NULL)) < 0)
        return rc;
    return counted(db_exec(c->db,
                           "UPDATE events SET ref_id = NULL, data = NULL WHERE user_id = $1 AND "
                           "conversation_id = $2 AND ref_id = $3",
                           DB_ARGS(DB_I64(peer), DB_I64(conv), DB_I64(user)), e),
                   NULL);
}

/* Both sides are gone: nobody can see the conversation any more. */
static int drop_conv(app_ctx_t *c, int64_t conv, int64_t *gone, err_t *e)
{
    int rc;
    if ((rc = counted(db_exec(c->db, "DELETE FROM messages WHERE conversation_id = $1",
                              DB_ARGS(DB_I64(conv)), e),
                      gone)) < 0 ||
        (rc = counted(db_exec(c->db, "DELETE FROM calls WHERE conversation_id = $1",
                              DB_ARGS(DB_I64(conv)), e),
                      NULL)) < 0)
        return rc;
    return counted(
        db_exec(c->db, "DELETE FROM conversations WHERE id = $1", DB_ARGS(DB_I64(conv)), e), NULL);
}

static int leave(app_ctx_t *c, int64_t user, int64_t conv, int64_t peer, int64_t *left,
                 int64_t *anonymised, int64_t *gone, err_t *e)
{
    int rc =
        counted(db_exec(c->db, "DELETE FROM members WHERE conversation_id = $1 AND user_id = $2",
                        DB_ARGS(DB_I64(conv), DB_I64(user)), e),
                left);
    if (rc < 0)
        return rc;
    if (peer == 0)
        return drop_conv(c, conv, gone, e);
    if ((rc = unlink_peer(c, user, conv, peer, e)) < 0)
        return rc;
    /* the peer keeps the history, without a sender */
    return counted(db_exec(c->db,
                           "UPDATE messages SET sender_id = NULL WHERE conversation_id = $1 AND "
                           "sender_id = $2",
                           DB_ARGS(DB_I64(conv), DB_I64(user)), e),
                   anonymised);
}

int chat_forget_user(app_ctx_t *c, int64_t user, int64_t *left, int64_t *anonymised, int64_t *gone,
                     err_t *e)
{
    int64_t *convs;
    size_t n;
    *left = *anonymised = *gone = 0;
    int rc = member_convs(c, user, &convs, &n, e);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        int64_t peer;
        if ((rc = chat_member_peer(c, convs[i], user, &peer, e)) >= 0)
            rc = leave(c, user, convs[i], peer, left, anonymised, gone, e);
    }
    free(convs);
    return rc < 0 ? rc : 0;
}
