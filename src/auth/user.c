/* user.c - accounts: creation with a fresh data key, the profile view
 * (phone shown masked, nickname sealed like the phone), and updates. */
#include "audit/audit.h"
#include "media/media.h"
#include "auth/auth_int.h"
#include "core/ids.h"
#include "core/jread.h"
#include "core/log.h"
#include "core/str.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *auth_seal(const sec_key_t *dek, const char *place, int64_t row, const char *value,
                   size_t *len)
{
    return sec_seal_field(dek, place, row, value, strlen(value), len);
}

char *auth_open(const sec_key_t *dek, const char *place, int64_t row, const void *sealed,
                size_t len)
{
    size_t n;
    return sec_open_field(dek, place, row, sealed, len, &n);
}

int auth_user_dek(app_ctx_t *c, int64_t user_id, const void *wrapped, size_t len, sec_key_t *dek,
                  err_t *e)
{
    if (wrapped == NULL || sec_dek_unwrap(c->app->vault, user_id, wrapped, len, dek) != 0)
        return err_internal(e, "data key of user %lld cannot be unwrapped", (long long)user_id);
    return 0;
}

int auth_user_key(app_ctx_t *c, int64_t user_id, sec_key_t *dek, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT dek_wrapped FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such user");
    size_t wl;
    const void *wrapped = db_bytes(st, 0, &wl);
    rc = auth_user_dek(c, user_id, wrapped, wl, dek, e);
    db_done(st);
    return rc;
}

int auth_user_create(app_ctx_t *c, const char *phone, const uint8_t bidx[SEC_HASH_LEN],
                     int64_t *user_id, err_t *e)
{
    sec_key_t dek;
    uint8_t wrapped[SEC_WRAPPED_LEN];
    size_t plen;
    int64_t id = ids_next(), now = c->now_ms();
    sec_dek_create(c->app->vault, id, &dek, wrapped);
    uint8_t *penc = auth_seal(&dek, "users.phone", id, phone, &plen);
    sec_wipe(&dek, sizeof(dek));
    int64_t rc = db_exec(c->db,
                         "INSERT INTO users (id, phone_bidx, phone_enc, dek_wrapped, role, "
                         "created_at, updated_at) VALUES ($1, $2, $3, $4, 'customer', $5, $5)",
                         DB_ARGS(DB_I64(id), DB_BLOB(bidx, SEC_HASH_LEN), DB_BLOB(penc, plen),
                                 DB_BLOB(wrapped, SEC_WRAPPED_LEN), DB_I64(now)),
                         e);
    free(penc);
    if (rc < 0)
        return (int)rc;
    *user_id = id;
    return 0;
}

int auth_user_phone(app_ctx_t *c, int64_t user_id, char out[12], err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT phone_enc, dek_wrapped FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_UNAUTHORIZED, NULL, NULL);
    size_t pl, wl;
    const void *penc = db_bytes(st, 0, &pl), *wrapped = db_bytes(st, 1, &wl);
    sec_key_t dek;
    char *phone = NULL;
    if ((rc = auth_user_dek(c, user_id, wrapped, wl, &dek, e)) == 0)
        phone = auth_open(&dek, "users.phone", user_id, penc, pl);
    sec_wipe(&dek, sizeof(dek));
    db_done(st);
    if (rc == 0 && (phone == NULL || strlen(phone) != 11))
        rc = err_internal(e, "phone of user %lld unreadable", (long long)user_id);
    if (rc == 0)
        memcpy(out, phone, 12);
    if (phone)
        sec_wipe(phone, strlen(phone));
    free(phone);
    return rc;
}

int auth_user_view(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT phone_enc, dek_wrapped, nickname_enc, role, created_at, push_preview, "
                    "policy_version, policy_withdrawn_at, avatar_media_id FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_UNAUTHORIZED, NULL, NULL);
    size_t pl, wl, nl, rl;
    const void *penc = db_bytes(st, 0, &pl), *wrapped = db_bytes(st, 1, &wl);
    const void *nenc = db_bytes(st, 2, &nl);
    const char *role = db_bytes(st, 3, &rl);
    sec_key_t dek;
    if ((rc = auth_user_dek(c, user_id, wrapped, wl, &dek, e)) < 0) {
        db_done(st);
        return rc;
    }
    char *phone = auth_open(&dek, "users.phone", user_id, penc, pl);
    char *nick = auth_open(&dek, "users.nickname", user_id, nenc, nl);
    sec_wipe(&dek, sizeof(dek));
    char id[21], masked[12] = "";
    ids_format(user_id, id);
    if (phone && strlen(phone) == 11)
        log_mask_phone(phone, masked);
    size_t vl;
    const char *version = db_bytes(st, 6, &vl);
    /* built key by key, not with json_pack: GET /v1/me runs this every time
     * and the format parsing was a sixth of its cost (profiled); the keys
     * and the ASCII values need no UTF-8 check */
    json_t *o = json_object(), *policy = json_object();
    json_object_set_new_nocheck(o, "id", json_stringn_nocheck(id, strlen(id)));
    json_object_set_new_nocheck(o, "phone_masked", json_stringn_nocheck(masked, strlen(masked)));
    json_object_set_new_nocheck(o, "nickname", nick ? json_string(nick) : json_null());
    json_object_set_new_nocheck(o, "role", json_stringn(role, rl));
    json_object_set_new_nocheck(o, "created_at", json_integer(db_i64(st, 4)));
    json_object_set_new_nocheck(o, "push_preview", json_boolean(db_i64(st, 5)));
    json_object_set_new_nocheck(policy, "version",
                                version ? json_stringn(version, vl) : json_null());
    json_object_set_new_nocheck(policy, "withdrawn", json_boolean(!db_is_null(st, 7)));
    json_object_set_new_nocheck(o, "policy", policy);
    json_object_set_new_nocheck(o, "avatar_media_id",
                                db_is_null(st, 8) ? json_null() : ids_json(db_i64(st, 8)));
    *out = o;
    db_done(st);
    if (phone)
        sec_wipe(phone, strlen(phone));
    free(phone);
    free(nick);
    return 0;
}

static bool valid_role(const char *role)
{
    return strcmp(role, "customer") == 0 || strcmp(role, "agent") == 0;
}

static int set_nickname(app_ctx_t *c, int64_t user_id, const char *nickname, err_t *e)
{
    size_t nl;
    sec_key_t dek;
    int rc = auth_user_key(c, user_id, &dek, e);
    if (rc < 0)
        return rc;
    uint8_t *nenc = auth_seal(&dek, "users.nickname", user_id, nickname, &nl);
    sec_wipe(&dek, sizeof(dek));
    rc = (int)db_exec(c->db, "UPDATE users SET nickname_enc = $1, updated_at = $2 WHERE id = $3",
                      DB_ARGS(DB_BLOB(nenc, nl), DB_I64(c->now_ms()), DB_I64(user_id)), e);
    free(nenc);
    return rc < 0 ? rc : 0;
}

/* The audit record of a correction: which fields and data-map categories
 * changed, never their values. */
static int audit_correction(app_ctx_t *c, int64_t user_id, const auth_profile_t *p, err_t *e)
{
    char actor[32], cats[32] = "";
    snprintf(actor, sizeof(actor), "user:%lld", (long long)user_id);
    json_t *fields = json_array();
    if (p->nickname)
        json_array_append_new(fields, json_string("nickname"));
    if (p->role)
        json_array_append_new(fields, json_string("role"));
    if (p->push_preview >= 0)
        json_array_append_new(fields, json_string("push_preview"));
    if (p->avatar >= 0)
        json_array_append_new(fields, json_string("avatar"));
    snprintf(cats, sizeof(cats), "%s%s%s", p->nickname ? "nickname" : "",
             p->nickname && p->avatar >= 0 ? " " : "", p->avatar >= 0 ? "avatar" : "");
    json_t *detail = json_pack("{s:o}", "fields", fields);
    int rc = audit_append(c,
                          &(audit_entry_t){.actor = actor,
                                           .action = "profile.correct",
                                           .subject_id = user_id,
                                           .categories = cats[0] ? cats : NULL,
                                           .detail = detail},
                          e);
    json_decref(detail);
    return rc;
}

static int set_column(app_ctx_t *c, int64_t user_id, const char *sql, db_arg_t v, err_t *e)
{
    int64_t rc = db_exec(c->db, sql, DB_ARGS(v, DB_I64(c->now_ms()), DB_I64(user_id)), e);
    return rc < 0 ? (int)rc : 0;
}

int auth_profile_update(app_ctx_t *c, int64_t user_id, const auth_profile_t *p, err_t *e)
{
    if (p->nickname && (jread_utf8_len(p->nickname, strlen(p->nickname)) < 1 ||
                        jread_utf8_len(p->nickname, strlen(p->nickname)) > 32))
        return err_set(e, ERR_VALIDATION_FAILED, "nickname", "1 to 32 characters");
    if (p->role && !valid_role(p->role))
        return err_set(e, ERR_VALIDATION_FAILED, "role", "customer or agent");
    if (p->nickname == NULL && p->role == NULL && p->push_preview < 0 && p->avatar < 0)
        return 0;
    int rc;
    if (p->avatar > 0 &&
        (rc = media_check_owned(c, user_id, p->avatar, "image/", "avatar_media_id", e)) < 0)
        return rc;
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    if ((p->nickname && (rc = set_nickname(c, user_id, p->nickname, e)) < 0) ||
        (p->role &&
         (rc = set_column(c, user_id, "UPDATE users SET role = $1, updated_at = $2 WHERE id = $3",
                          DB_TEXT(p->role), e)) < 0) ||
        (p->push_preview >= 0 &&
         (rc = set_column(c, user_id,
                          "UPDATE users SET push_preview = $1, updated_at = $2 WHERE id = $3",
                          DB_I64(p->push_preview), e)) < 0) ||
        (p->avatar >= 0 &&
         (rc = set_column(c, user_id,
                          "UPDATE users SET avatar_media_id = $1, updated_at = $2 WHERE id = $3",
                          p->avatar ? DB_I64(p->avatar) : DB_NULL, e)) < 0) ||
        (rc = audit_correction(c, user_id, p, e)) < 0) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, e);
}

int auth_user_nickname(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    *out = json_null();
    int rc = db_one(c->db, &st, "SELECT dek_wrapped, nickname_enc FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc <= 0)
        return rc;
    size_t wl, nl;
    const void *wrapped = db_bytes(st, 0, &wl), *nenc = db_bytes(st, 1, &nl);
    sec_key_t dek;
    char *nick = NULL;
    if (nenc && sec_dek_unwrap(c->app->vault, user_id, wrapped, wl, &dek) == 0)
        nick = auth_open(&dek, "users.nickname", user_id, nenc, nl);
    sec_wipe(&dek, sizeof(dek));
    db_done(st);
    if (nick) {
        json_decref(*out);
        *out = json_string(nick);
        free(nick);
    }
    return 0;
}

int auth_user_avatar(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    *out = json_null();
    int rc = db_one(c->db, &st, "SELECT avatar_media_id FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc <= 0)
        return rc;
    if (!db_is_null(st, 0))
        *out = ids_json(db_i64(st, 0));
    db_done(st);
    return 0;
}

int auth_user_set_push_preview(app_ctx_t *c, int64_t user_id, bool on, err_t *e)
{
    int64_t rc = db_exec(c->db, "UPDATE users SET push_preview = $1, updated_at = $2 WHERE id = $3",
                         DB_ARGS(DB_I64(on), DB_I64(c->now_ms()), DB_I64(user_id)), e);
    return rc < 0 ? (int)rc : 0;
}

int auth_keys_rewrap(app_ctx_t *c, int64_t *done, int64_t *unreadable, err_t *e)
{
    return db_rewrite_blobs(c->db,
                            "SELECT id, dek_wrapped FROM users WHERE id > $1 ORDER BY id LIMIT 256",
                            "UPDATE users SET dek_wrapped = $1 WHERE id = $2 AND dek_wrapped = $3",
                            sec_dek_rewrap, c->app->vault, done, unreadable, e);
}

int auth_user_exists(app_ctx_t *c, int64_t user_id, bool *yes, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT 1 FROM users WHERE id = $1", DB_ARGS(DB_I64(user_id)), e);
    *yes = rc == DB_ROW;
    if (rc == DB_ROW)
        db_done(st);
    return rc < 0 ? rc : 0;
}

int auth_user_ids_after(app_ctx_t *c, int64_t after, int64_t *ids, int max, int *n, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st, "SELECT id FROM users WHERE id > $1 ORDER BY id LIMIT $2",
                      DB_ARGS(DB_I64(after), DB_I64(max)), e);
    if (rc < 0)
        return rc;
    *n = 0;
    while (*n < max && (rc = db_step(st, e)) == DB_ROW)
        ids[(*n)++] = db_i64(st, 0);
    if (rc < 0)
        return rc;
    db_done(st);
    return 0;
}

/* "SELECT <sealed column> FROM users ..." per store of the data map, built
 * once: statements are cached by the address of their text, so each must
 * live as long as the process (never a buffer reused for other SQL). */
#define MAX_STORES 64
static char *field_sql[MAX_STORES];
static pthread_once_t field_sql_once = PTHREAD_ONCE_INIT;

static void build_field_sql(void)
{
    for (size_t i = 0; i < privacy_stores_count && i < MAX_STORES; i++) {
        const privacy_store_t *ps = &privacy_stores[i];
        const privacy_col_t *col = privacy_store_sealed(ps);
        if (strcmp(ps->table, "users") == 0 && col) {
            str_t s = {0};
            str_printf(&s, "SELECT %s FROM users WHERE id = $1", col->name);
            field_sql[i] = str_take(&s);
        }
    }
}

int auth_user_field(app_ctx_t *c, const sec_key_t *dek, int64_t user_id, const privacy_store_t *ps,
                    json_t **out, err_t *e)
{
    pthread_once(&field_sql_once, build_field_sql);
    size_t i = (size_t)(ps - privacy_stores);
    const char *sql = i < MAX_STORES ? field_sql[i] : NULL;
    db_stmt_t *st;
    *out = json_null();
    if (sql == NULL)
        return err_internal(e, "no statement for category %s", ps->category);
    int rc = db_one(c->db, &st, sql, DB_ARGS(DB_I64(user_id)), e);
    if (rc <= 0)
        return rc;
    size_t len, n;
    const void *sealed = db_bytes(st, 0, &len);
    char *v = sealed
                  ? sec_open_field(dek, privacy_store_sealed(ps)->place, user_id, sealed, len, &n)
                  : NULL;
    db_done(st);
    if (v) {
        *out = json_string(v);
        sec_wipe(v, n);
        free(v);
    }
    return 0;
}

int auth_user_policy_withdrawn(app_ctx_t *c, int64_t user_id, bool *withdrawn, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT policy_withdrawn_at FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_UNAUTHORIZED, NULL, NULL);
    *withdrawn = !db_is_null(st, 0);
    db_done(st);
    return 0;
}

json_t *auth_user_brief(app_ctx_t *c, int64_t user_id)
{
    json_t *nick = NULL;
    err_t e = {0};
    if (auth_user_nickname(c, user_id, &nick, &e) < 0)
        nick = json_null();
    err_clear(&e);
    return json_pack("{s:o, s:o}", "id", ids_json(user_id), "nickname", nick);
}
