/* stepup.c - the identity check before a rights request (七.五): a code
 * sent to the account's own phone (never one the client names), checked
 * under the limits of sign-in and consumed once it matched. */
#include "auth/auth_int.h"
#include "core/log.h"

#include <string.h>

int auth_step_up_send(app_ctx_t *c, int64_t user_id, const char *client_ip, err_t *e)
{
    char phone[12];
    int rc = auth_user_phone(c, user_id, phone, e);
    if (rc < 0)
        return rc;
    rc = auth_code_issue(c, phone, client_ip, AUTH_CODE_VERIFY, e);
    sec_wipe(phone, sizeof(phone));
    return rc;
}

int auth_user_phone_bidx(app_ctx_t *c, int64_t user_id, uint8_t out[SEC_HASH_LEN], err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT phone_bidx FROM users WHERE id = $1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_UNAUTHORIZED, NULL, NULL);
    size_t len;
    const void *b = db_bytes(st, 0, &len);
    if (len == SEC_HASH_LEN)
        memcpy(out, b, len);
    db_done(st);
    return len == SEC_HASH_LEN ? 0 : err_internal(e, "phone index of %lld", (long long)user_id);
}

/* A wrong or missing code asks for a fresh one; too many wrong tries keep
 * their 429 like sign-in. */
static int refuse(err_t *e, int rc)
{
    if (rc == ERR_TOO_MANY_ATTEMPTS || rc == ERR_INTERNAL || rc == ERR_UNAVAILABLE)
        return rc;
    err_clear(e);
    return err_set(e, ERR_VERIFICATION_REQUIRED, "code", NULL);
}

int auth_step_up_verify(app_ctx_t *c, int64_t user_id, const char *code, err_t *e)
{
    uint8_t pb[SEC_HASH_LEN];
    if (code == NULL || strlen(code) != 6 || strspn(code, "0123456789") != 6)
        return err_set(e, ERR_VERIFICATION_REQUIRED, "code", NULL);
    int rc = auth_user_phone_bidx(c, user_id, pb, e);
    if (rc < 0)
        return rc;
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    int64_t id = auth_code_check(c, pb, AUTH_CODE_VERIFY, code, e);
    if (id < 0) {
        err_t ce = {0}; /* keep the counted wrong try */
        if (db_commit(c->db, &ce) < 0)
            log_msg(LOG_WARN, "cannot record a wrong code", "%s", ce.cause);
        err_clear(&ce);
        return refuse(e, (int)id);
    }
    if ((rc = (int)db_exec(c->db, "UPDATE otp_codes SET used_at = $1 WHERE id = $2",
                           DB_ARGS(DB_I64(c->now_ms()), DB_I64(id)), e)) < 0) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, e);
}

int auth_other_code_send(app_ctx_t *c, int64_t user_id, auth_other_t what, const char *phone,
                         const char *client_ip, err_t *e)
{
    return auth_code_issue_for(c, phone, client_ip,
                               what == AUTH_OTHER_CARD ? AUTH_CODE_CARD : AUTH_CODE_GUARDIAN,
                               user_id, e);
}

int auth_other_code_check(app_ctx_t *c, auth_other_t what, const char *phone, const char *code,
                          err_t *e)
{
    const char *purpose = what == AUTH_OTHER_CARD ? AUTH_CODE_CARD : AUTH_CODE_GUARDIAN;
    char digits[12];
    uint8_t pb[SEC_HASH_LEN];
    if (code == NULL || strlen(code) != 6 || strspn(code, "0123456789") != 6)
        return err_set(e, ERR_INVALID_CODE, "code", NULL);
    if (!auth_phone_parse(phone, digits))
        return err_set(e, ERR_VALIDATION_FAILED, "phone", "not a mainland mobile number");
    sec_blind_index(c->app->vault, "phone", digits, 11, pb);
    sec_wipe(digits, sizeof(digits));
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    int64_t id = auth_code_check(c, pb, purpose, code, e);
    if (id < 0) {
        err_t ce = {0}; /* keep the counted wrong try */
        if (db_commit(c->db, &ce) < 0)
            log_msg(LOG_WARN, "cannot record a wrong code", "%s", ce.cause);
        err_clear(&ce);
        return (int)id;
    }
    if ((rc = (int)db_exec(c->db, "UPDATE otp_codes SET used_at = $1 WHERE id = $2",
                           DB_ARGS(DB_I64(c->now_ms()), DB_I64(id)), e)) < 0) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, e);
}
