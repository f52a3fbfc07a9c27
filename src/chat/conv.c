/* conv.c - conversations: one per pair of users, with its own key. */
#include "auth/auth.h"
#include "chat/chat_int.h"
#include "core/ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Conversation keys never change: each loop thread keeps the last ones it
 * unwrapped, saving a query and an unwrap per message rendered. */
#define KEY_CACHE 256
static __thread struct {
    int64_t conv;
    sec_key_t key;
} key_cache[KEY_CACHE];

int chat_conv_key(app_ctx_t *c, int64_t conv, sec_key_t *key, err_t *e)
{
    unsigned slot = (unsigned)((uint64_t)conv % KEY_CACHE);
    if (key_cache[slot].conv == conv) {
        *key = key_cache[slot].key;
        return 0;
    }
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT key_wrapped FROM conversations WHERE id = $1",
                    DB_ARGS(DB_I64(conv)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, NULL);
    size_t len;
    const void *w = db_bytes(st, 0, &len);
    rc = sec_dek_unwrap(c->app->vault, conv, w, len, key);
    db_done(st);
    if (rc != 0)
        return err_internal(e, "key of conversation %lld unreadable", (long long)conv);
    key_cache[slot].conv = conv;
    key_cache[slot].key = *key;
    return 0;
}

int chat_member_peer(app_ctx_t *c, int64_t conv, int64_t user, int64_t *peer, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT peer_id FROM members WHERE conversation_id = $1 AND user_id = $2",
                    DB_ARGS(DB_I64(conv), DB_I64(user)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such conversation");
    *peer = db_i64(st, 0);
    db_done(st);
    return 0;
}

/* The peer as others see it: id and nickname, and in the app's views
 * (picture) the profile picture; an account that was cancelled (peer 0)
 * is shown as 已注销用户 with no id. Returns new. */
static int peer_json(app_ctx_t *c, int64_t peer, bool picture, json_t **out, err_t *e)
{
    json_t *nick, *avatar = json_null();
    int rc;
    if (peer == 0) {
        *out = json_pack("{s:n, s:s, s:b}", "id", "nickname", CHAT_CANCELLED_NAME, "cancelled", 1);
    } else {
        if ((rc = auth_user_nickname(c, peer, &nick, e)) < 0)
            return rc;
        if (picture && (rc = auth_user_avatar(c, peer, &avatar, e)) < 0) {
            json_decref(nick);
            return rc;
        }
        *out = json_pack("{s:o, s:o}", "id", ids_json(peer), "nickname", nick);
    }
    if (picture)
        json_object_set_new(*out, "avatar_media_id", avatar);
    return 0;
}

static int unread_count(app_ctx_t *c, int64_t conv, int64_t peer, int64_t read_seq, int64_t *n,
                        err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND seq > $2 "
                    "AND (sender_id = $3 OR sender_id IS NULL)",
                    DB_ARGS(DB_I64(conv), DB_I64(read_seq), DB_I64(peer)), e);
    if (rc < 0)
        return rc;
    *n = db_i64(st, 0);
    db_done(st);
    return 0;
}

static int last_message(app_ctx_t *c, int64_t conv, int64_t last_seq, json_t **out, err_t *e)
{
    *out = json_null();
    if (last_seq == 0)
        return 0;
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT id FROM messages WHERE conversation_id = $1 AND seq = $2",
                    DB_ARGS(DB_I64(conv), DB_I64(last_seq)), e);
    if (rc <= 0)
        return rc;
    int64_t id = db_i64(st, 0);
    db_done(st);
    json_decref(*out);
    *out = NULL;
    return chat_message_view(c, id, NULL, out, e);
}

/* The Conversation view for user. Returns new in *out. */
static int conv_view(app_ctx_t *c, int64_t user, int64_t conv, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT m.peer_id, m.read_seq, COALESCE(p.read_seq, 0), c.last_seq, "
                    "c.created_at FROM members m LEFT JOIN members p ON "
                    "p.conversation_id = m.conversation_id "
                    "AND p.user_id = m.peer_id JOIN conversations c ON c.id = m.conversation_id "
                    "WHERE m.conversation_id = $1 AND m.user_id = $2",
                    DB_ARGS(DB_I64(conv), DB_I64(user)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such conversation");
    int64_t peer = db_i64(st, 0), read_seq = db_i64(st, 1), peer_read = db_i64(st, 2);
    int64_t last_seq = db_i64(st, 3), created = db_i64(st, 4), unread = 0;
    db_done(st);
    json_t *last = NULL, *pj = NULL;
    if ((rc = unread_count(c, conv, peer, read_seq, &unread, e)) < 0 ||
        (rc = last_message(c, conv, last_seq, &last, e)) < 0 ||
        (rc = peer_json(c, peer, true, &pj, e)) < 0) {
        json_decref(last);
        return rc;
    }
    *out = json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:o}", "id", ids_json(conv), "peer", pj,
                     "created_at", (json_int_t)created, "last_seq", (json_int_t)last_seq,
                     "read_seq", (json_int_t)read_seq, "peer_read_seq", (json_int_t)peer_read,
                     "unread", (json_int_t)unread, "last_message", last);
    return 0;
}

int chat_conv_brief(app_ctx_t *c, int64_t user, int64_t conv, bool picture, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT m.peer_id, c.created_at FROM members m JOIN conversations c ON "
                    "c.id = m.conversation_id WHERE m.conversation_id = $1 AND m.user_id = $2",
                    DB_ARGS(DB_I64(conv), DB_I64(user)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such conversation");
    int64_t peer = db_i64(st, 0), created = db_i64(st, 1);
    db_done(st);
    json_t *pj;
    if ((rc = peer_json(c, peer, picture, &pj, e)) < 0)
        return rc;
    *out = json_pack("{s:o, s:o, s:I}", "id", ids_json(conv), "peer", pj, "created_at",
                     (json_int_t)created);
    return 0;
}

static int find_pair(app_ctx_t *c, int64_t lo, int64_t hi, int64_t *conv, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT id FROM conversations WHERE user_lo = $1 AND user_hi = $2",
                    DB_ARGS(DB_I64(lo), DB_I64(hi)), e);
    if (rc == DB_ROW) {
        *conv = db_i64(st, 0);
        db_done(st);
    }
    return rc;
}

static int user_exists(app_ctx_t *c, int64_t user, err_t *e)
{
    bool exists;
    int rc = auth_user_exists(c, user, &exists, e);
    return rc < 0 ? rc : exists ? 0 : err_set(e, ERR_NOT_FOUND, "peer_id", "no such user");
}

static int create(app_ctx_t *c, stream_notify_t *n, int64_t user, int64_t peer, int64_t *conv,
                  err_t *e)
{
    int64_t id = ids_next(), now = c->now_ms();
    int64_t lo = user < peer ? user : peer, hi = user < peer ? peer : user;
    sec_key_t key;
    uint8_t wrapped[SEC_WRAPPED_LEN];
    sec_dek_create(c->app->vault, id, &key, wrapped);
    sec_wipe(&key, sizeof(key));
    int rc = (int)db_exec(
        c->db,
        "INSERT INTO conversations (id, user_lo, user_hi, key_wrapped, last_at, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $5)",
        DB_ARGS(DB_I64(id), DB_I64(lo), DB_I64(hi), DB_BLOB(wrapped, SEC_WRAPPED_LEN), DB_I64(now)),
        e);
    const char *sql = "INSERT INTO members (conversation_id, user_id, peer_id) VALUES ($1, $2, $3)";
    if (rc >= 0)
        rc = (int)db_exec(c->db, sql, DB_ARGS(DB_I64(id), DB_I64(user), DB_I64(peer)), e);
    if (rc >= 0)
        rc = (int)db_exec(c->db, sql, DB_ARGS(DB_I64(id), DB_I64(peer), DB_I64(user)), e);
    if (rc >= 0)
        rc = stream_add_pair(c, n, user, peer, "conversation.created", id, id, NULL, NULL, 0, e);
    *conv = id;
    return rc < 0 ? rc : 0;
}

int chat_conv_open(app_ctx_t *c, int64_t user, int64_t peer, bool *created, json_t **out, err_t *e)
{
    if (peer == user)
        return err_set(e, ERR_VALIDATION_FAILED, "peer_id", "you cannot chat with yourself");
    stream_notify_t n = {0};
    int64_t conv = 0, lo = user < peer ? user : peer, hi = user < peer ? peer : user;
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    if ((rc = user_exists(c, peer, e)) < 0 || (rc = find_pair(c, lo, hi, &conv, e)) < 0)
        goto out_rollback;
    *created = rc == DB_DONE;
    if (*created && (rc = create(c, &n, user, peer, &conv, e)) < 0)
        goto out_rollback;
    if ((rc = stream_commit(c, &n, e)) < 0)
        return rc;
    return conv_view(c, user, conv, out, e);
out_rollback:
    db_rollback(c->db);
    return rc;
}

int chat_conv_get(app_ctx_t *c, int64_t user, int64_t conv, json_t **out, err_t *e)
{
    return conv_view(c, user, conv, out, e);
}

int chat_conv_list(app_ctx_t *c, int64_t user, int limit, const char *cursor, json_t **out,
                   err_t *e)
{
    int64_t at = INT64_MAX, after = INT64_MAX;
    if (cursor && !ids_cursor_parse(cursor, &at, &after))
        return err_set(e, ERR_VALIDATION_FAILED, "cursor", "not a cursor from next_cursor");
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT c.id, c.last_at FROM members m JOIN conversations c "
                      "ON c.id = m.conversation_id WHERE m.user_id = $1 AND "
                      "(c.last_at < $2 OR (c.last_at = $2 AND c.id < $3)) "
                      "ORDER BY c.last_at DESC, c.id DESC LIMIT $4",
                      DB_ARGS(DB_I64(user), DB_I64(at), DB_I64(after), DB_I64(limit + 1)), e);
    if (rc < 0)
        return rc;
    int64_t ids[101], ats[101];
    int n = 0;
    while (n <= limit && (rc = db_step(st, e)) == DB_ROW) {
        ids[n] = db_i64(st, 0);
        ats[n++] = db_i64(st, 1);
    }
    if (rc < 0)
        return rc;
    db_done(st);
    json_t *items = json_array(), *next = json_null();
    for (int i = 0; i < n && i < limit; i++) {
        json_t *v;
        if ((rc = conv_view(c, user, ids[i], &v, e)) < 0) {
            json_decref(items);
            return rc;
        }
        json_array_append_new(items, v);
    }
    if (n > limit) {
        json_decref(next);
        next = ids_cursor_json(ats[limit - 1], ids[limit - 1]);
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return 0;
}

int chat_keys_rewrap(app_ctx_t *c, int64_t *done, int64_t *unreadable, err_t *e)
{
    return db_rewrite_blobs(
        c->db, "SELECT id, key_wrapped FROM conversations WHERE id > $1 ORDER BY id LIMIT 256",
        "UPDATE conversations SET key_wrapped = $1 WHERE id = $2 AND key_wrapped = $3",
        sec_dek_rewrap, c->app->vault, done, unreadable, e);
}
