/* binding.c - applications to be a development's consultant, their review
 * (photos read only through an audited clear read, erased once decided),
 * unbinding, and the consultant list. */
#include "binding/binding.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "catalog/catalog.h"
#include "core/ids.h"
#include "core/log.h"
#include "identity/identity.h"
#include "media/media.h"
#include "sec/sec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_photo(const uint8_t *p, size_t len, const char *field, err_t *e)
{
    if (!p || len == 0)
        return err_set(e, ERR_VALIDATION_FAILED, field, "a JPEG or PNG photo");
    if (len > BINDING_PHOTO_MAX)
        return err_set(e, ERR_PAYLOAD_TOO_LARGE, field, "at most %d KiB", BINDING_PHOTO_MAX / 1024);
    const char *t = media_sniff(p, len);
    if (!t || (strcmp(t, "image/jpeg") != 0 && strcmp(t, "image/png") != 0))
        return err_set(e, ERR_UNSUPPORTED_MEDIA_TYPE, field, "a JPEG or PNG photo");
    return 0;
}

/* The applications of user_id that hold a place: pending or approved. */
static int held(app_ctx_t *c, int64_t user_id, int64_t dev, int *count, bool *here, bool *main,
                err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT development_id, is_main FROM bindings WHERE user_id = $1 AND "
                      "status IN ('pending', 'approved')",
                      DB_ARGS(DB_I64(user_id)), e);
    *count = 0;
    *here = *main = false;
    while (rc >= 0 && (rc = db_step(st, e)) == DB_ROW) {
        (*count)++;
        *here |= db_i64(st, 0) == dev;
        *main |= db_i64(st, 1) != 0;
    }
    if (rc >= 0)
        db_done(st);
    return rc < 0 ? rc : 0;
}

static int check_apply(app_ctx_t *c, int64_t user_id, const binding_apply_t *in, err_t *e)
{
    char digits[12];
    int count, rc;
    bool here, main;
    if (!in->role || (strcmp(in->role, "consultant") != 0 && strcmp(in->role, "manager") != 0))
        return err_set(e, ERR_VALIDATION_FAILED, "role", "consultant or manager");
    if (!in->contact_phone || !auth_phone_parse(in->contact_phone, digits))
        return err_set(e, ERR_VALIDATION_FAILED, "contact_phone", "a mainland mobile number");
    if ((rc = check_photo(in->card, in->card_len, "business_card", e)) < 0 ||
        (rc = check_photo(in->badge, in->badge_len, "work_badge", e)) < 0)
        return rc;
    if ((rc = catalog_exists(c, in->development_id, e)) < 0)
        return rc;
    if (rc == 0)
        return err_set(e, ERR_NOT_FOUND, "development_id", "no such development");
    /* one row per user at a time: the limits below hold on every node */
    if ((rc = db_xlock(c->db, "binding", &user_id, sizeof(user_id), e)) < 0 ||
        (rc = held(c, user_id, in->development_id, &count, &here, &main, e)) < 0)
        return rc;
    if (here)
        return err_set(e, ERR_CONFLICT, "development_id", "applied for or bound there already");
    if (in->main && main)
        return err_set(e, ERR_CONFLICT, "main", "there is a main development already");
    if (count >= BINDING_MAX)
        return err_set(e, ERR_FORBIDDEN, NULL, "one main development and up to four more");
    return 0;
}

static db_arg_t seal(const sec_key_t *dek, const char *place, int64_t id, const void *p, size_t len,
                     uint8_t **buf)
{
    size_t n;
    *buf = sec_seal_field(dek, place, id, p, len, &n);
    return DB_BLOB(*buf, n);
}

int binding_apply(app_ctx_t *c, int64_t user_id, const binding_apply_t *in, json_t **out, err_t *e)
{
    sec_key_t dek;
    char digits[12] = "";
    int rc = auth_user_key(c, user_id, &dek, e);
    if (rc < 0)
        return rc;
    int64_t id = ids_next();
    if (in->contact_phone)
        auth_phone_parse(in->contact_phone, digits);
    uint8_t *b1, *b2, *b3;
    db_arg_t phone = seal(&dek, "bindings.phone", id, digits, strlen(digits), &b1);
    db_arg_t card = seal(&dek, "bindings.card", id, in->card, in->card ? in->card_len : 0, &b2);
    db_arg_t badge =
        seal(&dek, "bindings.badge", id, in->badge, in->badge ? in->badge_len : 0, &b3);
    sec_wipe(&dek, sizeof(dek));
    sec_wipe(digits, sizeof(digits));
    if ((rc = db_begin(c->db, e)) < 0)
        goto out;
    int64_t n = 0;
    if ((rc = check_apply(c, user_id, in, e)) < 0 ||
        (n = db_exec(c->db,
                     "INSERT INTO bindings (id, user_id, development_id, role, is_main, status, "
                     "phone_enc, card_enc, badge_enc, created_at) VALUES ($1, $2, $3, $4, $5, "
                     "'pending', $6, $7, $8, $9)",
                     DB_ARGS(DB_I64(id), DB_I64(user_id), DB_I64(in->development_id),
                             DB_TEXT(in->role), DB_I64(in->main), phone, card, badge,
                             DB_I64(c->now_ms())),
                     e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        rc = n < 0 ? (int)n : rc;
        goto out;
    }
    json_t *all;
    if ((rc = binding_mine(c, user_id, &all, e)) == 0) {
        *out = json_incref(json_array_get(json_object_get(all, "items"), 0));
        json_decref(all);
    }
out:
    free(b1);
    free(b2);
    free(b3);
    return rc;
}

/* A row of "id, development_id, role, is_main, status, reason,
 * created_at, decided_at" as its applicant sees it. */
static json_t *row_json(app_ctx_t *c, db_stmt_t *st)
{
    json_t *card = NULL;
    err_t e = {0};
    if (catalog_card(c, db_i64(st, 1), &card, &e) < 0)
        err_clear(&e);
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:s, s:b, s:s, s:o, s:I, s:o}", "id", ids_json(db_i64(st, 0)),
                  "development_id", ids_json(db_i64(st, 1)), "development_name",
                  card ? json_incref(json_object_get(card, "name")) : json_null(), "role",
                  (const char *)db_bytes(st, 2, &(size_t){0}), "main", db_i64(st, 3) != 0, "status",
                  (const char *)db_bytes(st, 4, &(size_t){0}), "reason",
                  db_is_null(st, 5) ? json_null() : json_string(db_bytes(st, 5, &(size_t){0})),
                  "created_at", (json_int_t)db_i64(st, 6), "decided_at",
                  db_is_null(st, 7) ? json_null() : json_integer(db_i64(st, 7)));
    json_decref(card);
    return o;
}

int binding_mine(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT id, development_id, role, is_main, status, reason, created_at, "
                      "decided_at FROM bindings WHERE user_id = $1 ORDER BY created_at DESC, id "
                      "DESC",
                      DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW)
        json_array_append_new(items, row_json(c, st));
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    db_done(st);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int binding_unbind(app_ctx_t *c, int64_t user_id, int64_t id, err_t *e)
{
    int64_t n = db_exec(c->db,
                        "UPDATE bindings SET status = 'unbound', unbound_at = $3, card_enc = NULL, "
                        "badge_enc = NULL WHERE id = $1 AND user_id = $2 AND status IN "
                        "('pending', 'approved')",
                        DB_ARGS(DB_I64(id), DB_I64(user_id), DB_I64(c->now_ms())), e);
    if (n < 0)
        return (int)n;
    return n ? 0 : err_set(e, ERR_NOT_FOUND, NULL, "no such binding");
}

int binding_is_bound(app_ctx_t *c, int64_t user_id, int64_t development_id, bool manager, bool *yes,
                     err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT 1 FROM bindings WHERE user_id = $1 AND ($2 = 0 OR development_id = "
                    "$2) AND status = 'approved' AND ($3 = 0 OR role = 'manager') LIMIT 1",
                    DB_ARGS(DB_I64(user_id), DB_I64(development_id), DB_I64(manager)), e);
    *yes = rc == DB_ROW;
    if (rc == DB_ROW)
        db_done(st);
    return rc < 0 ? rc : 0;
}

int binding_consultants(app_ctx_t *c, int64_t development_id, json_t **out, err_t *e)
{
    int rc = catalog_exists(c, development_id, e);
    if (rc <= 0)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such development");
    db_stmt_t *st;
    if ((rc = db_query(c->db, &st,
                       "SELECT user_id, role, is_main FROM bindings WHERE development_id = $1 AND "
                       "status = 'approved' ORDER BY is_main DESC, decided_at, id",
                       DB_ARGS(DB_I64(development_id)), e)) < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        char name[96];
        err_t ne = {0};
        int64_t user = db_i64(st, 0);
        /* cards show the verified name (domain.md §7) */
        bool named = identity_verified_name(c, user, name, sizeof(name), &ne) == 0;
        err_clear(&ne);
        json_array_append_new(items, json_pack("{s:o, s:s?, s:s, s:b, s:b}", "user_id",
                                               ids_json(user), "name", named ? name : NULL, "role",
                                               (const char *)db_bytes(st, 1, &(size_t){0}), "main",
                                               db_i64(st, 2) != 0, "verified", named));
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    db_done(st);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int binding_card(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT development_id, role, is_main FROM bindings WHERE user_id = $1 AND "
                      "status = 'approved' ORDER BY is_main DESC, decided_at, id",
                      DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    json_t *devs = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_t *card;
        err_t ce = {0};
        if (catalog_card(c, db_i64(st, 0), &card, &ce) < 0) { /* retired meanwhile */
            err_clear(&ce);
            continue;
        }
        json_object_set_new(card, "role", json_string((const char *)db_bytes(st, 1, &(size_t){0})));
        json_object_set_new(card, "main", json_boolean(db_i64(st, 2) != 0));
        json_array_append_new(devs, card);
    }
    if (rc < 0) {
        json_decref(devs);
        return rc;
    }
    db_done(st);
    char name[96];
    err_t ne = {0};
    bool named = identity_verified_name(c, user_id, name, sizeof(name), &ne) == 0;
    err_clear(&ne);
    /* only a consultant has a card: anyone else is not found, so the card
     * route tells nobody whether an account exists */
    if (json_array_size(devs) == 0 || !named) {
        json_decref(devs);
        return err_set(e, ERR_NOT_FOUND, NULL, "no such consultant");
    }
    *out = json_pack("{s:o, s:s, s:b, s:o}", "user_id", ids_json(user_id), "name", name, "verified",
                     true, "developments", devs);
    return 0;
}

int binding_queue(app_ctx_t *c, const char *status, int limit, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT id, development_id, role, is_main, status, reason, created_at, "
                      "decided_at, user_id, phone_enc, card_enc IS NOT NULL FROM bindings "
                      "WHERE status = $1 ORDER BY created_at, id LIMIT $2",
                      DB_ARGS(DB_TEXT(status), DB_I64(limit)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_t *o = row_json(c, st);
        int64_t id = db_i64(st, 0), user = db_i64(st, 8);
        sec_key_t dek;
        err_t ke = {0};
        char masked[12] = "";
        size_t len, n;
        const void *p = db_bytes(st, 9, &len);
        if (auth_user_key(c, user, &dek, &ke) == 0) {
            char *phone = sec_open_field(&dek, "bindings.phone", id, p, len, &n);
            if (phone && n == 11)
                log_mask_phone(phone, masked);
            if (phone) {
                sec_wipe(phone, n);
                free(phone);
            }
            sec_wipe(&dek, sizeof(dek));
        }
        err_clear(&ke);
        json_object_set_new(o, "user_id", ids_json(user));
        json_object_set_new(o, "contact_phone_masked", json_string(masked));
        json_object_set_new(o, "has_documents", json_boolean(db_i64(st, 10)));
        json_array_append_new(items, o);
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    db_done(st);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

static int audit_staff(app_ctx_t *c, const staff_session_t *s, const char *action, int64_t subject,
                       const char *categories, const char *reason, int64_t id, err_t *e)
{
    char actor[80];
    staff_actor(s, actor);
    json_t *detail = json_pack("{s:o}", "binding_id", ids_json(id));
    audit_entry_t a = {.actor = actor,
                       .action = action,
                       .subject_id = subject,
                       .categories = categories,
                       .reason = reason,
                       .detail = detail};
    int rc = audit_append(c, &a, e);
    json_decref(detail);
    return rc;
}

int binding_documents(app_ctx_t *c, const staff_session_t *s, int64_t id, const char *reason,
                      json_t **out, err_t *e)
{
    int rc = staff_reason_check(reason, e);
    if (rc < 0 || (rc = db_begin(c->db, e)) < 0)
        return rc;
    db_stmt_t *st;
    rc = db_one(c->db, &st,
                "SELECT user_id, card_enc, badge_enc FROM bindings WHERE id = $1 AND "
                "card_enc IS NOT NULL",
                DB_ARGS(DB_I64(id)), e);
    if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such application, or its photos are gone");
    if (rc < 0) {
        db_rollback(c->db);
        return rc;
    }
    int64_t user = db_i64(st, 0);
    sec_key_t dek;
    char *card = NULL, *badge = NULL;
    size_t l1, l2, n1 = 0, n2 = 0;
    const void *p1 = db_bytes(st, 1, &l1);
    if ((rc = auth_user_key(c, user, &dek, e)) == 0) {
        card = sec_open_field(&dek, "bindings.card", id, p1, l1, &n1);
        const void *p2 = db_bytes(st, 2, &l2);
        badge = sec_open_field(&dek, "bindings.badge", id, p2, l2, &n2);
        sec_wipe(&dek, sizeof(dek));
    }
    db_done(st);
    if (rc == 0 && (!card || !badge))
        rc = err_internal(e, "binding %lld: photos cannot be opened", (long long)id);
    if (rc == 0 &&
        (rc = audit_staff(c, s, "personal_data.read", user, "id_documents", reason, id, e)) == 0 &&
        (rc = db_commit(c->db, e)) == 0) {
        size_t la, lb;
        char *a = sec_base64(card, n1, &la), *b = sec_base64(badge, n2, &lb);
        *out =
            json_pack("{s:o, s:s, s:s}", "id", ids_json(id), "business_card", a, "work_badge", b);
        sec_wipe(a, la);
        sec_wipe(b, lb);
        free(a);
        free(b);
    }
    if (c->db->in_tx)
        db_rollback(c->db);
    if (card) {
        sec_wipe(card, n1);
        free(card);
    }
    if (badge) {
        sec_wipe(badge, n2);
        free(badge);
    }
    return rc;
}

int binding_decide(app_ctx_t *c, const staff_session_t *s, int64_t id, bool approve,
                   const char *reason, json_t **out, err_t *e)
{
    if (!approve && (!reason || !*reason))
        return err_set(e, ERR_VALIDATION_FAILED, "reason", "a rejection says why");
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    db_stmt_t *st;
    int64_t user = 0, n = 0;
    char who[80];
    staff_actor(s, who);
    rc = db_one(c->db, &st, "SELECT user_id, status FROM bindings WHERE id = $1",
                DB_ARGS(DB_I64(id)), e);
    if (rc == DB_ROW) {
        user = db_i64(st, 0);
        bool pending = strcmp(db_bytes(st, 1, &(size_t){0}), "pending") == 0;
        db_done(st);
        rc = pending ? 0 : err_set(e, ERR_CONFLICT, NULL, "decided already");
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such application");
    }
    if (rc == 0 && (n = db_exec(c->db,
                                "UPDATE bindings SET status = $2, reason = $3, decided_by = $4, "
                                "decided_at = $5, card_enc = NULL, badge_enc = NULL WHERE id = $1",
                                DB_ARGS(DB_I64(id), DB_TEXT(approve ? "approved" : "rejected"),
                                        reason && *reason ? DB_TEXT(reason) : DB_NULL, DB_TEXT(who),
                                        DB_I64(c->now_ms())),
                                e)) < 0)
        rc = (int)n;
    if (rc == 0)
        rc = audit_staff(c, s, approve ? "binding.approve" : "binding.reject", user,
                         "binding_records", reason, id, e);
    if (rc < 0 || (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return rc;
    }
    *out =
        json_pack("{s:o, s:s, s:s?}", "id", ids_json(id), "status",
                  approve ? "approved" : "rejected", "reason", reason && *reason ? reason : NULL);
    return 0;
}
