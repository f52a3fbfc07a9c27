/* sweep.c - the sweeper's rules. Periods come from the data map (each
 * category's retention and the stores that hold it); purposes achieved,
 * withdrawn consents and cancelled accounts are the tables below. Each
 * rule runs in its own transaction, so a long sweep never holds writers. */
#include "retention/retention_int.h"
#include "audit/audit.h"
#include "core/log.h"
#include "privacy/privacy.h"

#include <stdio.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define DAY_MS  86400000LL

typedef struct run {
    app_ctx_t *c;
    bool dry;
    retention_row_cb cb;
    void *arg;
    int64_t total;
} run_t;

/* DELETE (null_col NULL) or UPDATE ... SET null_col = NULL the rows of
 * table matching where; a dry run counts them. */
static int64_t apply(run_t *r, const char *table, const char *where, const char *null_col,
                     const db_arg_t *args, err_t *e)
{
    char sql[768];
    if (strcmp(table, "media") == 0 && null_col == NULL)
        return retention_drop_media(r->c, where, args, r->dry, e);
    if (r->dry) {
        db_stmt_t *st;
        snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s WHERE %s", table, where);
        int rc = db_one(r->c->db, &st, retention_sql(sql), args, e);
        if (rc < 0)
            return rc;
        int64_t n = db_i64(st, 0);
        db_done(st);
        return n;
    }
    if (null_col)
        snprintf(sql, sizeof(sql), "UPDATE %s SET %s = NULL WHERE %s", table, null_col, where);
    else
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s", table, where);
    return db_exec(r->c->db, retention_sql(sql), args, e);
}

/* One rule in its own transaction, reported. */
static int rule(run_t *r, const char *category, const char *table, const char *trigger,
                const char *text, const char *where, const char *null_col, const db_arg_t *args,
                err_t *e)
{
    int rc = r->dry ? 0 : db_begin(r->c->db, e);
    int64_t n = rc < 0 ? rc : apply(r, table, where, null_col, args, e);
    if (n < 0) {
        if (!r->dry)
            db_rollback(r->c->db);
        retention_media_done(r->c, false);
        return (int)n;
    }
    if (!r->dry && (rc = db_commit(r->c->db, e)) < 0) {
        retention_media_done(r->c, false);
        return rc;
    }
    retention_media_done(r->c, true);
    r->total += n;
    if (r->cb)
        r->cb(r->arg, category, table, trigger, text, n);
    return 0;
}

/* Consent records stay while they are the record in force of their scope
 * (the proof of what the user allows); the period runs from the record
 * that superseded them. An account's cancellation ends every consent with
 * a withdrawal record (rights/cancel.c): its last records go 3 years
 * after it. */
#define CONSENTS_WHERE                                                                             \
    "at < $1 AND (EXISTS (SELECT 1 FROM consents l WHERE l.user_id = consents.user_id AND "        \
    "l.scope = consents.scope AND (l.at > consents.at OR (l.at = consents.at AND l.id > "          \
    "consents.id)) AND l.at < $1) OR (user_id NOT IN (SELECT id FROM users) AND NOT EXISTS ("      \
    "SELECT 1 FROM consents l WHERE l.user_id = consents.user_id AND l.scope = consents.scope "    \
    "AND (l.at > consents.at OR (l.at = consents.at AND l.id > consents.id)))))"

/* The audit trail is a chain: its oldest records go as a prefix, leaving
 * an anchor it verifies from (audit_prune). */
static int audit_period(run_t *r, const privacy_category_t *cat, err_t *e)
{
    int64_t cutoff = r->c->now_ms() - (int64_t)cat->retention.days * DAY_MS, n = 0;
    int rc = r->dry ? 0 : db_begin(r->c->db, e);
    if (rc == 0 && (rc = audit_prune(r->c, cutoff, r->dry, &n, e)) < 0 && !r->dry)
        db_rollback(r->c->db);
    if (rc < 0 || (!r->dry && (rc = db_commit(r->c->db, e)) < 0))
        return rc;
    r->total += n;
    if (r->cb)
        r->cb(r->arg, cat->id, "audit_log", "retention",
              "collected more than 1095 days ago: delete, leaving the chain's anchor", n);
    return 0;
}

/* 六.一: each category kept N days from collection, in each of its stores. */
static int periods(run_t *r, err_t *e)
{
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_store_t *s = &privacy_stores[i];
        const privacy_category_t *cat = privacy_category_find(s->category);
        const privacy_retention_t *ret = &cat->retention;
        if (ret->trigger != PRIVACY_FROM_COLLECTION || ret->action == PRIVACY_RESTRICT)
            continue; /* restrict at the end is not swept (a unit test keeps it unused) */
        if (strcmp(s->table, "audit_log") == 0) {
            int rc = audit_period(r, cat, e);
            if (rc < 0)
                return rc;
            continue;
        }
        char where[512], text[96];
        if (strcmp(s->table, "consents") == 0)
            snprintf(where, sizeof(where), "%s", CONSENTS_WHERE);
        else if (ret->action == PRIVACY_ANONYMISE)
            snprintf(where, sizeof(where), "%s < $1 AND %s IS NOT NULL", s->at, s->owner);
        else
            snprintf(where, sizeof(where), "%s < $1", s->at);
        snprintf(text, sizeof(text), "collected more than %d days ago: %s", ret->days,
                 privacy_action_name(ret->action));
        int64_t cutoff = r->c->now_ms() - (int64_t)ret->days * DAY_MS;
        int rc =
            rule(r, cat->id, s->table, "retention", text, where,
                 ret->action == PRIVACY_ANONYMISE ? s->owner : NULL, DB_ARGS(DB_I64(cutoff)), e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Purposes achieved (七.二 1): rows that served their purpose and are kept
 * no longer than it needs, often well inside the category's period. */
typedef struct purpose_rule {
    const char *category, *table, *where, *text;
    int64_t age_ms;       /* $1 = now - age_ms; -1: --session-idle-days */
    const char *null_col; /* erase this column, keep the row; NULL: delete it */
} purpose_rule_t;

/* the photo or the card of a check done, or not done within a day */
#define EVIDENCE_DONE                                                                              \
    "evidence_enc IS NOT NULL AND (status IN ('verified', 'failed') OR created_at < $1)"

static const purpose_rule_t purposes[] = {
    {"ip_address", "rate_hits", "at < $1", "per-IP limit window over (1 hour): delete", HOUR_MS,
     NULL},
    {"phone", "otp_codes", "created_at < $1",
     "sign-in code and its daily limit over (1 day): delete", DAY_MS, NULL},
    {"device_info", "sessions", "last_seen_at < $1", "session idle too long: delete", -1, NULL},
    {"push_token", "push_tokens", "updated_at <= $1 AND device_id NOT IN (SELECT id FROM devices)",
     "device removed: delete", 0, NULL},
    {"face_photo", "identities", "method = 'face' AND " EVIDENCE_DONE,
     "identity check done (or not within a day): erase the photo", DAY_MS, "evidence_enc"},
    {"bank_card", "identities", "method = 'bank_card' AND " EVIDENCE_DONE,
     "identity check done (or not within a day): erase the card and its phone", DAY_MS,
     "evidence_enc"},
};

static int purposes_achieved(run_t *r, err_t *e)
{
    int64_t now = r->c->now_ms();
    for (size_t i = 0; i < sizeof(purposes) / sizeof(purposes[0]); i++) {
        const purpose_rule_t *p = &purposes[i];
        int64_t age =
            p->age_ms >= 0 ? p->age_ms : (int64_t)r->c->app->cfg.session_idle_days * DAY_MS;
        int rc = rule(r, p->category, p->table, "purpose", p->text, p->where, p->null_col,
                      DB_ARGS(DB_I64(now - age)), e);
        if (rc < 0)
            return rc;
    }
    /* the sync stream: kept --event-retention-days, floors raised first */
    int64_t before = now - (int64_t)r->c->app->cfg.event_retention_days * DAY_MS, n;
    if (r->dry) {
        if ((n = apply(r, "events", "at < $1", NULL, DB_ARGS(DB_I64(before)), e)) < 0)
            return (int)n;
    } else if ((n = stream_prune(r->c, e)) < 0) {
        return (int)n;
    }
    r->total += n;
    if (r->cb)
        r->cb(r->arg, "chat_content", "events", "purpose",
              "sync events past --event-retention-days: delete", n);
    return 0;
}

/* Consent withdrawn (七.二 3): what was collected under an optional scope
 * goes when the scope is withdrawn. Location messages are chat content
 * sealed under the conversation's key: their bodies are erased like a
 * recall, for every location message sent before the withdrawal. */
#define LOCATION_WITHDRAWN                                                                         \
    "kind = 'location' AND sender_id IS NOT NULL AND body_enc IS NOT NULL AND EXISTS (SELECT 1 "   \
    "FROM consents w WHERE w.user_id = messages.sender_id AND w.scope = 'location' AND "           \
    "w.granted = 0 AND w.at >= messages.created_at)"

static int withdrawn(run_t *r, err_t *e)
{
    stream_notify_t n = {0};
    int rc = r->dry ? 0 : db_begin(r->c->db, e);
    int64_t rows =
        rc < 0 ? rc : retention_erase_bodies(r->c, &n, LOCATION_WITHDRAWN, DB_NOARGS, r->dry, e);
    if (rows < 0) {
        if (!r->dry)
            db_rollback(r->c->db);
        return (int)rows;
    }
    if (!r->dry && (rc = stream_commit(r->c, &n, e)) < 0)
        return rc;
    r->total += rows;
    if (r->cb)
        r->cb(r->arg, "location", "messages", "withdrawn",
              "location consent withdrawn: erase bodies sent before", rows);
    return 0;
}

/* What a cancelled account leaves behind must not outlive it; for tables
 * whose rows could point at no account, extra conditions. */
static const char *orphan_extra(const char *table)
{
    if (strcmp(table, "media") == 0) /* files a peer's message still shows stay */
        return " AND id NOT IN (SELECT media_id FROM messages WHERE media_id IS NOT NULL)";
    return "";
}

/* Account cancelled (七.二 4): rows whose owner no longer exists get their
 * store's action on cancellation; restricted ones wait for their period. */
static int orphans(run_t *r, err_t *e)
{
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_store_t *s = &privacy_stores[i];
        if (s->owner == NULL || strcmp(s->table, "users") == 0 || s->on_cancel == PRIVACY_RESTRICT)
            continue;
        char where[512], text[96];
        snprintf(where, sizeof(where), "%s IS NOT NULL AND %s NOT IN (SELECT id FROM users)%s",
                 s->owner, s->owner, orphan_extra(s->table));
        snprintf(text, sizeof(text), "account no longer exists: %s",
                 s->on_cancel == PRIVACY_ANONYMISE ? "cut the link to it" : "delete");
        int rc = rule(r, s->category, s->table, "cancelled", text, where,
                      s->on_cancel == PRIVACY_ANONYMISE ? s->owner : NULL, DB_NOARGS, e);
        if (rc < 0)
            return rc;
    }
    /* others' answers to a question its cancelled asker took with them */
    return rule(r, "published_content", "answers", "cancelled",
                "its question no longer exists: delete",
                "question_id NOT IN (SELECT id FROM questions)", NULL, DB_NOARGS, e);
}

int64_t retention_sweep(app_ctx_t *c, unsigned passes, bool dry_run, retention_row_cb cb, void *arg,
                        err_t *e)
{
    run_t r = {.c = c, .dry = dry_run, .cb = cb, .arg = arg};
    int rc = 0;
    if ((passes & RETENTION_TIMED) &&
        ((rc = periods(&r, e)) < 0 || (rc = purposes_achieved(&r, e)) < 0 ||
         (rc = withdrawn(&r, e)) < 0))
        return rc;
    if ((passes & RETENTION_ORPHANS) && (rc = orphans(&r, e)) < 0)
        return rc;
    if (r.total > 0 && !dry_run)
        log_msg(LOG_INFO, "retention sweep", "%lld rows", (long long)r.total);
    return r.total;
}
