/* reports.c - the content_reports table and the staff decision on a
 * report: the target is found and hidden through its owner (reviews/,
 * qa/), in one transaction with the audit record and the reports it
 * decides. */
#include "reports/reports.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/ids.h"
#include "qa/qa.h"
#include "reviews/reviews.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL

static bool known(const char *t)
{
    return strcmp(t, "review") == 0 || strcmp(t, "question") == 0 || strcmp(t, "answer") == 0;
}

/* The author of a published target: NOT_FOUND when there is none. */
static int author_of(app_ctx_t *c, const char *target, int64_t id, int64_t *author, err_t *e)
{
    if (strcmp(target, "review") == 0)
        return reviews_author(c, id, author, e);
    return qa_author(c, strcmp(target, "answer") == 0, id, author, e);
}

static int hide(app_ctx_t *c, const char *target, int64_t id, const char *reason, err_t *e)
{
    if (strcmp(target, "review") == 0)
        return reviews_hide(c, id, reason, e);
    return qa_hide(c, strcmp(target, "answer") == 0, id, reason, e);
}

int reports_file(app_ctx_t *c, int64_t reporter, const char *target, int64_t target_id,
                 const char *reason, json_t **out, err_t *e)
{
    if (!known(target))
        return err_set(e, ERR_VALIDATION_FAILED, "target", "review, question or answer");
    int64_t author;
    int rc = author_of(c, target, target_id, &author, e);
    if (rc < 0)
        return rc;
    db_stmt_t *st;
    if ((rc = db_one(c->db, &st,
                     "SELECT COUNT(*) FROM content_reports WHERE reporter_id = $1 AND created_at > "
                     "$2",
                     DB_ARGS(DB_I64(reporter), DB_I64(c->now_ms() - HOUR_MS)), e)) < 0)
        return rc;
    int64_t n = rc == DB_ROW ? db_i64(st, 0) : 0;
    if (rc == DB_ROW)
        db_done(st);
    if (n >= REPORTS_PER_HOUR) {
        rc = err_set(e, ERR_RATE_LIMITED, NULL, "at most %d reports an hour", REPORTS_PER_HOUR);
        err_retry_in(e, HOUR_MS);
        return rc;
    }
    /* the reason may name people: sealed under the reporter's key */
    int64_t id = ids_next();
    sec_key_t dek;
    if ((rc = auth_user_key(c, reporter, &dek, e)) < 0)
        return rc;
    size_t len;
    uint8_t *sealed =
        sec_seal_field(&dek, "content_reports.reason", id, reason, strlen(reason), &len);
    sec_wipe(&dek, sizeof(dek));
    n = db_exec(c->db,
                "INSERT INTO content_reports (id, reporter_id, target, target_id, reason_enc, "
                "status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6) ON CONFLICT "
                "(reporter_id, target, target_id) DO NOTHING",
                DB_ARGS(DB_I64(id), DB_I64(reporter), DB_TEXT(target), DB_I64(target_id),
                        DB_BLOB(sealed, len), DB_I64(c->now_ms())),
                e);
    free(sealed);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(e, ERR_CONFLICT, NULL, "you have reported it already");
    *out = json_pack("{s:o, s:s, s:o, s:s}", "id", ids_json(id), "target", target, "target_id",
                     ids_json(target_id), "status", "open");
    return 0;
}

/* The text of a target, or NULL. */
static json_t *text_of(app_ctx_t *c, const char *target, int64_t id)
{
    db_stmt_t *st;
    err_t e = {0};
    const char *sql = strcmp(target, "review") == 0     ? "SELECT text FROM reviews WHERE id = $1"
                      : strcmp(target, "question") == 0 ? "SELECT text FROM questions WHERE id = $1"
                                                        : "SELECT text FROM answers WHERE id = $1";
    int rc = db_one(c->db, &st, sql, DB_ARGS(DB_I64(id)), &e);
    json_t *out = json_null();
    if (rc == DB_ROW) {
        out = json_string((const char *)db_bytes(st, 0, &(size_t){0}));
        db_done(st);
    }
    err_clear(&e);
    return out;
}

int reports_queue(app_ctx_t *c, const char *status, int limit, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT id, target, target_id, reason_enc, status, created_at, reporter_id "
                      "FROM content_reports WHERE status = $1 ORDER BY created_at, id LIMIT $2",
                      DB_ARGS(DB_TEXT(status), DB_I64(limit)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        int64_t rid = db_i64(st, 0);
        json_t *reason = json_null();
        sec_key_t dek;
        err_t ke = {0};
        size_t len, n;
        const void *sealed = db_bytes(st, 3, &len);
        if (auth_user_key(c, db_i64(st, 6), &dek, &ke) == 0) {
            char *v = sec_open_field(&dek, "content_reports.reason", rid, sealed, len, &n);
            if (v) {
                reason = json_string(v);
                sec_wipe(v, n);
                free(v);
            }
        }
        sec_wipe(&dek, sizeof(dek));
        err_clear(&ke);
        json_array_append_new(items,
                              json_pack("{s:o, s:s, s:o, s:o, s:s, s:I}", "id", ids_json(rid),
                                        "target", (const char *)db_bytes(st, 1, &(size_t){0}),
                                        "target_id", ids_json(db_i64(st, 2)), "reason", reason,
                                        "status", (const char *)db_bytes(st, 4, &(size_t){0}),
                                        "created_at", (json_int_t)db_i64(st, 5)));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *t = json_string_value(json_object_get(it, "target"));
        const char *ts = json_string_value(json_object_get(it, "target_id"));
        int64_t tid = 0;
        ids_parse(ts, strlen(ts), &tid);
        json_object_set_new(it, "text", text_of(c, t, tid));
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int reports_decide(app_ctx_t *c, const staff_session_t *s, int64_t id, bool takedown,
                   const char *reason, err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_one(c->db, &st, "SELECT target, target_id, status FROM content_reports WHERE id = $1",
               DB_ARGS(DB_I64(id)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such report");
    char target[16];
    snprintf(target, sizeof(target), "%s", (const char *)db_bytes(st, 0, &(size_t){0}));
    int64_t tid = db_i64(st, 1);
    bool open = strcmp((const char *)db_bytes(st, 2, &(size_t){0}), "open") == 0;
    db_done(st);
    if (!open)
        return err_set(e, ERR_CONFLICT, NULL, "decided already");
    if (takedown && (!reason || !*reason))
        return err_set(e, ERR_VALIDATION_FAILED, "reason", "the author is told why");
    char actor[80];
    staff_actor(s, actor);
    int64_t author = 0, now = c->now_ms();
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    json_t *detail = json_pack("{s:s, s:o, s:o}", "target", target, "target_id", ids_json(tid),
                               "report_id", ids_json(id));
    audit_entry_t a = {.actor = actor,
                       .action = takedown ? "content.takedown" : "report.dismiss",
                       .categories = "published_content",
                       .reason = reason,
                       .detail = detail};
    /* a takedown decides every open report of its target; a dismissal this one */
    int64_t n = 0;
    if (takedown && ((rc = author_of(c, target, tid, &author, e)) < 0 ||
                     (rc = hide(c, target, tid, reason, e)) < 0))
        goto out;
    a.subject_id = author;
    n = takedown ? db_exec(c->db,
                           "UPDATE content_reports SET status = 'taken_down', decided_by = $3, "
                           "decided_at = $4 WHERE target = $1 AND target_id = $2 AND status = "
                           "'open'",
                           DB_ARGS(DB_TEXT(target), DB_I64(tid), DB_TEXT(actor), DB_I64(now)), e)
                 : db_exec(c->db,
                           "UPDATE content_reports SET status = 'dismissed', decided_by = $2, "
                           "decided_at = $3 WHERE id = $1 AND status = 'open'",
                           DB_ARGS(DB_I64(id), DB_TEXT(actor), DB_I64(now)), e);
    if (n == 0)
        rc = err_set(e, ERR_CONFLICT, NULL, "decided meanwhile");
    if (n >= 0 && rc == 0 && (rc = audit_append(c, &a, e)) == 0)
        rc = db_commit(c->db, e);
out:
    if (n < 0)
        rc = (int)n;
    if (rc < 0)
        db_rollback(c->db);
    json_decref(detail);
    return rc;
}
