/* attribution.c - 客户归属: one consultant per buyer per development,
 * first touch wins (a QR code, a link, a chat); protected for the
 * development's visit period (到访保护期), and once the consultant records
 * the visit for its deal period (成交保护期) from then; a recorded deal
 * keeps the buyer theirs. A lapsed buyer is in the development's pool
 * until its manager gives them to someone. Every change is audited.
 * Consultants see buyers' phones masked, never in full. Chats about a
 * development open with its card. */
#include "binding/binding.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "catalog/catalog.h"
#include "chat/chat.h"
#include "core/ids.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS 86400000LL

/* An attribution in force at $now (the parameter named there). */
#define IN_FORCE(now) "(stage = 'deal' OR protected_until > " now ")"

static int audit_change(app_ctx_t *c, int64_t actor_id, const char *action, int64_t buyer,
                        int64_t dev, int64_t consultant, err_t *e)
{
    char actor[40];
    snprintf(actor, sizeof(actor), "user:%lld", (long long)actor_id);
    json_t *detail = json_pack("{s:o, s:o}", "development_id", ids_json(dev), "consultant_id",
                               ids_json(consultant));
    audit_entry_t a = {.actor = actor,
                       .action = action,
                       .subject_id = buyer,
                       .categories = "customer_attribution",
                       .detail = detail};
    int rc = audit_append(c, &a, e);
    json_decref(detail);
    return rc;
}

typedef struct attribution {
    int64_t consultant; /* 0 when none or lapsed */
    int64_t until;      /* protected_until */
    char source[16], stage[8];
} attribution_t;

/* The attribution of buyer at dev now. 1 when a row exists, else 0. */
static int current(app_ctx_t *c, int64_t buyer, int64_t dev, attribution_t *a, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT consultant_id, protected_until, source, stage FROM attributions "
                    "WHERE development_id = $1 AND buyer_id = $2",
                    DB_ARGS(DB_I64(dev), DB_I64(buyer)), e);
    *a = (attribution_t){0};
    if (rc != DB_ROW)
        return rc < 0 ? rc : 0;
    a->until = db_i64(st, 1);
    snprintf(a->source, sizeof(a->source), "%s", (const char *)db_bytes(st, 2, &(size_t){0}));
    snprintf(a->stage, sizeof(a->stage), "%s", (const char *)db_bytes(st, 3, &(size_t){0}));
    if (!db_is_null(st, 0) && (strcmp(a->stage, "deal") == 0 || a->until > c->now_ms()))
        a->consultant = db_i64(st, 0);
    db_done(st);
    return 1;
}

int binding_attribute(app_ctx_t *c, int64_t buyer, int64_t dev, int64_t consultant,
                      const char *source, json_t **out, err_t *e)
{
    bool bound, own;
    int visit, deal;
    int rc;
    if ((rc = catalog_protection(c, dev, &visit, &deal, e)) < 0 ||
        (rc = binding_is_bound(c, consultant, dev, false, &bound, e)) < 0 ||
        (rc = binding_is_bound(c, buyer, dev, false, &own, e)) < 0)
        return rc;
    if (!bound)
        return err_set(e, ERR_FORBIDDEN, "consultant_id", "not a consultant of this development");
    if (own || buyer == consultant)
        return err_set(e, ERR_FORBIDDEN, NULL, "a development's own consultant is not its buyer");
    int64_t now = c->now_ms(), n = 0;
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    /* first touch: a row that exists (protected, lapsed or pooled) stays */
    n = db_exec(c->db,
                "INSERT INTO attributions (id, development_id, buyer_id, consultant_id, source, "
                "created_at, protected_until) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                "ON CONFLICT (development_id, buyer_id) DO NOTHING",
                DB_ARGS(DB_I64(ids_next()), DB_I64(dev), DB_I64(buyer), DB_I64(consultant),
                        DB_TEXT(source), DB_I64(now), DB_I64(now + visit * DAY_MS)),
                e);
    if (n < 0 ||
        (n == 1 &&
         (rc = audit_change(c, buyer, "attribution.create", buyer, dev, consultant, e)) < 0) ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : rc;
    }
    attribution_t a;
    if ((rc = current(c, buyer, dev, &a, e)) < 0)
        return rc;
    *out = json_pack("{s:o, s:s, s:s, s:I, s:b}", "consultant_id",
                     a.consultant ? ids_json(a.consultant) : json_null(), "source", a.source,
                     "stage", a.stage, "protected_until", (json_int_t)a.until, "new", n == 1);
    return 0;
}

/* Buyers of consultant (in force), or of dev's pool (consultant 0:
 * lapsed or unassigned), with masked phones. */
static int buyers(app_ctx_t *c, int64_t consultant, int64_t dev, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int64_t now = c->now_ms();
    int rc = consultant
                 ? db_query(c->db, &st,
                            "SELECT buyer_id, development_id, source, created_at, "
                            "protected_until, stage, visited_at, deal_at FROM attributions "
                            "WHERE consultant_id = $1 AND " IN_FORCE(
                                "$2") " "
                                      "ORDER BY stage = 'deal', protected_until, id",
                            DB_ARGS(DB_I64(consultant), DB_I64(now)), e)
                 : db_query(c->db, &st,
                            "SELECT buyer_id, development_id, source, created_at, "
                            "protected_until, stage, visited_at, deal_at FROM attributions "
                            "WHERE development_id = $1 AND (consultant_id IS NULL OR NOT " IN_FORCE(
                                "$2") ") ORDER BY protected_until, id",
                            DB_ARGS(DB_I64(dev), DB_I64(now)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        int64_t buyer = db_i64(st, 0), until = db_i64(st, 4);
        char phone[12] = "", masked[12] = "";
        err_t pe = {0};
        if (auth_user_phone(c, buyer, phone, &pe) == 0)
            log_mask_phone(phone, masked);
        sec_wipe(phone, sizeof(phone));
        err_clear(&pe);
        const char *stage = (const char *)db_bytes(st, 5, &(size_t){0});
        bool final = strcmp(stage, "deal") == 0;
        int64_t left = until > now ? (until - now + DAY_MS - 1) / DAY_MS : 0;
        json_array_append_new(
            items,
            json_pack("{s:o, s:s, s:o, s:s, s:I, s:s, s:o, s:o, s:o, s:o}", "buyer_id",
                      ids_json(buyer), "phone_masked", masked, "development_id",
                      ids_json(db_i64(st, 1)), "source",
                      (const char *)db_bytes(st, 2, &(size_t){0}), "created_at",
                      (json_int_t)db_i64(st, 3), "stage", stage, "visited_at",
                      db_is_null(st, 6) ? json_null() : json_integer(db_i64(st, 6)), "deal_at",
                      db_is_null(st, 7) ? json_null() : json_integer(db_i64(st, 7)),
                      "protected_until", final ? json_null() : json_integer(until), "days_left",
                      final ? json_null() : json_integer(left)));
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    db_done(st);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int binding_buyers(app_ctx_t *c, int64_t consultant, json_t **out, err_t *e)
{
    return buyers(c, consultant, 0, out, e);
}

static int need_manager(app_ctx_t *c, int64_t manager, int64_t dev, err_t *e)
{
    bool yes;
    int rc = binding_is_bound(c, manager, dev, true, &yes, e);
    return rc < 0 ? rc
           : yes  ? 0
                  : err_set(e, ERR_FORBIDDEN, NULL, "only the development's manager may");
}

int binding_pool(app_ctx_t *c, int64_t manager, int64_t dev, json_t **out, err_t *e)
{
    int rc = need_manager(c, manager, dev, e);
    return rc < 0 ? rc : buyers(c, 0, dev, out, e);
}

int binding_assign(app_ctx_t *c, int64_t manager, int64_t dev, int64_t buyer, int64_t consultant,
                   err_t *e)
{
    bool bound;
    int visit, deal, rc;
    if ((rc = need_manager(c, manager, dev, e)) < 0 ||
        (rc = catalog_protection(c, dev, &visit, &deal, e)) < 0 ||
        (rc = binding_is_bound(c, consultant, dev, false, &bound, e)) < 0)
        return rc;
    if (!bound)
        return err_set(e, ERR_VALIDATION_FAILED, "consultant_id",
                       "not a consultant of this development");
    int64_t now = c->now_ms();
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    int64_t n = db_exec(c->db,
                        "UPDATE attributions SET consultant_id = $3, source = 'assigned', "
                        "created_at = $4, protected_until = $5, stage = 'new', visited_at = "
                        "NULL, deal_at = NULL WHERE development_id = $1 AND buyer_id = $2 AND "
                        "(consultant_id IS NULL OR NOT " IN_FORCE("$4") ")",
                        DB_ARGS(DB_I64(dev), DB_I64(buyer), DB_I64(consultant), DB_I64(now),
                                DB_I64(now + visit * DAY_MS)),
                        e);
    if (n == 0)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such buyer in the pool");
    if (n < 0 || rc < 0 ||
        (rc = audit_change(c, manager, "attribution.assign", buyer, dev, consultant, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : rc;
    }
    return 0;
}

int binding_progress(app_ctx_t *c, int64_t consultant, int64_t dev, int64_t buyer,
                     const char *stage, json_t **out, err_t *e)
{
    bool visit = strcmp(stage, "visited") == 0;
    int visit_days, deal_days, rc;
    attribution_t a;
    if ((rc = catalog_protection(c, dev, &visit_days, &deal_days, e)) < 0 ||
        (rc = current(c, buyer, dev, &a, e)) < 0)
        return rc;
    if (a.consultant != consultant)
        return err_set(e, ERR_FORBIDDEN, NULL, "not a buyer of yours at this development");
    if (strcmp(a.stage, "deal") == 0 || (visit && strcmp(a.stage, "new") != 0))
        return err_set(e, ERR_CONFLICT, NULL, "recorded already");
    int64_t now = c->now_ms();
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    /* the row is changed only while it is still theirs and at the stage read */
    int64_t n =
        visit ? db_exec(c->db,
                        "UPDATE attributions SET stage = 'visited', visited_at = $4, "
                        "protected_until = $5 WHERE development_id = $1 AND buyer_id = "
                        "$2 AND consultant_id = $3 AND stage = 'new' AND "
                        "protected_until > $4",
                        DB_ARGS(DB_I64(dev), DB_I64(buyer), DB_I64(consultant), DB_I64(now),
                                DB_I64(now + deal_days * DAY_MS)),
                        e)
              : db_exec(c->db,
                        "UPDATE attributions SET stage = 'deal', deal_at = $4 WHERE "
                        "development_id = $1 AND buyer_id = $2 AND consultant_id = $3 "
                        "AND stage <> 'deal' AND protected_until > $4",
                        DB_ARGS(DB_I64(dev), DB_I64(buyer), DB_I64(consultant), DB_I64(now)), e);
    if (n == 0)
        rc = err_set(e, ERR_CONFLICT, NULL, "changed meanwhile: read the buyer again");
    if (n < 0 || rc < 0 ||
        (rc = audit_change(c, consultant, visit ? "attribution.visit" : "attribution.deal", buyer,
                           dev, consultant, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : rc;
    }
    if ((rc = current(c, buyer, dev, &a, e)) < 0)
        return rc;
    bool final = strcmp(a.stage, "deal") == 0;
    *out = json_pack("{s:s, s:o}", "stage", a.stage, "protected_until",
                     final ? json_null() : json_integer(a.until));
    return 0;
}

/* The development card, once per conversation (its client id says so). */
static int send_card(app_ctx_t *c, int64_t from, int64_t conv, int64_t dev, err_t *e)
{
    json_t *card, *msg = NULL;
    int rc = catalog_card(c, dev, &card, e);
    if (rc < 0)
        return rc;
    char cid[48];
    snprintf(cid, sizeof(cid), "development-card-%lld", (long long)dev);
    chat_send_t in = {.client_id = cid, .kind = "property", .body = card};
    bool created;
    rc = chat_send(c, from, conv, &in, &created, &msg, e);
    json_decref(msg);
    json_decref(card);
    return rc;
}

int binding_chat_open(app_ctx_t *c, int64_t user, int64_t peer, int64_t dev, bool as_consultant,
                      bool *created, json_t **out, err_t *e)
{
    json_t *a = NULL;
    attribution_t now;
    int rc;
    if (as_consultant) { /* a consultant writes to a buyer of theirs */
        if ((rc = current(c, peer, dev, &now, e)) < 0)
            return rc;
        if (now.consultant != user)
            return err_set(e, ERR_FORBIDDEN, "buyer_id",
                           "not a buyer of yours at this development");
    } else if ((rc = binding_attribute(c, user, dev, peer, "chat", &a, e)) < 0) {
        return rc;
    }
    json_decref(a);
    if ((rc = chat_conv_open(c, user, peer, created, out, e)) < 0)
        return rc;
    const char *cs = json_string_value(json_object_get(*out, "id"));
    int64_t conv;
    if (!cs || !ids_parse(cs, strlen(cs), &conv))
        return 0;
    json_decref(*out);
    *out = NULL;
    /* the view is read again after the card, so it shows the card as its last message */
    if ((rc = send_card(c, user, conv, dev, e)) < 0 ||
        (rc = chat_conv_get(c, user, conv, out, e)) < 0)
        return rc;
    return 0;
}
