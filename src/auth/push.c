/* push.c - push registrations (one per device, the vendor token sealed
 * under the user's data key, so cancelling the account shreds it in every
 * copy of the database) and the pushes queued to a user who has no live
 * connection. */
#include "auth/auth_int.h"
#include "outbox/outbox.h"

#include <stdlib.h>
#include <string.h>

#define PUSH_TTL_MS  (24 * 3600 * 1000LL)
#define NEUTRAL_TEXT "您有一条新消息"
#define TOKEN_PLACE  "push_tokens.token"

static bool valid_vendor(const char *v)
{
    static const char *const vendors[] = {"hms", "mi", "oppo", "vivo", "getui", "apns", "fcm"};
    for (size_t i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
        if (strcmp(v, vendors[i]) == 0)
            return true;
    return false;
}

static int register_token(app_ctx_t *c, int64_t user_id, int64_t device_id, const char *vendor,
                          const char *token, err_t *e)
{
    sec_key_t dek;
    int rc = auth_user_key(c, user_id, &dek, e);
    if (rc < 0)
        return rc;
    size_t len;
    uint8_t *sealed = auth_seal(&dek, TOKEN_PLACE, device_id, token, &len);
    sec_wipe(&dek, sizeof(dek));
    int64_t n =
        db_exec(c->db,
                "INSERT INTO push_tokens (device_id, user_id, vendor, token_enc, updated_at) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device_id) DO UPDATE SET "
                "vendor = excluded.vendor, token_enc = excluded.token_enc, "
                "updated_at = excluded.updated_at",
                DB_ARGS(DB_I64(device_id), DB_I64(user_id), DB_TEXT(vendor), DB_BLOB(sealed, len),
                        DB_I64(c->now_ms())),
                e);
    free(sealed);
    return n < 0 ? (int)n : 0;
}

int auth_device_push(app_ctx_t *c, int64_t user_id, int64_t device_id, const char *vendor,
                     const char *token, err_t *e)
{
    if (vendor && !valid_vendor(vendor))
        return err_set(e, ERR_VALIDATION_FAILED, "vendor",
                       "hms, mi, oppo, vivo, getui, apns or fcm");
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT 1 FROM devices WHERE id = $1 AND user_id = $2",
                    DB_ARGS(DB_I64(device_id), DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such device");
    db_done(st);
    if (vendor)
        return register_token(c, user_id, device_id, vendor, token, e);
    int64_t n = db_exec(c->db, "DELETE FROM push_tokens WHERE device_id = $1",
                        DB_ARGS(DB_I64(device_id)), e);
    return n < 0 ? (int)n : 0;
}

/* The push messages to each registered device of user, in one query with
 * the user's preview setting and data key (unwrapped only when there is a
 * device to push to); *exists false when the account is gone, *previewed
 * true when the messages carry the preview. */
static int messages(app_ctx_t *c, int64_t user, const char *title, const char *preview,
                    bool *exists, bool *previewed, json_t *msgs, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT u.push_preview, u.dek_wrapped, p.device_id, p.vendor, p.token_enc "
                      "FROM users u LEFT JOIN push_tokens p ON p.user_id = u.id WHERE u.id = $1",
                      DB_ARGS(DB_I64(user)), e);
    sec_key_t dek;
    const char *text = NULL;
    *exists = *previewed = false;
    while (rc >= 0 && (rc = db_step(st, e)) == DB_ROW) {
        *exists = true;
        if (db_is_null(st, 2))
            continue; /* no device registered */
        size_t vl, tl, wl;
        if (text == NULL) {
            const void *wrapped = db_bytes(st, 1, &wl);
            if ((rc = auth_user_dek(c, user, wrapped, wl, &dek, e)) < 0) {
                db_done(st);
                break;
            }
            *previewed = db_i64(st, 0) && preview;
            text = *previewed ? preview : NEUTRAL_TEXT;
        }
        const char *vendor = db_bytes(st, 3, &vl);
        const void *sealed = db_bytes(st, 4, &tl);
        char *token = auth_open(&dek, TOKEN_PLACE, db_i64(st, 2), sealed, tl);
        if (token == NULL)
            continue; /* not ours to read: never push to it */
        json_array_append_new(msgs, json_pack("{s:s%, s:s, s:s, s:s, s:I}", "vendor", vendor, vl,
                                              "token", token, "title", title, "text", text, "at",
                                              (json_int_t)c->now_ms()));
        sec_wipe(token, strlen(token));
        free(token);
    }
    if (rc >= 0)
        db_done(st);
    if (text)
        sec_wipe(&dek, sizeof(dek));
    return rc < 0 ? rc : 0;
}

int auth_push(app_ctx_t *c, stream_notify_t *n, int64_t user, const char *title,
              const char *preview, err_t *e)
{
    if (c->app->online && c->app->online(c->app, user))
        return 0;
    bool exists, previewed;
    json_t *msgs = json_array();
    int rc = messages(c, user, title, preview, &exists, &previewed, msgs, e);
    size_t i;
    json_t *m;
    /* a preview hands part of the message to the push vendor too */
    outbox_subject_t who = {.user_id = user,
                            .categories = previewed ? "push_token chat_content" : "push_token"};
    json_array_foreach(msgs, i, m) if (rc >= 0 && exists) rc =
        outbox_enqueue_about(c, "push", m, c->now_ms() + PUSH_TTL_MS, &who, e);
    n->outbox |= json_array_size(msgs) > 0;
    json_decref(msgs);
    return rc < 0 ? rc : 0;
}
