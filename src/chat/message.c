/* message.c - messages: body validation per kind, sealed storage with a
 * gapless seq, history, read receipts and recall. */
#include "chat/chat_int.h"
#include "auth/auth.h"
#include "core/ids.h"
#include "core/jread.h"
#include "media/media.h"
#include "privacy/privacy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DURATION_MS    86400000LL
#define MAX_PROPERTY_BYTES 4096

uint8_t *chat_seal(const sec_key_t *key, const char *place, int64_t row, const json_t *v,
                   size_t *len)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t n = strlen(text);
    uint8_t *out = sec_seal_field(key, place, row, text, n, len);
    sec_wipe(text, n);
    free(text);
    return out;
}

json_t *chat_open(const sec_key_t *key, const char *place, int64_t row, const void *sealed,
                  size_t len)
{
    size_t n;
    char *text = sec_open_field(key, place, row, sealed, len, &n);
    if (text == NULL)
        return NULL;
    json_t *v = json_loadb(text, n, JSON_DECODE_ANY, NULL);
    sec_wipe(text, n);
    free(text);
    return v;
}

/* ---- validation, one function per kind ---- */

typedef struct body_check {
    const char *kind;
    int (*check)(app_ctx_t *c, int64_t sender, const json_t *body, int64_t *media, err_t *e);
    const char *media_prefix; /* content type prefix the media must have */
} body_check_t;

static int check_text(app_ctx_t *c, int64_t sender, const json_t *body, int64_t *media, err_t *e)
{
    (void)c, (void)sender, (void)media;
    static const char *const keys[] = {"text", NULL};
    const char *text;
    int rc = jread_keys(body, "body", keys, e);
    return rc < 0 ? rc : jread_text(body, "body", "text", true, 1, 4000, &text, e);
}

static int read_duration(const json_t *body, err_t *e)
{
    json_t *d = json_object_get(body, "duration_ms");
    if (!json_is_integer(d) || json_integer_value(d) < 0 || json_integer_value(d) > MAX_DURATION_MS)
        return err_set(e, ERR_VALIDATION_FAILED, "body.duration_ms", "0 to 86400000 ms");
    return 0;
}

static int check_media_owned(app_ctx_t *c, int64_t sender, const json_t *body, const char *prefix,
                             int64_t *media, err_t *e)
{
    const char *mid;
    int rc = jread_str(body, "body", "media_id", true, 1, 20, &mid, e);
    if (rc < 0)
        return rc;
    if (!ids_parse(mid, strlen(mid), media))
        return err_set(e, ERR_VALIDATION_FAILED, "body.media_id", "no such media");
    return media_check_owned(c, sender, *media, prefix, "body.media_id", e);
}

static int check_image(app_ctx_t *c, int64_t sender, const json_t *body, int64_t *media, err_t *e)
{
    static const char *const keys[] = {"media_id", NULL};
    int rc = jread_keys(body, "body", keys, e);
    return rc < 0 ? rc : check_media_owned(c, sender, body, "image/", media, e);
}

static int check_av(app_ctx_t *c, int64_t sender, const json_t *body, const char *prefix,
                    int64_t *media, err_t *e)
{
    static const char *const keys[] = {"media_id", "duration_ms", NULL};
    int rc;
    if ((rc = jread_keys(body, "body", keys, e)) < 0 || (rc = read_duration(body, e)) < 0)
        return rc;
    return check_media_owned(c, sender, body, prefix, media, e);
}

static int check_audio(app_ctx_t *c, int64_t sender, const json_t *body, int64_t *media, err_t *e)
{
    return check_av(c, sender, body, "audio/", media, e);
}

static int check_video(app_ctx_t *c, int64_t sender, const json_t *body, int64_t *media, err_t *e)
{
    return check_av(c, sender, body, "video/", media, e);
}

static int read_coord(const json_t *body, const char *key, double lim, err_t *e)
{
    json_t *v = json_object_get(body, key);
    double d = json_is_number(v) ? json_number_value(v) : NAN;
    if (!(d >= -lim && d <= lim)) {
        char field[32];
        snprintf(field, sizeof(field), "body.%s", key);
        return err_set(e, ERR_VALIDATION_FAILED, field, "out of range");
    }
    return 0;
}

static int check_location(app_ctx_t *c, int64_t sender, const json_t *body, int64_t *media,
                          err_t *e)
{
    (void)media;
    static const char *const keys[] = {"lat", "lng", "name", "address", NULL};
    const char *s;
    int rc;
    if ((rc = jread_keys(body, "body", keys, e)) < 0 || (rc = read_coord(body, "lat", 90, e)) < 0 ||
        (rc = read_coord(body, "lng", 180, e)) < 0 ||
        (rc = jread_text(body, "body", "name", false, 0, 100, &s, e)) < 0 ||
        (rc = jread_text(body, "body", "address", false, 0, 200, &s, e)) < 0)
        return rc;
    /* whereabouts are sensitive: the sender's separate consent first */
    return privacy_consent_require(c, sender, "location", e);
}

static int check_property(app_ctx_t *c, int64_t sender, const json_t *body, int64_t *media,
                          err_t *e)
{
    (void)c, (void)sender, (void)media;
    size_t n = json_dumpb(body, NULL, 0, JSON_COMPACT);
    return n <= MAX_PROPERTY_BYTES ? 0
                                   : err_set(e, ERR_VALIDATION_FAILED, "body", "over 4096 bytes");
}

static const body_check_t checks[] = {
    {"text", check_text, NULL},         {"image", check_image, NULL},
    {"audio", check_audio, NULL},       {"video", check_video, NULL},
    {"location", check_location, NULL}, {"property", check_property, NULL},
};

static int validate(app_ctx_t *c, int64_t sender, const chat_send_t *in, int64_t *media, err_t *e)
{
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
        if (strcmp(checks[i].kind, in->kind) == 0)
            return checks[i].check(c, sender, in->body, media, e);
    return err_set(e, ERR_VALIDATION_FAILED, "kind", "unknown message kind");
}

/* ---- storage and views ---- */

static json_t *id_or_null(db_stmt_t *st, int col)
{
    if (db_is_null(st, col))
        return json_null();
    char buf[21];
    ids_format(db_i64(st, col), buf);
    return json_string(buf);
}

int chat_message_from_row(app_ctx_t *c, db_stmt_t *st, int col, int64_t id, const sec_key_t *key,
                          json_t **out, err_t *e)
{
    int64_t conv = db_i64(st, col);
    sec_key_t own;
    if (key == NULL && !db_is_null(st, col + 5)) {
        /* another statement meanwhile: the row stays readable */
        int rc = chat_conv_key(c, conv, &own, e);
        if (rc < 0)
            return rc;
        key = &own;
    }
    size_t cl, kl, bl;
    const char *client = db_bytes(st, col + 3, &cl), *kind = db_bytes(st, col + 4, &kl);
    const void *benc = db_bytes(st, col + 5, &bl);
    json_t *body = benc ? chat_open(key, "messages.body", id, benc, bl) : NULL;
    if (key == &own)
        sec_wipe(&own, sizeof(own));
    char ids[21];
    ids_format(id, ids);
    *out = json_pack("{s:s, s:o, s:I, s:o, s:s%, s:s%, s:o, s:I, s:o}", "id", ids,
                     "conversation_id", id_or_null(st, col), "seq", (json_int_t)db_i64(st, col + 1),
                     "sender_id", id_or_null(st, col + 2), "client_id", client, cl, "kind", kind,
                     kl, "body", body ? body : json_null(), "created_at",
                     (json_int_t)db_i64(st, col + 6), "recalled_at",
                     db_is_null(st, col + 7) ? json_null() : json_integer(db_i64(st, col + 7)));
    if (db_is_null(st, col + 2)) /* the sender cancelled their account */
        json_object_set_new(*out, "sender_name", json_string(CHAT_CANCELLED_NAME));
    return 0;
}

int chat_message_view(app_ctx_t *c, int64_t id, const sec_key_t *key, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT " CHAT_MESSAGE_COLS " FROM messages m WHERE id = $1",
                    DB_ARGS(DB_I64(id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such message");
    rc = chat_message_from_row(c, st, 0, id, key, out, e);
    db_done(st);
    return rc;
}

int chat_conv_lock(app_ctx_t *c, int64_t conv, err_t *e)
{
    return db_xlock(c->db, "conversation", &conv, sizeof(conv), e);
}

int chat_conv_last_seq(app_ctx_t *c, int64_t conv, int64_t *last, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT last_seq FROM conversations WHERE id = $1",
                    DB_ARGS(DB_I64(conv)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such conversation");
    *last = db_i64(st, 0);
    db_done(st);
    return 0;
}

int chat_message_insert(app_ctx_t *c, int64_t conv, int64_t seq, int64_t sender,
                        const char *client_id, const char *kind, const json_t *body,
                        int64_t media_id, int64_t *id, int64_t *at, err_t *e)
{
    int64_t now = c->now_ms();
    *at = now;
    int rc =
        db_exec_later(c->db, "UPDATE conversations SET last_seq = $1, last_at = $2 WHERE id = $3",
                      DB_ARGS(DB_I64(seq), DB_I64(now), DB_I64(conv)), e);
    if (rc < 0)
        return rc;
    sec_key_t key;
    if ((rc = chat_conv_key(c, conv, &key, e)) < 0)
        return rc;
    *id = ids_next();
    size_t len;
    uint8_t *sealed = chat_seal(&key, "messages.body", *id, body, &len);
    sec_wipe(&key, sizeof(key));
    rc =
        db_exec_later(c->db,
                      "INSERT INTO messages (id, conversation_id, seq, sender_id, client_id, kind, "
                      "body_enc, media_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                      DB_ARGS(DB_I64(*id), DB_I64(conv), DB_I64(seq), DB_I64(sender),
                              DB_TEXT(client_id), DB_TEXT(kind), DB_BLOB(sealed, len),
                              media_id ? DB_I64(media_id) : DB_NULL, DB_I64(now)),
                      e);
    free(sealed);
    return rc < 0 ? rc : 0;
}

static int find_client_id(app_ctx_t *c, int64_t conv, int64_t sender, const char *client_id,
                          int64_t *id, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT id FROM messages WHERE conversation_id = $1 AND sender_id = $2 AND "
                    "client_id = $3",
                    DB_ARGS(DB_I64(conv), DB_I64(sender), DB_TEXT(client_id)), e);
    if (rc == DB_ROW) {
        *id = db_i64(st, 0);
        db_done(st);
    }
    return rc;
}

static const char *push_preview(const chat_send_t *in)
{
    if (strcmp(in->kind, "text") == 0)
        return json_string_value(json_object_get(in->body, "text"));
    static const char *const labels[][2] = {{"image", "[图片]"},
                                            {"audio", "[语音]"},
                                            {"video", "[视频]"},
                                            {"location", "[位置]"},
                                            {"property", "[楼盘]"}};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (strcmp(labels[i][0], in->kind) == 0)
            return labels[i][1];
    return NULL;
}

static int store(app_ctx_t *c, chat_send_item_t *it, int64_t peer, int64_t media, err_t *e)
{
    int rc;
    it->seq = it->last_seq + 1;
    if ((rc = chat_message_insert(c, it->conv, it->seq, it->user, it->in.client_id, it->in.kind,
                                  it->in.body, media, &it->id, &it->at, e)) < 0 ||
        (rc = stream_add_pair(c, &it->notify, it->user, peer, "message.created", it->conv, it->id,
                              NULL, NULL, 0, e)) < 0)
        return rc;
    return auth_push(c, &it->notify, peer, "新消息", push_preview(&it->in), e);
}

/* Under the conversation's lock, in one query: the sender's peer in conv
 * (NOT_FOUND: not a member), the message already stored under the client
 * id (0: none) and the conversation's last seq. */
static int member_and_resend(app_ctx_t *c, chat_send_item_t *it, int64_t *peer, int64_t *existing)
{
    db_stmt_t *st;
    int rc = chat_conv_lock(c, it->conv, &it->err);
    if (rc < 0)
        return rc;
    rc = db_one(c->db, &st,
                "SELECT m.peer_id, (SELECT id FROM messages WHERE conversation_id = $1 AND "
                "sender_id = $2 AND client_id = $3), c.last_seq FROM members m JOIN "
                "conversations c ON c.id = m.conversation_id WHERE m.conversation_id = $1 AND "
                "m.user_id = $2",
                DB_ARGS(DB_I64(it->conv), DB_I64(it->user), DB_TEXT(it->in.client_id)), &it->err);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(&it->err, ERR_NOT_FOUND, NULL, "no such conversation");
    *peer = db_i64(st, 0);
    *existing = db_is_null(st, 1) ? 0 : db_i64(st, 1);
    it->last_seq = db_i64(st, 2);
    db_done(st);
    return 0;
}

/* One item inside the batch transaction. */
static int send_one(app_ctx_t *c, chat_send_item_t *it, bool careful)
{
    int64_t media = 0, peer = 0, existing = 0;
    int rc;
    if ((rc = member_and_resend(c, it, &peer, &existing)) < 0)
        return rc;
    if (peer == 0)
        return err_set(&it->err, ERR_FORBIDDEN, NULL, "the peer cancelled their account");
    if ((rc = validate(c, it->user, &it->in, &media, &it->err)) < 0)
        return rc;
    if (existing) {
        it->id = existing;
        return 0;
    }
    it->created = true;
    rc = store(c, it, peer, media, &it->err);
    if (rc >= 0 && careful) /* the writes sent without waiting are this item's: wait */
        rc = db_flush(c->db, &it->err);
    if (rc != ERR_CONFLICT)
        return rc;
    /* Another process stored this client id since we looked (the unique
     * key waited for its commit): its message is the answer, and this
     * item's writes are taken back. */
    err_clear(&it->err);
    it->created = false;
    memset(&it->notify, 0, sizeof(it->notify));
    if ((rc = (int)db_exec(c->db, "ROLLBACK TO one", DB_NOARGS, &it->err)) < 0 ||
        (rc = find_client_id(c, it->conv, it->user, it->in.client_id, &it->id, &it->err)) < 0)
        return rc;
    return rc == DB_ROW ? 0 : err_set(&it->err, ERR_CONFLICT, NULL, NULL);
}

/* The view of a message just stored, from what we have in hand. */
static json_t *fresh_view(const chat_send_item_t *it)
{
    char id[21], conv[21], sender[21];
    ids_format(it->id, id);
    ids_format(it->conv, conv);
    ids_format(it->user, sender);
    return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:O, s:I, s:n}", "id", id, "conversation_id",
                     conv, "seq", (json_int_t)it->seq, "sender_id", sender, "client_id",
                     it->in.client_id, "kind", it->in.kind, "body", it->in.body, "created_at",
                     (json_int_t)it->at, "recalled_at");
}

static void fail_all(chat_send_item_t **items, int n, const err_t *e)
{
    for (int i = 0; i < n; i++) {
        if (items[i]->rc == 0) {
            items[i]->rc = e->code;
            err_set(&items[i]->err, e->code, NULL, "%s", e->message);
            items[i]->err.retry_after = e->retry_after;
        }
    }
}

/* A failure that the database saw (the transaction may be aborted, or the
 * item half-written), as opposed to a refusal decided before any write. */
static bool db_failure(int rc)
{
    return rc == ERR_UNAVAILABLE || rc == ERR_INTERNAL || rc == ERR_CONFLICT;
}

static void reset_item(chat_send_item_t *it)
{
    err_clear(&it->err);
    memset(&it->notify, 0, sizeof(it->notify));
    it->rc = 0;
    it->created = false;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Every conversation lock of the batch, taken first and in ascending id
 * order (sent without waiting: the next statement waits). Batches of two
 * nodes then never wait for each other's conversations in a cycle: each
 * holds all it needs, or waits for one it will get. A single send takes
 * one conversation's lock, then its streams' (ascending): the same order. */
static int lock_conversations(app_ctx_t *c, chat_send_item_t **items, int n, err_t *e)
{
    int64_t stack[64], *ids = n <= 64 ? stack : malloc((size_t)n * sizeof(*ids));
    if (ids == NULL)
        abort();
    for (int i = 0; i < n; i++)
        ids[i] = items[i]->conv;
    qsort(ids, (size_t)n, sizeof(*ids), by_id);
    int rc = 0;
    for (int i = 0; rc >= 0 && i < n; i++)
        if (i == 0 || ids[i] != ids[i - 1])
            rc = chat_conv_lock(c, ids[i], e);
    if (ids != stack)
        free(ids);
    return rc;
}

/* The fast pass: every item in one transaction, no savepoints. It stands
 * only if no item failed in the database; otherwise it is rolled back and
 * 1 returned, for the careful pass. */
static int store_fast(app_ctx_t *c, chat_send_item_t **items, int n)
{
    err_t e = {0};
    if (db_begin(c->db, &e) < 0 || lock_conversations(c, items, n, &e) < 0) {
        db_rollback(c->db);
        err_clear(&e);
        return 1;
    }
    for (int i = 0; i <= n; i++) {
        /* after the last item: the writes sent without waiting, all in */
        int rc = i < n ? (items[i]->rc = send_one(c, items[i], false)) : db_flush(c->db, &e);
        if (rc < 0 && (i == n || db_failure(rc) || items[i]->created)) {
            db_rollback(c->db);
            err_clear(&e);
            for (int k = 0; k < n; k++)
                reset_item(items[k]);
            return 1;
        }
    }
    if (db_commit(c->db, &e) < 0) {
        fail_all(items, n, &e);
        err_clear(&e);
    }
    return 0;
}

/* The careful pass: one savepoint per item, so a failing item takes back
 * only its own writes; a deadlock with another node's transaction is
 * resolved by rolling back the item's locks, then it is tried again. */
static void store_careful(app_ctx_t *c, chat_send_item_t **items, int n)
{
    err_t e = {0};
    if (db_begin(c->db, &e) < 0 || lock_conversations(c, items, n, &e) < 0) {
        db_rollback(c->db);
        fail_all(items, n, &e);
        err_clear(&e);
        return;
    }
    for (int i = 0; i < n; i++) {
        chat_send_item_t *it = items[i];
        if (db_exec(c->db, "SAVEPOINT one", DB_NOARGS, &it->err) < 0) {
            it->rc = it->err.code;
            continue;
        }
        for (int attempt = 0;; attempt++) {
            if ((it->rc = send_one(c, it, true)) >= 0)
                break;
            err_t ignored = {0};
            (void)db_exec(c->db, "ROLLBACK TO one", DB_NOARGS, &ignored);
            err_clear(&ignored);
            memset(&it->notify, 0, sizeof(it->notify));
            if (it->rc != ERR_UNAVAILABLE || attempt == 2)
                break;
            err_clear(&it->err);
        }
        err_t ignored = {0};
        (void)db_exec(c->db, "RELEASE one", DB_NOARGS, &ignored);
        err_clear(&ignored);
    }
    if (db_commit(c->db, &e) < 0) {
        fail_all(items, n, &e);
        err_clear(&e);
    }
}

/* Sends are refused (not written) far more often than they fail in the
 * database, so a batch first goes in whole without savepoints, two round
 * trips less per message; only a batch in which the database failed an
 * item is done again carefully. */
void chat_send_store(app_ctx_t *c, chat_send_item_t **items, int n)
{
    if (store_fast(c, items, n) != 0)
        store_careful(c, items, n);
}

void chat_send_finish(app_ctx_t *c, chat_send_item_t *it)
{
    if (it->rc < 0)
        return;
    stream_publish(c, &it->notify);
    if (it->created)
        it->msg = fresh_view(it);
    else if ((it->rc = chat_message_view(c, it->id, NULL, &it->msg, &it->err)) > 0)
        it->rc = 0;
}

int chat_send(app_ctx_t *c, int64_t user, int64_t conv, const chat_send_t *in, bool *created,
              json_t **out, err_t *e)
{
    chat_send_item_t it = {.user = user, .conv = conv, .in = *in}, *one = &it;
    chat_send_store(c, &one, 1);
    chat_send_finish(c, &it);
    if (it.rc < 0) {
        *e = it.err; /* hands over the extra keys too */
        return it.rc;
    }
    err_clear(&it.err);
    *created = it.created;
    *out = it.msg;
    return 0;
}

int chat_history(app_ctx_t *c, int64_t user, int64_t conv, int64_t before, int64_t after, int limit,
                 json_t **out, err_t *e)
{
    int64_t peer;
    int rc = chat_member_peer(c, conv, user, &peer, e);
    if (rc < 0)
        return rc;
    sec_key_t key;
    if ((rc = chat_conv_key(c, conv, &key, e)) < 0)
        return rc;
    db_stmt_t *st;
    /* after (>= 0): the first `limit` above it; else the last `limit` below before */
    if (after >= 0)
        rc = db_query(c->db, &st,
                      "SELECT id FROM messages WHERE conversation_id = $1 AND seq > $2 "
                      "ORDER BY seq LIMIT $3",
                      DB_ARGS(DB_I64(conv), DB_I64(after), DB_I64(limit + 1)), e);
    else
        rc = db_query(
            c->db, &st,
            "SELECT id FROM messages WHERE conversation_id = $1 AND seq < $2 "
            "ORDER BY seq DESC LIMIT $3",
            DB_ARGS(DB_I64(conv), DB_I64(before > 0 ? before : INT64_MAX), DB_I64(limit + 1)), e);
    if (rc < 0)
        goto out;
    int64_t *ids = calloc((size_t)limit + 1, sizeof(int64_t));
    int got = 0;
    while (got <= limit && (rc = db_step(st, e)) == DB_ROW)
        ids[got++] = db_i64(st, 0);
    if (rc >= 0)
        db_done(st);
    bool more = got > limit;
    if (more)
        got = limit;
    json_t *items = json_array();
    for (int i = 0; rc >= 0 && i < got; i++) {
        json_t *m;
        int k = after >= 0 ? i : got - 1 - i; /* ascending either way */
        if ((rc = chat_message_view(c, ids[k], &key, &m, e)) >= 0)
            json_array_append_new(items, m);
    }
    free(ids);
    if (rc < 0)
        json_decref(items);
    else
        *out = json_pack("{s:o, s:b}", "items", items, "has_more", more);
out:
    sec_wipe(&key, sizeof(key));
    return rc < 0 ? rc : 0;
}

int chat_read(app_ctx_t *c, int64_t user, int64_t conv, int64_t seq, err_t *e)
{
    int64_t peer;
    stream_notify_t n = {0};
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    if ((rc = chat_member_peer(c, conv, user, &peer, e)) < 0)
        goto out_rollback;
    db_stmt_t *st;
    if ((rc = db_one(c->db, &st, "SELECT last_seq FROM conversations WHERE id = $1",
                     DB_ARGS(DB_I64(conv)), e)) < 0)
        goto out_rollback;
    int64_t last = rc == DB_ROW ? db_i64(st, 0) : 0;
    if (rc == DB_ROW)
        db_done(st);
    if (seq < 0 || seq > last) {
        rc = err_set(e, ERR_VALIDATION_FAILED, "seq", "beyond the last message");
        goto out_rollback;
    }
    int64_t changed = db_exec(c->db,
                              "UPDATE members SET read_seq = $1 WHERE conversation_id = $2 AND "
                              "user_id = $3 AND read_seq < $1",
                              DB_ARGS(DB_I64(seq), DB_I64(conv), DB_I64(user)), e);
    if ((rc = (int)changed) < 0)
        goto out_rollback;
    if (changed > 0) {
        char uid[21];
        ids_format(user, uid);
        json_t *data = json_pack("{s:s, s:I}", "user_id", uid, "seq", (json_int_t)seq);
        rc = stream_add_pair(c, &n, user, peer, "conversation.read", conv, user, data, NULL, 0, e);
        json_decref(data);
        if (rc < 0)
            goto out_rollback;
    }
    return stream_commit(c, &n, e);
out_rollback:
    db_rollback(c->db);
    return rc;
}

static int tombstone(app_ctx_t *c, stream_notify_t *n, int64_t id, int64_t conv, int64_t user,
                     int64_t peer, err_t *e)
{
    int rc = (int)db_exec(c->db,
                          "UPDATE messages SET body_enc = NULL, media_id = NULL, recalled_at = $1 "
                          "WHERE id = $2",
                          DB_ARGS(DB_I64(c->now_ms()), DB_I64(id)), e);
    if (rc >= 0)
        rc = stream_add_pair(c, n, user, peer, "message.recalled", conv, id, NULL, NULL, 0, e);
    return rc < 0 ? rc : 0;
}

int chat_recall(app_ctx_t *c, int64_t user, int64_t message, json_t **out, err_t *e)
{
    stream_notify_t n = {0};
    int64_t peer;
    db_stmt_t *st;
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    if ((rc = db_one(c->db, &st,
                     "SELECT conversation_id, sender_id, created_at, recalled_at FROM messages "
                     "WHERE id = $1",
                     DB_ARGS(DB_I64(message)), e)) < 0)
        goto out_rollback;
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such message");
        goto out_rollback;
    }
    int64_t conv = db_i64(st, 0), sender = db_is_null(st, 1) ? 0 : db_i64(st, 1);
    int64_t created = db_i64(st, 2);
    bool recalled = !db_is_null(st, 3);
    db_done(st);
    if ((rc = chat_member_peer(c, conv, user, &peer, e)) < 0)
        goto out_rollback;
    if (sender != user)
        rc = err_set(e, ERR_FORBIDDEN, NULL, "only the sender may recall a message");
    else if (!recalled && c->now_ms() - created > (int64_t)c->app->cfg.recall_window * 1000)
        rc = err_set(e, ERR_RECALL_WINDOW_PASSED, NULL, NULL);
    else if (!recalled)
        rc = tombstone(c, &n, message, conv, user, peer, e);
    if (rc < 0)
        goto out_rollback;
    if ((rc = stream_commit(c, &n, e)) < 0)
        return rc;
    return chat_message_view(c, message, NULL, out, e);
out_rollback:
    db_rollback(c->db);
    return rc;
}
