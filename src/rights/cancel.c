/* cancel.c - account cancellation (七.四), in one transaction walked from
 * privacy_stores: each store's rows of the user are deleted, anonymised
 * (the owner link cut) or kept restricted, as the store says, and the
 * report tells how many and why. Deleting the users row destroys the
 * data key, so every field sealed under it is unreadable; the
 * shredded-key list (sec/shred.c) keeps it unreadable in backups made
 * before. Sealed media files go after the commit. */
#include "audit/audit.h"
#include "auth/auth.h"
#include "chat/chat.h"
#include "core/ids.h"
#include "core/log.h"
#include "media/media.h"
#include "privacy/privacy.h"
#include "outbox/outbox.h"
#include "rights/rights_int.h"
#include "identity/identity.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tally {
    int64_t before, deleted, anonymised, kept;
} tally_t;

/* The statements of each store, made once: the engine caches prepared
 * statements by the address of their text, so each needs its own
 * string that lives as long as the process. */
static struct sql {
    char *count, *apply;
} * sqls;
static pthread_once_t sqls_once = PTHREAD_ONCE_INIT;

__attribute__((format(printf, 1, 2))) static char *sql_printf(const char *fmt, ...)
{
    char *out;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    return out;
}

static void make_sqls(void)
{
    sqls = calloc(privacy_stores_count, sizeof(*sqls));
    if (sqls == NULL)
        abort();
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_store_t *s = &privacy_stores[i];
        if (s->owner == NULL)
            continue;
        sqls[i].count = sql_printf("SELECT COUNT(*) FROM %s WHERE %s = $1", s->table, s->owner);
        if (s->on_cancel == PRIVACY_DELETE)
            sqls[i].apply = sql_printf("DELETE FROM %s WHERE %s = $1", s->table, s->owner);
        else if (s->on_cancel == PRIVACY_ANONYMISE)
            sqls[i].apply =
                sql_printf("UPDATE %s SET %s = NULL WHERE %s = $1", s->table, s->owner, s->owner);
    }
}

static int count_rows(app_ctx_t *c, size_t i, int64_t user, int64_t *n, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, sqls[i].count, DB_ARGS(DB_I64(user)), e);
    if (rc < 0)
        return rc;
    *n = rc == DB_ROW ? db_i64(st, 0) : 0;
    if (rc == DB_ROW)
        db_done(st);
    return 0;
}

/* What the store says, for tables no module handles itself. The users
 * row is listed once per category it holds: the first delete takes it. */
static int apply_store(app_ctx_t *c, size_t i, int64_t user, tally_t *t, err_t *e)
{
    privacy_action_t a = privacy_stores[i].on_cancel;
    if (a == PRIVACY_RESTRICT) {
        t->kept = t->before;
        return 0;
    }
    int64_t n = db_exec(c->db, sqls[i].apply, DB_ARGS(DB_I64(user)), e);
    if (n < 0)
        return (int)n;
    if (a == PRIVACY_DELETE)
        t->deleted = t->before;
    else
        t->anonymised = t->before;
    return 0;
}

typedef struct cancel {
    int64_t user;
    tally_t *t; /* one per privacy_stores row */
    int64_t *media_gone;
    size_t nmedia_gone;
    uint8_t phone_bidx[SEC_HASH_LEN];
} cancel_t;

/* Chat and media decide themselves what the peer keeps. */
static int modules(app_ctx_t *c, cancel_t *k, err_t *e)
{
    int64_t left, anonymised, gone, media_anon;
    int rc;
    if ((rc = chat_forget_user(c, k->user, &left, &anonymised, &gone, e)) < 0 ||
        (rc = media_forget_owner(c, k->user, &k->media_gone, &k->nmedia_gone, &media_anon, e)) < 0)
        return rc;
    for (size_t i = 0; i < privacy_stores_count; i++) {
        tally_t *t = &k->t[i];
        if (strcmp(privacy_stores[i].table, "messages") == 0) {
            t->anonymised = anonymised;
            t->deleted = t->before - anonymised; /* in conversations nobody is left in */
        } else if (strcmp(privacy_stores[i].table, "media") == 0) {
            t->deleted = (int64_t)k->nmedia_gone;
            t->anonymised = media_anon;
        }
    }
    return 0;
}

static bool handled_by_module(const privacy_store_t *s)
{
    return strcmp(s->table, "messages") == 0 || strcmp(s->table, "media") == 0;
}

static int audit_cancel(app_ctx_t *c, const cancel_t *k, err_t *e)
{
    int64_t sum[3] = {0};
    for (size_t i = 0; i < privacy_stores_count; i++) {
        sum[0] += k->t[i].deleted;
        sum[1] += k->t[i].anonymised;
        sum[2] += k->t[i].kept;
    }
    char actor[32];
    snprintf(actor, sizeof(actor), "user:%lld", (long long)k->user);
    json_t *d = json_pack("{s:I, s:I, s:I}", "deleted", (json_int_t)sum[0], "anonymised",
                          (json_int_t)sum[1], "kept", (json_int_t)sum[2]);
    int rc = audit_append(
        c,
        &(audit_entry_t){
            .actor = actor, .action = "account.cancel", .subject_id = k->user, .detail = d},
        e);
    json_decref(d);
    return rc;
}

/* Each consent still in force ends with the account: a withdrawal record,
 * from which the legal record's 3 years run (the sweeper keeps a record in
 * force, and deletes one superseded 3 years ago). */
static int end_consents(app_ctx_t *c, int64_t user, err_t *e)
{
    enum { MAX_SCOPES = 32 };
    char scope[MAX_SCOPES][24], version[MAX_SCOPES][17];
    int n = 0;
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT scope, version FROM consents c1 WHERE user_id = $1 AND granted = 1 "
                      "AND NOT EXISTS (SELECT 1 FROM consents c2 WHERE c2.user_id = c1.user_id "
                      "AND c2.scope = c1.scope AND (c2.at > c1.at OR (c2.at = c1.at AND c2.id > "
                      "c1.id)))",
                      DB_ARGS(DB_I64(user)), e);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st, e)) == DB_ROW) {
        size_t sl, vl;
        const char *s = db_bytes(st, 0, &sl), *v = db_bytes(st, 1, &vl);
        if (n < MAX_SCOPES && sl < sizeof(scope[0]) && vl < sizeof(version[0])) {
            memcpy(scope[n], s, sl);
            scope[n][sl] = '\0';
            memcpy(version[n], v, vl);
            version[n++][vl] = '\0';
        }
    }
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = privacy_consent_record(c, user, scope[i], version[i], false, 0, e);
    return rc < 0 ? rc : 0;
}

static int erase(app_ctx_t *c, cancel_t *k, err_t *e)
{
    int rc = end_consents(c, k->user, e);
    for (size_t i = 0; rc >= 0 && i < privacy_stores_count; i++)
        if (privacy_stores[i].owner)
            rc = count_rows(c, i, k->user, &k->t[i].before, e);
    if (rc < 0 || (rc = modules(c, k, e)) < 0)
        return rc;
    for (size_t i = 0; rc >= 0 && i < privacy_stores_count; i++)
        if (privacy_stores[i].owner && !handled_by_module(&privacy_stores[i]))
            rc = apply_store(c, i, k->user, &k->t[i], e);
    if (rc < 0)
        return rc;
    /* codes sent to the phone: nothing may tie it to the old account; and
     * hand-overs still queued (pushes to its devices) are not made */
    if ((rc = auth_codes_forget(c, k->phone_bidx, e)) < 0 ||
        (rc = outbox_forget(c, k->user, k->phone_bidx, e)) < 0)
        return rc;
    return audit_cancel(c, k, e);
}

static json_t *report_of(app_ctx_t *c, const cancel_t *k)
{
    json_t *stores = json_array();
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_store_t *s = &privacy_stores[i];
        if (s->owner == NULL)
            continue;
        const privacy_category_t *cat = privacy_category_find(s->category);
        json_array_append_new(stores,
                              json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "category",
                                        s->category, "label_zh", cat ? cat->label_zh : "", "table",
                                        s->table, "action", privacy_action_name(s->on_cancel),
                                        "deleted", (json_int_t)k->t[i].deleted, "anonymised",
                                        (json_int_t)k->t[i].anonymised, "kept",
                                        (json_int_t)k->t[i].kept, "why", s->why));
    }
    char id[21];
    ids_format(k->user, id);
    return json_pack("{s:s, s:I, s:b, s:o}", "user_id", id, "cancelled_at", (json_int_t)c->now_ms(),
                     "data_key_destroyed", 1, "stores", stores);
}

/* Erases the account in one transaction. The user goes on the
 * shredded-key list before the commit (durably, outside the database): a
 * copy of the database made before, restored later, cannot unwrap the
 * account's key, and the next start erases it again. */
static int cancel_now(app_ctx_t *c, cancel_t *k, err_t *e)
{
    int rc;
    pthread_once(&sqls_once, make_sqls);
    if ((rc = auth_user_phone_bidx(c, k->user, k->phone_bidx, e)) < 0)
        return rc;
    k->t = calloc(privacy_stores_count, sizeof(*k->t));
    if (k->t == NULL)
        abort();
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    if ((rc = erase(c, k, e)) < 0 || (rc = sec_vault_shred(c->app->vault, k->user, e)) < 0) {
        db_rollback(c->db);
        return rc;
    }
    if ((rc = db_commit(c->db, e)) < 0) {
        sec_vault_unshred(c->app->vault, k->user);
        return rc;
    }
    media_remove_files(c, k->media_gone, k->nmedia_gone);
    /* committed: a failure to scrub the log is logged, not undone */
    err_t se = {0};
    if (db_scrub(c->db, &se) < 0)
        log_msg(LOG_WARN, "log not scrubbed after a cancellation", "%s", se.cause);
    err_clear(&se);
    return 0;
}

static void cancel_free(cancel_t *k)
{
    sec_wipe(k->phone_bidx, sizeof(k->phone_bidx));
    free(k->media_gone);
    free(k->t);
}

int rights_cancel(app_ctx_t *c, int64_t user_id, const char *code, json_t **report, err_t *e)
{
    cancel_t k = {.user = user_id};
    int rc = auth_step_up_verify(c, user_id, code, e);
    if (rc == 0 && (rc = cancel_now(c, &k, e)) == 0)
        *report = report_of(c, &k);
    cancel_free(&k);
    return rc;
}

int rights_guardian_withdraw(app_ctx_t *c, int64_t user_id, const char *code, json_t **report,
                             err_t *e)
{
    cancel_t k = {.user = user_id};
    char version[17];
    int rc = identity_guardian_withdrawing(c, user_id, code, e);
    /* the withdrawal is on record (kept, restricted) before the data goes */
    if (rc == 0 && (rc = privacy_policy_current(c, version, e)) == 0)
        rc = privacy_consent_record(c, user_id, "guardian", version, false, 0, e);
    if (rc == 0 && (rc = cancel_now(c, &k, e)) == 0)
        *report = report_of(c, &k);
    cancel_free(&k);
    return rc;
}

int rights_replay_cancellations(app_ctx_t *c, int64_t *replayed, err_t *e)
{
    int64_t ids[256];
    size_t n;
    *replayed = 0;
    for (size_t from = 0; (n = sec_vault_shredded(c->app->vault, from, ids, 256)) > 0; from += n) {
        for (size_t i = 0; i < n; i++) {
            bool back;
            int rc = auth_user_exists(c, ids[i], &back, e);
            if (rc == 0 && back) {
                /* a restored copy of the database brought the account back */
                cancel_t k = {.user = ids[i]};
                rc = cancel_now(c, &k, e);
                cancel_free(&k);
                if (rc == 0)
                    (*replayed)++;
            }
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}
