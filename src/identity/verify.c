/* verify.c - a verification from submission to result: the checks that
 * need no one (consent, name, ID number, age), the attempt sealed under
 * the user's key, the bank card's code, the hand-over to the verify
 * provider through the outbox (composed when it leaves, from the sealed
 * row), and the answer, which erases the photo or the card at once. */
#include "identity/identity.h"
#include "auth/auth.h"
#include "core/ids.h"
#include "core/jread.h"
#include "core/log.h"
#include "media/media.h"
#include "metrics/metrics.h"
#include "outbox/outbox.h"
#include "privacy/privacy.h"
#include "sec/sec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCOPE "identity_verification"

int identity_date_of(int64_t ms)
{
    time_t t = (time_t)(ms / 1000) + 8 * 3600; /* China Standard Time */
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* An anonymous security event (user 0) for a child, one of the account
 * otherwise: an age refusal is counted, its details never kept. */
static int minor_refused(app_ctx_t *c, int64_t user_id, bool child, err_t *e)
{
    metrics_count(METRIC_MINOR_REFUSALS, 1);
    int64_t n =
        db_exec(c->db,
                "INSERT INTO security_events (id, user_id, kind, device_id, at) "
                "VALUES ($1, $2, $3, NULL, $4)",
                DB_ARGS(DB_I64(ids_next()), DB_I64(child ? 0 : user_id),
                        DB_TEXT(child ? "identity.child_refused" : "identity.minor_refused"),
                        DB_I64(c->now_ms())),
                e);
    if (n < 0)
        return (int)n;
    return err_set(e, ERR_MINOR_NOT_ALLOWED, "id_number", NULL);
}

/* The checks of in that need nothing but in: *id parsed. */
static int check_input(app_ctx_t *c, int64_t user_id, const identity_submit_t *in,
                       identity_id_t *id, err_t *e)
{
    bool face = in->method && strcmp(in->method, "face") == 0;
    if (!face && !(in->method && strcmp(in->method, "bank_card") == 0))
        return err_set(e, ERR_VALIDATION_FAILED, "method", "face or bank_card");
    size_t nl = in->name ? jread_utf8_len(in->name, strlen(in->name)) : 0;
    if (nl < 2 || nl > 30 || strpbrk(in->name, "0123456789@#<>") != NULL)
        return err_set(e, ERR_VALIDATION_FAILED, "name", "the name on the ID card");
    int today = identity_date_of(c->now_ms());
    int rc = identity_id_parse(in->id_number, today, id);
    if (rc < 0)
        return err_set(e, ERR_VALIDATION_FAILED, "id_number", "%s", identity_id_problem(rc));
    int age = identity_age(id->birth, today);
    if (age < IDENTITY_CHILD) {
        sec_wipe(id, sizeof(*id));
        return minor_refused(c, user_id, true, e);
    }
    if (age < IDENTITY_ADULT)
        return minor_refused(c, user_id, false, e);
    if (face) {
        const char *type = in->photo ? media_sniff(in->photo, in->photo_len) : NULL;
        if (!in->photo || in->photo_len == 0)
            return err_set(e, ERR_VALIDATION_FAILED, "face_photo", "a JPEG or PNG photo");
        if (in->photo_len > IDENTITY_PHOTO_MAX)
            return err_set(e, ERR_PAYLOAD_TOO_LARGE, "face_photo", "at most %d KiB",
                           IDENTITY_PHOTO_MAX / 1024);
        if (!type || (strcmp(type, "image/jpeg") != 0 && strcmp(type, "image/png") != 0))
            return err_set(e, ERR_UNSUPPORTED_MEDIA_TYPE, "face_photo", "a JPEG or PNG photo");
        return 0;
    }
    size_t cl = in->bank_card ? strlen(in->bank_card) : 0;
    if (cl < 12 || cl > 19 || strspn(in->bank_card, "0123456789") != cl)
        return err_set(e, ERR_VALIDATION_FAILED, "bank_card", "12 to 19 digits");
    char digits[12];
    if (!in->reserved_phone || !auth_phone_parse(in->reserved_phone, digits))
        return err_set(e, ERR_VALIDATION_FAILED, "reserved_phone", "a mainland mobile number");
    sec_wipe(digits, sizeof(digits));
    return 0;
}

/* What the provider needs besides name and number, as it leaves: the
 * photo (base64) or the card with its phone. Returns new text. */
static char *evidence_text(const identity_submit_t *in)
{
    json_t *ev;
    if (strcmp(in->method, "face") == 0) {
        size_t n;
        char *b64 = sec_base64(in->photo, in->photo_len, &n);
        ev = json_pack("{s:s}", "face_photo", b64);
        sec_wipe(b64, n);
        free(b64);
    } else {
        char phone[12];
        auth_phone_parse(in->reserved_phone, phone);
        ev = json_pack("{s:s, s:s}", "bank_card", in->bank_card, "reserved_phone", phone);
        sec_wipe(phone, sizeof(phone));
    }
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return text;
}

static db_arg_t sealed(const sec_key_t *dek, const char *place, int64_t id, const char *v,
                       uint8_t **buf)
{
    size_t len;
    *buf = sec_seal_field(dek, place, id, v, strlen(v), &len);
    return DB_BLOB(*buf, len);
}

static int enqueue_check(app_ctx_t *c, int64_t user_id, int64_t id, const char *method, err_t *e)
{
    json_t *payload = json_pack("{s:o}", "identity_id", ids_json(id));
    outbox_subject_t who = {.user_id = user_id,
                            .categories = strcmp(method, "face") == 0
                                              ? "real_name id_number face_photo"
                                              : "real_name id_number bank_card"};
    int rc = outbox_enqueue_about(c, "verify", payload, c->now_ms() + IDENTITY_CHECK_MS, &who, e);
    json_decref(payload);
    return rc;
}

/* Inserts the attempt (the earlier ones not verified go). */
static int insert(app_ctx_t *c, int64_t user_id, const identity_submit_t *in,
                  const identity_id_t *id, int64_t *row, err_t *e)
{
    sec_key_t dek;
    int rc = auth_user_key(c, user_id, &dek, e);
    if (rc < 0)
        return rc;
    bool face = strcmp(in->method, "face") == 0;
    int64_t rid = ids_next();
    char *ev = evidence_text(in);
    uint8_t *b1, *b2, *b3;
    db_arg_t name = sealed(&dek, "identities.name", rid, in->name, &b1);
    db_arg_t number = sealed(&dek, "identities.id_number", rid, id->number, &b2);
    db_arg_t evidence = sealed(&dek, "identities.evidence", rid, ev, &b3);
    sec_wipe(ev, strlen(ev));
    free(ev);
    sec_wipe(&dek, sizeof(dek));
    if ((rc = db_begin(c->db, e)) < 0)
        goto out;
    int64_t n = db_exec(c->db, "DELETE FROM identities WHERE user_id = $1 AND status <> 'verified'",
                        DB_ARGS(DB_I64(user_id)), e);
    if (n >= 0)
        n = db_exec(c->db,
                    "INSERT INTO identities (id, user_id, method, status, name_enc, id_enc, "
                    "id_masked, evidence_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                    "$9)",
                    DB_ARGS(DB_I64(rid), DB_I64(user_id), DB_TEXT(in->method),
                            DB_TEXT(face ? "checking" : "code_sent"), name, number,
                            DB_TEXT(id->masked), evidence, DB_I64(c->now_ms())),
                    e);
    if (n < 0 || (face && (rc = enqueue_check(c, user_id, rid, in->method, e)) < 0) ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        rc = n < 0 ? (int)n : rc;
        goto out;
    }
    *row = rid;
    if (face && c->app->outbox_kick)
        c->app->outbox_kick(c->app);
out:
    free(b1);
    free(b2);
    free(b3);
    return rc;
}

int identity_submit(app_ctx_t *c, int64_t user_id, const identity_submit_t *in, json_t **out,
                    err_t *e)
{
    identity_id_t id;
    bool verified;
    int64_t row = 0;
    int rc;
    if ((rc = privacy_consent_require(c, user_id, SCOPE, e)) < 0)
        return rc;
    if ((rc = check_input(c, user_id, in, &id, e)) < 0)
        goto out;
    if ((rc = identity_is_verified(c, user_id, &verified, e)) < 0)
        goto out;
    if (verified) {
        rc = err_set(e, ERR_CONFLICT, NULL, "this account is verified already");
        goto out;
    }
    /* the card's phone gets its code first: it checks the phone and its limits */
    if (strcmp(in->method, "bank_card") == 0 &&
        (rc = auth_other_code_send(c, user_id, AUTH_OTHER_CARD, in->reserved_phone, in->client_ip,
                                   e)) < 0) {
        if (e->has_field && strcmp(e->field, "phone") == 0)
            snprintf(e->field, sizeof(e->field), "reserved_phone");
        goto out;
    }
    if ((rc = insert(c, user_id, in, &id, &row, e)) == 0)
        rc = identity_get(c, user_id, out, e);
out:
    sec_wipe(&id, sizeof(id));
    return rc;
}

/* The attempt of user_id waiting for the card's code: its id, and the
 * phone the code went to. */
static int waiting(app_ctx_t *c, int64_t user_id, int64_t *id, char phone[12], err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT id, evidence_enc FROM identities WHERE user_id = $1 AND "
                    "status = 'code_sent' AND evidence_enc IS NOT NULL",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no verification waits for a code");
    *id = db_i64(st, 0);
    size_t len, n;
    const void *ev = db_bytes(st, 1, &len);
    sec_key_t dek;
    char *text = NULL;
    rc = auth_user_key(c, user_id, &dek, e);
    if (rc == 0)
        text = sec_open_field(&dek, "identities.evidence", *id, ev, len, &n);
    db_done(st);
    sec_wipe(&dek, sizeof(dek));
    if (rc < 0)
        return rc;
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    const char *p = json_string_value(json_object_get(j, "reserved_phone"));
    snprintf(phone, 12, "%s", p ? p : "");
    json_decref(j);
    if (text) {
        sec_wipe(text, n);
        free(text);
    }
    return phone[0] ? 0 : err_internal(e, "verification %lld: no phone", (long long)*id);
}

int identity_confirm(app_ctx_t *c, int64_t user_id, const char *code, json_t **out, err_t *e)
{
    int64_t id = 0;
    char phone[12];
    int rc = waiting(c, user_id, &id, phone, e);
    if (rc == 0)
        rc = auth_other_code_check(c, AUTH_OTHER_CARD, phone, code, e);
    sec_wipe(phone, sizeof(phone));
    if (rc < 0 || (rc = db_begin(c->db, e)) < 0)
        return rc;
    int64_t n = db_exec(c->db,
                        "UPDATE identities SET status = 'checking' WHERE id = $1 AND "
                        "status = 'code_sent'",
                        DB_ARGS(DB_I64(id)), e);
    if (n < 0 || (n == 1 && (rc = enqueue_check(c, user_id, id, "bank_card", e)) < 0) ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : rc;
    }
    if (c->app->outbox_kick)
        c->app->outbox_kick(c->app);
    return identity_get(c, user_id, out, e);
}

int identity_is_verified(app_ctx_t *c, int64_t user_id, bool *yes, err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_one(c->db, &st, "SELECT 1 FROM identities WHERE user_id = $1 AND status = 'verified'",
               DB_ARGS(DB_I64(user_id)), e);
    *yes = rc == DB_ROW;
    if (rc == DB_ROW)
        db_done(st);
    return rc < 0 ? rc : 0;
}

/* Opens the sealed column col of row id of user_id (new text, or NULL). */
static char *open_col(app_ctx_t *c, int64_t user_id, int64_t id, db_stmt_t *st, int col,
                      const char *place, size_t *n)
{
    size_t len;
    const void *v = db_bytes(st, col, &len);
    sec_key_t dek;
    err_t e = {0};
    char *out = NULL;
    if (v && auth_user_key(c, user_id, &dek, &e) == 0) {
        out = sec_open_field(&dek, place, id, v, len, n);
        sec_wipe(&dek, sizeof(dek));
    }
    err_clear(&e);
    return out;
}

int identity_verified_name(app_ctx_t *c, int64_t user_id, char *out, size_t cap, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT id, name_enc FROM identities WHERE user_id = $1 AND "
                    "status = 'verified'",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "not verified");
    size_t n;
    char *name = open_col(c, user_id, db_i64(st, 0), st, 1, "identities.name", &n);
    db_done(st);
    if (!name)
        return err_internal(e, "the verified name of %lld cannot be opened", (long long)user_id);
    snprintf(out, cap, "%s", name);
    sec_wipe(name, n);
    free(name);
    return 0;
}

int identity_get(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT id, method, status, id_masked, reason, created_at, checked_at, "
                    "name_enc, evidence_enc IS NULL FROM identities WHERE user_id = $1 "
                    "ORDER BY (status = 'verified') DESC, created_at DESC LIMIT 1",
                    DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE) {
        *out = json_pack("{s:s}", "status", "none");
        return 0;
    }
    int64_t id = db_i64(st, 0);
    const char *status = db_bytes(st, 2, &(size_t){0});
    bool verified = strcmp(status, "verified") == 0;
    /* a check that never came back (the sweeper took its evidence) failed */
    bool lapsed = !verified && strcmp(status, "failed") != 0 && db_i64(st, 8);
    size_t n = 0;
    char *name = verified ? open_col(c, user_id, id, st, 7, "identities.name", &n) : NULL;
    *out =
        json_pack("{s:o, s:s, s:s, s:s, s:s?, s:I, s:o, s:s?}", "id", ids_json(id), "status",
                  lapsed ? "failed" : status, "method", (const char *)db_bytes(st, 1, &(size_t){0}),
                  "id_masked", (const char *)db_bytes(st, 3, &(size_t){0}), "reason",
                  lapsed ? "expired" : (const char *)db_bytes(st, 4, &(size_t){0}), "created_at",
                  (json_int_t)db_i64(st, 5), "checked_at",
                  db_is_null(st, 6) ? json_null() : json_integer(db_i64(st, 6)), "name", name);
    db_done(st);
    if (name) {
        sec_wipe(name, n);
        free(name);
    }
    return 0;
}

/* compose: the check as it leaves, from the sealed attempt. 1 when there
 * is none to make any more (the account or the attempt is gone). */
static int compose(app_ctx_t *c, const json_t *payload, char **msg, size_t *len, err_t *e)
{
    const char *ids = json_string_value(json_object_get(payload, "identity_id"));
    int64_t id;
    if (!ids || !ids_parse(ids, strlen(ids), &id))
        return 1;
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT user_id, method, name_enc, id_enc, evidence_enc FROM identities "
                    "WHERE id = $1 AND status = 'checking' AND evidence_enc IS NOT NULL",
                    DB_ARGS(DB_I64(id)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : 1;
    int64_t user = db_i64(st, 0);
    size_t n1 = 0, n2 = 0, n3 = 0;
    char *name = open_col(c, user, id, st, 2, "identities.name", &n1);
    char *number = open_col(c, user, id, st, 3, "identities.id_number", &n2);
    char *ev = open_col(c, user, id, st, 4, "identities.evidence", &n3);
    json_t *m = ev ? json_loads(ev, 0, NULL) : NULL;
    if (m && name && number) {
        json_object_set_new(m, "check_id", ids_json(id));
        json_object_set_new(m, "method", json_string(db_bytes(st, 1, &(size_t){0})));
        json_object_set_new(m, "name", json_string(name));
        json_object_set_new(m, "id_number", json_string(number));
        *msg = json_dumps(m, JSON_COMPACT);
        *len = strlen(*msg);
    }
    db_done(st);
    rc = m && name && number ? 0 : 1; /* the user's key is gone: nothing to send */
    json_decref(m);
    char *parts[] = {name, number, ev};
    size_t lens[] = {n1, n2, n3};
    for (int i = 0; i < 3; i++)
        if (parts[i]) {
            sec_wipe(parts[i], lens[i]);
            free(parts[i]);
        }
    return rc;
}

/* answer: the result kept, the photo or the card erased, in one write. */
static int answer(app_ctx_t *c, const json_t *payload, const char *reply, size_t len, err_t *e)
{
    const char *ids = json_string_value(json_object_get(payload, "identity_id"));
    int64_t id;
    json_t *a = json_loadb(reply, len, 0, NULL);
    const json_t *passed = json_object_get(a, "passed");
    const char *reason = json_string_value(json_object_get(a, "reason"));
    int rc = 0;
    if (!ids || !ids_parse(ids, strlen(ids), &id) || !json_is_boolean(passed))
        rc = err_internal(e, "the verify provider's answer is not {\"passed\": bool}");
    else if (db_exec(c->db,
                     "UPDATE identities SET status = $2, reason = $3, checked_at = $4, "
                     "evidence_enc = NULL WHERE id = $1 AND status = 'checking'",
                     DB_ARGS(DB_I64(id), DB_TEXT(json_is_true(passed) ? "verified" : "failed"),
                             json_is_true(passed)
                                 ? DB_NULL
                                 : DB_TEXT(reason && strlen(reason) < 40 ? reason : "not_verified"),
                             DB_I64(c->now_ms())),
                     e) < 0)
        rc = e->code;
    json_decref(a);
    return rc;
}

void identity_init(void)
{
    static const outbox_hooks_t hooks = {compose, answer};
    outbox_register("verify", &hooks);
}
