/* minors.c - 八: a buyer may state an age range; a child under 14 may use
 * nothing but its rights until a guardian consents by a code sent to the
 * guardian's phone (sealed under the child's key, place
 * "guardians.phone"); a guardian who withdraws has the child's data
 * deleted (rights_guardian_withdraw). Owns guardians. */
#include "identity/identity.h"
#include "auth/auth.h"
#include "core/log.h"
#include "privacy/privacy.h"
#include "sec/sec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ranges[] = {"under_14", "14_17", "adult", NULL};

typedef struct guardian {
    bool exists, child, consented;
    char range[12];
    char phone[12];
} guardian_t;

static int load(app_ctx_t *c, int64_t user_id, guardian_t *g, err_t *e)
{
    memset(g, 0, sizeof(*g));
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT age_range, phone_enc, consented_at FROM guardians WHERE user_id = $1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : 0;
    g->exists = true;
    snprintf(g->range, sizeof(g->range), "%s", (const char *)db_bytes(st, 0, &(size_t){0}));
    g->child = strcmp(g->range, "under_14") == 0;
    g->consented = !db_is_null(st, 2);
    size_t len, n;
    const void *p = db_bytes(st, 1, &len);
    sec_key_t dek;
    if (p && (rc = auth_user_key(c, user_id, &dek, e)) == 0) {
        char *v = sec_open_field(&dek, "guardians.phone", user_id, p, len, &n);
        if (v && n == 11)
            memcpy(g->phone, v, 12);
        if (v) {
            sec_wipe(v, n);
            free(v);
        }
        sec_wipe(&dek, sizeof(dek));
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

int identity_age_range_set(app_ctx_t *c, int64_t user_id, const char *range, err_t *e)
{
    bool known = false, verified;
    for (int i = 0; ranges[i]; i++)
        known |= range && strcmp(range, ranges[i]) == 0;
    if (!known)
        return err_set(e, ERR_VALIDATION_FAILED, "age_range", "under_14, 14_17 or adult");
    guardian_t g;
    int rc = load(c, user_id, &g, e);
    sec_wipe(g.phone, sizeof(g.phone));
    if (rc < 0 || (rc = identity_is_verified(c, user_id, &verified, e)) < 0)
        return rc;
    bool child = strcmp(range, "under_14") == 0;
    /* a child's own word does not lift what a guardian has to allow */
    if (g.child && !child && !g.consented && !verified)
        return err_set(e, ERR_FORBIDDEN, "age_range",
                       "a guardian's consent or an identity verification confirms the age first");
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    int64_t n =
        db_exec(c->db,
                "INSERT INTO guardians (user_id, age_range, updated_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (user_id) DO UPDATE SET age_range = excluded.age_range, "
                "updated_at = excluded.updated_at",
                DB_ARGS(DB_I64(user_id), DB_TEXT(range), DB_I64(c->now_ms())), e);
    if (n < 0 || (rc = auth_user_set_guardian_block(c, user_id, child && !g.consented, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : rc;
    }
    return 0;
}

int identity_guardian_ask(app_ctx_t *c, int64_t user_id, const char *phone, const char *client_ip,
                          err_t *e)
{
    guardian_t g;
    char digits[12];
    int rc = load(c, user_id, &g, e);
    if (rc == 0 && !g.child)
        rc = err_set(e, ERR_CONFLICT, NULL, "only a child under 14 needs a guardian's consent");
    if (rc == 0 && phone && g.consented)
        rc = err_set(e, ERR_CONFLICT, NULL, "the guardian consented already");
    if (rc == 0 && !phone && !g.consented)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no guardian has consented");
    if (rc == 0 && phone && !auth_phone_parse(phone, digits))
        rc = err_set(e, ERR_VALIDATION_FAILED, "phone", "a mainland mobile number");
    if (rc == 0 && phone) {
        sec_key_t dek;
        size_t len;
        if ((rc = auth_user_key(c, user_id, &dek, e)) == 0) {
            uint8_t *b = sec_seal_field(&dek, "guardians.phone", user_id, digits, 11, &len);
            sec_wipe(&dek, sizeof(dek));
            int64_t n = db_exec(c->db, "UPDATE guardians SET phone_enc = $2 WHERE user_id = $1",
                                DB_ARGS(DB_I64(user_id), DB_BLOB(b, len)), e);
            free(b);
            rc = n < 0 ? (int)n : 0;
        }
        memcpy(g.phone, digits, 12);
    }
    if (rc == 0)
        rc = auth_other_code_send(c, user_id, AUTH_OTHER_GUARDIAN, g.phone, client_ip, e);
    sec_wipe(g.phone, sizeof(g.phone));
    sec_wipe(digits, sizeof(digits));
    return rc;
}

/* The code the guardian's phone got (consumed). */
static int check(app_ctx_t *c, int64_t user_id, const char *code, bool consented, err_t *e)
{
    guardian_t g;
    int rc = load(c, user_id, &g, e);
    if (rc == 0 && (!g.child || !g.phone[0] || g.consented != consented))
        rc = err_set(e, ERR_NOT_FOUND, NULL,
                     consented ? "no guardian has consented" : "no guardian was asked");
    if (rc == 0)
        rc = auth_other_code_check(c, AUTH_OTHER_GUARDIAN, g.phone, code, e);
    sec_wipe(g.phone, sizeof(g.phone));
    return rc;
}

int identity_guardian_confirm(app_ctx_t *c, int64_t user_id, const char *code, err_t *e)
{
    char version[17];
    int rc = check(c, user_id, code, false, e);
    if (rc < 0 || (rc = privacy_policy_current(c, version, e)) < 0 || (rc = db_begin(c->db, e)) < 0)
        return rc;
    int64_t n = db_exec(c->db, "UPDATE guardians SET consented_at = $2 WHERE user_id = $1",
                        DB_ARGS(DB_I64(user_id), DB_I64(c->now_ms())), e);
    if (n < 0 || (rc = privacy_consent_record(c, user_id, "guardian", version, true, 0, e)) < 0 ||
        (rc = auth_user_set_guardian_block(c, user_id, false, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : rc;
    }
    return 0;
}

int identity_guardian_withdrawing(app_ctx_t *c, int64_t user_id, const char *code, err_t *e)
{
    return check(c, user_id, code, true, e);
}

int identity_guardian_get(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    guardian_t g;
    int rc = load(c, user_id, &g, e);
    char masked[12] = "";
    if (g.phone[0])
        log_mask_phone(g.phone, masked);
    sec_wipe(g.phone, sizeof(g.phone));
    if (rc < 0)
        return rc;
    *out = json_pack("{s:s?, s:b, s:b, s:s?}", "age_range", g.exists ? g.range : NULL,
                     "guardian_required", g.child && !g.consented, "guardian_consented",
                     g.consented, "guardian_phone_masked", masked[0] ? masked : NULL);
    return 0;
}
