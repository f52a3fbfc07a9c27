/* session.c - devices and bearer sessions: one session per device, tokens
 * stored only as hashes, idle expiry, new-device security events. */
#include "auth/auth_int.h"
#include "core/ids.h"
#include "core/netaddr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOUCH_MS 60000 /* refresh last_seen_at at most once a minute */

static void device_bidx(app_ctx_t *c, int64_t user_id, const char *client_id,
                        uint8_t out[SEC_HASH_LEN])
{
    char buf[160];
    int n = snprintf(buf, sizeof(buf), "%lld:%s", (long long)user_id, client_id);
    sec_blind_index(c->app->vault, "device", buf, (size_t)n, out);
}

/* A sign-in from a new device: a security event (with a keyed hash of the
 * client's /24 or /48 network, never the address), an event in the user's
 * stream and a push to their other devices. */
static int security_notice(app_ctx_t *c, stream_notify_t *n, int64_t user_id, int64_t device,
                           const char *ip, int64_t now, err_t *e)
{
    char ids[21], net[NETADDR_NET_LEN];
    uint8_t nh[SEC_HASH_LEN];
    bool has_net = netaddr_network(ip, net);
    if (has_net)
        sec_blind_index(c->app->vault, "ipnet", net, strlen(net), nh);
    ids_format(device, ids);
    json_t *data = json_pack("{s:s}", "device_id", ids);
    int rc = (int)db_exec(c->db,
                          "INSERT INTO security_events (id, user_id, kind, device_id, at, "
                          "ip_net_hash) VALUES ($1, $2, 'new_device_sign_in', $3, $4, $5)",
                          DB_ARGS(DB_I64(ids_next()), DB_I64(user_id), DB_I64(device), DB_I64(now),
                                  has_net ? DB_BLOB(nh, SEC_HASH_LEN) : DB_NULL),
                          e);
    if (rc >= 0)
        rc = stream_add(c, n, user_id, "security.new_device", 0, device, data, NULL, 0, e);
    json_decref(data);
    if (rc >= 0)
        rc = auth_push(c, n, user_id, "安全提醒", "您的账号在新设备上登录", e);
    return rc < 0 ? rc : 0;
}

static int insert_device(app_ctx_t *c, stream_notify_t *n, int64_t user_id, bool new_user,
                         const uint8_t *cb, const auth_login_req_t *req, int64_t *device_id,
                         err_t *e)
{
    sec_key_t dek;
    int rc = auth_user_key(c, user_id, &dek, e);
    if (rc < 0)
        return rc;
    int64_t id = ids_next(), now = c->now_ms();
    size_t nl = 0;
    uint8_t *nenc =
        req->device_name ? auth_seal(&dek, "devices.name", id, req->device_name, &nl) : NULL;
    sec_wipe(&dek, sizeof(dek));
    rc = (int)db_exec(c->db,
                      "INSERT INTO devices (id, user_id, client_bidx, name_enc, platform, "
                      "created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                      DB_ARGS(DB_I64(id), DB_I64(user_id), DB_BLOB(cb, SEC_HASH_LEN),
                              nenc ? DB_BLOB(nenc, nl) : DB_NULL,
                              req->device_platform ? DB_TEXT(req->device_platform) : DB_NULL,
                              DB_I64(now)),
                      e);
    free(nenc);
    if (rc >= 0 && !new_user)
        rc = security_notice(c, n, user_id, id, req->client_ip, now, e);
    *device_id = id;
    return rc < 0 ? rc : 0;
}

int auth_device_attach(app_ctx_t *c, stream_notify_t *n, int64_t user_id, bool new_user,
                       const auth_login_req_t *req, int64_t *device_id, err_t *e)
{
    uint8_t cb[SEC_HASH_LEN];
    device_bidx(c, user_id, req->device_id, cb);
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT id FROM devices WHERE user_id = $1 AND client_bidx = $2",
                    DB_ARGS(DB_I64(user_id), DB_BLOB(cb, SEC_HASH_LEN)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return insert_device(c, n, user_id, new_user, cb, req, device_id, e);
    *device_id = db_i64(st, 0);
    db_done(st);
    rc = (int)db_exec(c->db, "UPDATE devices SET last_seen_at = $1 WHERE id = $2",
                      DB_ARGS(DB_I64(c->now_ms()), DB_I64(*device_id)), e);
    if (rc >= 0)
        rc = (int)db_exec(c->db, "DELETE FROM sessions WHERE device_id = $1",
                          DB_ARGS(DB_I64(*device_id)), e);
    return rc < 0 ? rc : 0;
}

int auth_session_open(app_ctx_t *c, int64_t user_id, int64_t device_id,
                      char token[SEC_TOKEN_LEN + 1], err_t *e)
{
    uint8_t h[SEC_HASH_LEN];
    int64_t now = c->now_ms();
    sec_token_new(token);
    sec_token_hash(token, SEC_TOKEN_LEN, h);
    int64_t rc = db_exec(c->db,
                         "INSERT INTO sessions (id, token_hash, user_id, device_id, created_at, "
                         "last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)",
                         DB_ARGS(DB_I64(ids_next()), DB_BLOB(h, SEC_HASH_LEN), DB_I64(user_id),
                                 DB_I64(device_id), DB_I64(now)),
                         e);
    return rc < 0 ? (int)rc : 0;
}

static void touch(app_ctx_t *c, const auth_session_t *s, int64_t now)
{
    err_t e = {0};
    (void)db_exec(c->db, "UPDATE sessions SET last_seen_at = $1 WHERE id = $2",
                  DB_ARGS(DB_I64(now), DB_I64(s->id)), &e);
    (void)db_exec(c->db, "UPDATE devices SET last_seen_at = $1 WHERE id = $2",
                  DB_ARGS(DB_I64(now), DB_I64(s->device_id)), &e);
    err_clear(&e);
}

int auth_token_row(app_ctx_t *c, const char *sql, const char *token, size_t len, db_stmt_t **st,
                   err_t *e)
{
    if (len != SEC_TOKEN_LEN)
        return err_set(e, ERR_UNAUTHORIZED, NULL, NULL);
    uint8_t h[SEC_HASH_LEN];
    sec_token_hash(token, len, h);
    int rc = db_one(c->db, st, sql, DB_ARGS(DB_BLOB(h, SEC_HASH_LEN)), e);
    if (rc == DB_DONE)
        return err_set(e, ERR_UNAUTHORIZED, NULL, NULL);
    return rc;
}

/* users.policy_version and policy_withdrawn_at at columns col, col + 1. */
static void read_policy_state(db_stmt_t *st, int col, auth_session_t *out)
{
    size_t vl;
    const char *v = db_bytes(st, col, &vl);
    if (v == NULL || vl >= sizeof(out->policy_version))
        vl = 0;
    memcpy(out->policy_version, v ? v : "", vl);
    out->policy_version[vl] = '\0';
    out->policy_withdrawn = !db_is_null(st, col + 1);
    out->guardian_required = db_i64(st, col + 2) != 0;
}

int auth_session_check(app_ctx_t *c, auth_session_t *s, err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_one(c->db, &st,
               "SELECT u.policy_version, u.policy_withdrawn_at, u.guardian_block FROM sessions s "
               "JOIN users u "
               "ON u.id = s.user_id WHERE s.id = $1",
               DB_ARGS(DB_I64(s->id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_UNAUTHORIZED, NULL, NULL);
    read_policy_state(st, 0, s);
    db_done(st);
    return 0;
}

int auth_session_resolve(app_ctx_t *c, const char *token, size_t len, auth_session_t *out, err_t *e)
{
    db_stmt_t *st;
    int rc = auth_token_row(
        c,
        "SELECT s.id, s.user_id, s.device_id, s.last_seen_at, u.policy_version, "
        "u.policy_withdrawn_at, u.guardian_block FROM sessions s JOIN users u ON u.id = "
        "s.user_id "
        "WHERE s.token_hash = $1",
        token, len, &st, e);
    if (rc < 0)
        return rc;
    out->id = db_i64(st, 0);
    out->user_id = db_i64(st, 1);
    out->device_id = db_i64(st, 2);
    read_policy_state(st, 4, out);
    int64_t seen = db_i64(st, 3), now = c->now_ms();
    db_done(st);
    if (now - seen > (int64_t)c->app->cfg.session_idle_days * 86400000LL)
        return err_set(e, ERR_UNAUTHORIZED, NULL, "the session expired");
    if (now - seen > TOUCH_MS)
        touch(c, out, now);
    return 0;
}

int auth_logout(app_ctx_t *c, const auth_session_t *s, err_t *e)
{
    int64_t rc = db_exec(c->db, "DELETE FROM sessions WHERE id = $1", DB_ARGS(DB_I64(s->id)), e);
    return rc < 0 ? (int)rc : 0;
}

int auth_devices_view(app_ctx_t *c, const auth_session_t *s, json_t **out, err_t *e)
{
    sec_key_t dek;
    int rc = auth_user_key(c, s->user_id, &dek, e);
    if (rc < 0)
        return rc;
    db_stmt_t *st;
    rc = db_query(c->db, &st,
                  "SELECT id, name_enc, platform, created_at, last_seen_at FROM devices "
                  "WHERE user_id = $1 ORDER BY created_at, id",
                  DB_ARGS(DB_I64(s->user_id)), e);
    json_t *items = json_array();
    while (rc >= 0 && (rc = db_step(st, e)) == DB_ROW) {
        size_t nl, pl;
        int64_t id = db_i64(st, 0);
        const void *nenc = db_bytes(st, 1, &nl);
        const char *platform = db_bytes(st, 2, &pl);
        char *name = auth_open(&dek, "devices.name", id, nenc, nl);
        char ids[21];
        ids_format(id, ids);
        json_array_append_new(items,
                              json_pack("{s:s, s:o, s:o, s:I, s:I, s:b}", "id", ids, "name",
                                        name ? json_string(name) : json_null(), "platform",
                                        platform ? json_stringn(platform, pl) : json_null(),
                                        "created_at", (json_int_t)db_i64(st, 3), "last_seen_at",
                                        (json_int_t)db_i64(st, 4), "current", id == s->device_id));
        free(name);
    }
    sec_wipe(&dek, sizeof(dek));
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    db_done(st);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int auth_device_remove(app_ctx_t *c, int64_t user_id, int64_t device_id, err_t *e)
{
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    int64_t n = db_exec(c->db, "DELETE FROM devices WHERE id = $1 AND user_id = $2",
                        DB_ARGS(DB_I64(device_id), DB_I64(user_id)), e);
    if (n == 0)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such device");
    /* its push registration's purpose ends with it (七.二, purpose achieved) */
    else if (n < 0 ||
             (n = db_exec(c->db, "DELETE FROM sessions WHERE device_id = $1",
                          DB_ARGS(DB_I64(device_id)), e)) < 0 ||
             (n = db_exec(c->db, "DELETE FROM push_tokens WHERE device_id = $1",
                          DB_ARGS(DB_I64(device_id)), e)) < 0)
        rc = (int)n;
    if (rc < 0) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, e);
}

int auth_user_set_guardian_block(app_ctx_t *c, int64_t user_id, bool blocked, err_t *e)
{
    int64_t n = db_exec(c->db, "UPDATE users SET guardian_block = $2 WHERE id = $1",
                        DB_ARGS(DB_I64(user_id), DB_I64(blocked)), e);
    return n < 0 ? (int)n : 0;
}
