/* code.c - sign-in codes: issuing under the three limits, verifying with a
 * cap on wrong tries, and the sign-in that follows. Codes are stored only
 * as keyed hashes; phones only as blind indexes. */
#include "auth/auth_int.h"
#include "core/ids.h"
#include "core/log.h"
#include "outbox/outbox.h"
#include "privacy/privacy.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define DAY_MS  86400000LL

static void code_hash(app_ctx_t *c, int64_t code_id, const char *purpose, const char *code,
                      uint8_t out[SEC_HASH_LEN])
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%lld:%s:%s", (long long)code_id, purpose, code);
    sec_blind_index(c->app->vault, "otp", buf, (size_t)n, out);
    sec_wipe(buf, sizeof(buf));
}

static int limited(err_t *e, int64_t wait_ms)
{
    int rc = err_set(e, ERR_RATE_LIMITED, NULL, NULL);
    err_retry_in(e, wait_ms);
    return rc;
}

/* The per-IP and per-phone limits; returns 0 when a code may be sent. */
static int check_limits(app_ctx_t *c, const uint8_t *ipb, const uint8_t *pb, err_t *e)
{
    const config_t *cfg = &c->app->cfg;
    int64_t now = c->now_ms();
    db_stmt_t *st;
    int rc =
        db_one(c->db, &st, "SELECT COUNT(*), MIN(at) FROM rate_hits WHERE bucket = $1 AND at > $2",
               DB_ARGS(DB_BLOB(ipb, SEC_HASH_LEN), DB_I64(now - HOUR_MS)), e);
    if (rc < 0)
        return rc;
    int64_t n = db_i64(st, 0), oldest = db_i64(st, 1);
    db_done(st);
    if (n >= cfg->sms_ip_limit)
        return limited(e, oldest + HOUR_MS - now);
    rc = db_one(c->db, &st,
                "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM otp_codes "
                "WHERE phone_bidx = $1 AND created_at > $2",
                DB_ARGS(DB_BLOB(pb, SEC_HASH_LEN), DB_I64(now - DAY_MS)), e);
    if (rc < 0)
        return rc;
    n = db_i64(st, 0);
    oldest = db_i64(st, 1);
    int64_t last = db_i64(st, 2);
    db_done(st);
    if (n > 0 && now - last < (int64_t)cfg->sms_interval * 1000)
        return limited(e, last + (int64_t)cfg->sms_interval * 1000 - now);
    if (n >= cfg->sms_daily_limit)
        return limited(e, oldest + DAY_MS - now);
    return 0;
}

/* A code to the account's phone is a disclosure of it; a code to another
 * phone that user_id named (a bank card's, a guardian's) one of `about`. */
static int queue_sms(app_ctx_t *c, const char *phone, const uint8_t *pb, const char *template,
                     const char *code, int64_t expires, int64_t user_id, const char *about,
                     err_t *e)
{
    char to[16];
    snprintf(to, sizeof(to), "+86%s", phone);
    json_t *msg = json_pack("{s:s, s:s, s:{s:s}, s:I}", "to", to, "template", template, "params",
                            "code", code, "at", (json_int_t)c->now_ms());
    outbox_subject_t who = user_id ? (outbox_subject_t){.user_id = user_id, .categories = about}
                                   : (outbox_subject_t){.bidx = pb, .categories = "phone"};
    int rc = outbox_enqueue_about(c, "sms", msg, expires, &who, e);
    json_decref(msg);
    return rc;
}

int auth_code_send(app_ctx_t *c, const char *phone_in, const char *client_ip, err_t *e)
{
    return auth_code_issue(c, phone_in, client_ip, AUTH_CODE_LOGIN, e);
}

int auth_code_issue(app_ctx_t *c, const char *phone_in, const char *client_ip, const char *purpose,
                    err_t *e)
{
    return auth_code_issue_for(c, phone_in, client_ip, purpose, 0, e);
}

int auth_code_issue_for(app_ctx_t *c, const char *phone_in, const char *client_ip,
                        const char *purpose, int64_t user_id, err_t *e)
{
    const char *template = strcmp(purpose, AUTH_CODE_VERIFY) == 0     ? "verify_code"
                           : strcmp(purpose, AUTH_CODE_CARD) == 0     ? "bank_code"
                           : strcmp(purpose, AUTH_CODE_GUARDIAN) == 0 ? "guardian_code"
                                                                      : "login_code";
    char phone[12], code[7];
    uint8_t pb[SEC_HASH_LEN], ipb[SEC_HASH_LEN], hash[SEC_HASH_LEN];
    if (!auth_phone_parse(phone_in, phone))
        return err_set(e, ERR_VALIDATION_FAILED, "phone", "not a mainland mobile number");
    sec_blind_index(c->app->vault, "phone", phone, 11, pb);
    sec_blind_index(c->app->vault, "ip", client_ip, strlen(client_ip), ipb);
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    /* the limits are counted, then a row added: one such sequence per
     * phone and per address at a time, on every node (phone first) */
    if ((rc = db_xlock(c->db, "phone", pb, SEC_HASH_LEN, e)) < 0 ||
        (rc = db_xlock(c->db, "ip", ipb, SEC_HASH_LEN, e)) < 0 ||
        (rc = check_limits(c, ipb, pb, e)) < 0)
        goto out_rollback;
    int64_t now = c->now_ms(), id = ids_next();
    int64_t expires = now + (int64_t)c->app->cfg.otp_ttl * 1000;
    sec_otp_new(code);
    code_hash(c, id, purpose, code, hash);
    /* Only the newest code of a purpose is valid; a sign-in code neither
     * confirms a rights request nor replaces a code sent for one. */
    if ((rc = (int)db_exec(c->db,
                           "UPDATE otp_codes SET used_at = $1 WHERE phone_bidx = $2 AND purpose = "
                           "$3 AND used_at IS NULL",
                           DB_ARGS(DB_I64(now), DB_BLOB(pb, SEC_HASH_LEN), DB_TEXT(purpose)), e)) <
            0 ||
        (rc = (int)db_exec(c->db,
                           "INSERT INTO otp_codes (id, phone_bidx, code_hash, created_at, "
                           "expires_at, purpose) VALUES ($1, $2, $3, $4, $5, $6)",
                           DB_ARGS(DB_I64(id), DB_BLOB(pb, SEC_HASH_LEN),
                                   DB_BLOB(hash, SEC_HASH_LEN), DB_I64(now), DB_I64(expires),
                                   DB_TEXT(purpose)),
                           e)) < 0 ||
        (rc = (int)db_exec(c->db, "INSERT INTO rate_hits (bucket, at) VALUES ($1, $2)",
                           DB_ARGS(DB_BLOB(ipb, SEC_HASH_LEN), DB_I64(now)), e)) < 0 ||
        (rc = queue_sms(c, phone, pb, template, code, expires, user_id,
                        strcmp(purpose, AUTH_CODE_GUARDIAN) == 0 ? "guardian_contact" : "bank_card",
                        e)) < 0)
        goto out_rollback;
    sec_wipe(code, sizeof(code));
    if ((rc = db_commit(c->db, e)) < 0)
        return rc;
    if (c->app->outbox_kick)
        c->app->outbox_kick(c->app);
    char masked[12];
    log_mask_phone(phone, masked);
    log_msg(LOG_DEBUG, "sign-in code queued", "to %s", masked);
    return 0;
out_rollback:
    sec_wipe(code, sizeof(code));
    db_rollback(c->db);
    return rc;
}

int64_t auth_code_check(app_ctx_t *c, const uint8_t *pb, const char *purpose, const char *code,
                        err_t *e)
{
    db_stmt_t *st;
    /* one check per phone at a time, on every node, so that no try goes
     * uncounted; held to the caller's commit, it also orders what a
     * sign-in does next (the account, the device's one session) */
    int rc = db_xlock(c->db, "phone", pb, SEC_HASH_LEN, e);
    if (rc < 0)
        return rc;
    rc = db_one(c->db, &st,
                "SELECT id, code_hash, expires_at, attempts FROM otp_codes WHERE phone_bidx "
                "= $1 AND purpose = $2 AND used_at IS NULL ORDER BY created_at DESC LIMIT 1",
                DB_ARGS(DB_BLOB(pb, SEC_HASH_LEN), DB_TEXT(purpose)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_INVALID_CODE, "code", NULL);
    int64_t id = db_i64(st, 0), expires = db_i64(st, 2), attempts = db_i64(st, 3);
    size_t hl;
    uint8_t stored[SEC_HASH_LEN], given[SEC_HASH_LEN];
    const void *h = db_bytes(st, 1, &hl);
    memcpy(stored, h, hl == SEC_HASH_LEN ? SEC_HASH_LEN : 0);
    db_done(st);
    if (hl != SEC_HASH_LEN || expires <= c->now_ms() || attempts >= AUTH_MAX_ATTEMPTS)
        return err_set(e, ERR_INVALID_CODE, "code", NULL);
    code_hash(c, id, purpose, code, given);
    if (sodium_memcmp(stored, given, SEC_HASH_LEN) == 0)
        return id;
    rc = (int)db_exec(c->db, "UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1",
                      DB_ARGS(DB_I64(id)), e);
    if (rc < 0)
        return rc;
    if (attempts + 1 >= AUTH_MAX_ATTEMPTS)
        return err_set(e, ERR_TOO_MANY_ATTEMPTS, "code", NULL);
    return err_set(e, ERR_INVALID_CODE, "code", NULL);
}

static int find_user(app_ctx_t *c, const uint8_t *pb, int64_t *user_id, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT id FROM users WHERE phone_bidx = $1",
                    DB_ARGS(DB_BLOB(pb, SEC_HASH_LEN)), e);
    if (rc == DB_ROW) {
        *user_id = db_i64(st, 0);
        db_done(st);
    }
    return rc;
}

int auth_user_by_phone(app_ctx_t *c, const char *phone, int64_t *user_id, err_t *e)
{
    char digits[12];
    uint8_t pb[SEC_HASH_LEN];
    if (phone == NULL || !auth_phone_parse(phone, digits))
        return err_set(e, ERR_VALIDATION_FAILED, "phone", "not a mainland mobile number");
    sec_blind_index(c->app->vault, "phone", digits, 11, pb);
    sec_wipe(digits, sizeof(digits));
    int rc = find_user(c, pb, user_id, e);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no account has it");
}

static int need_consent(app_ctx_t *c, const char *accepted, err_t *e)
{
    char current[17];
    int rc = privacy_policy_current(c, current, e);
    if (rc < 0)
        return rc;
    if (accepted && strcmp(accepted, current) == 0)
        return 0;
    rc = err_set(e, ERR_CONSENT_REQUIRED, "accept_policy_version",
                 "accept the current privacy policy to create an account");
    err_extra(e, "scope", json_string("policy"));
    err_extra(e, "version", json_string(current));
    return rc;
}

int auth_login(app_ctx_t *c, const auth_login_req_t *req, auth_login_res_t *res, err_t *e)
{
    char phone[12];
    uint8_t pb[SEC_HASH_LEN];
    stream_notify_t n = {0};
    if (!auth_phone_parse(req->phone, phone))
        return err_set(e, ERR_VALIDATION_FAILED, "phone", "not a mainland mobile number");
    if (strlen(req->code) != 6 || strspn(req->code, "0123456789") != 6)
        return err_set(e, ERR_VALIDATION_FAILED, "code", "the code has 6 digits");
    sec_blind_index(c->app->vault, "phone", phone, 11, pb);
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    int64_t code_id = auth_code_check(c, pb, AUTH_CODE_LOGIN, req->code, e), user_id = 0,
            device_id = 0;
    if (code_id < 0) {
        rc = (int)code_id;
        /* keep the counted wrong try */
        err_t ce = {0};
        if (db_commit(c->db, &ce) < 0)
            log_msg(LOG_WARN, "cannot record a wrong code", "%s", ce.cause);
        err_clear(&ce);
        return rc;
    }
    if ((rc = find_user(c, pb, &user_id, e)) < 0)
        goto out_rollback;
    res->new_user = rc == DB_DONE;
    if (res->new_user && ((rc = need_consent(c, req->accept_version, e)) < 0 ||
                          (rc = auth_user_create(c, phone, pb, &user_id, e)) < 0 ||
                          (rc = privacy_disclosure_claim(c, user_id, pb, e)) < 0))
        goto out_rollback;
    if ((rc = (int)db_exec(c->db, "UPDATE otp_codes SET used_at = $1 WHERE id = $2",
                           DB_ARGS(DB_I64(c->now_ms()), DB_I64(code_id)), e)) < 0 ||
        (rc = auth_device_attach(c, &n, user_id, res->new_user, req, &device_id, e)) < 0 ||
        (res->new_user && (rc = privacy_consent_record(c, user_id, "policy", req->accept_version,
                                                       true, device_id, e)) < 0) ||
        (rc = auth_session_open(c, user_id, device_id, res->token, e)) < 0)
        goto out_rollback;
    res->user_id = user_id;
    return stream_commit(c, &n, e);
out_rollback:
    db_rollback(c->db);
    return rc;
}

int auth_codes_forget(app_ctx_t *c, const uint8_t phone_bidx[SEC_HASH_LEN], err_t *e)
{
    int64_t n = db_exec(c->db, "DELETE FROM otp_codes WHERE phone_bidx = $1",
                        DB_ARGS(DB_BLOB(phone_bidx, SEC_HASH_LEN)), e);
    return n < 0 ? (int)n : 0;
}
