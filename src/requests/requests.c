/* requests.c - tickets: opening (text sealed under the user's data key,
 * place "requests.text"), the user's list, the staff queue by deadline,
 * answering (sealed "requests.answer"), and the overdue report. */
#include "requests/requests.h"
#include "auth/auth.h"
#include "audit/audit.h"
#include "core/ids.h"
#include "core/jread.h"
#include "sec/sec.h"
#include "stream/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const types[] = {"access", "correction", "deletion", "complaint", "other", NULL};

static bool one_of(const char *v, const char *const *set)
{
    for (; v && *set; set++)
        if (strcmp(v, *set) == 0)
            return true;
    return false;
}

static json_t *open_text(const sec_key_t *dek, const char *place, int64_t id, db_stmt_t *st,
                         int col)
{
    size_t len, n;
    const void *sealed = db_bytes(st, col, &len);
    char *v = sealed && dek ? sec_open_field(dek, place, id, sealed, len, &n) : NULL;
    if (v == NULL)
        return json_null();
    json_t *out = json_string(v);
    sec_wipe(v, n);
    free(v);
    return out;
}

static json_t *complain_to(void)
{
    return json_pack("{s:s, s:s}", "name", REQUESTS_COMPLAIN_NAME, "url", REQUESTS_COMPLAIN_URL);
}

/* SQL stays a literal: statements are cached by the address of their text */
#define TICKET_COLUMNS                                                                             \
    "SELECT id, type, status, created_at, due_at, answered_at, reason_enc, text_enc, answer_enc "  \
    "FROM requests "

/* A row of TICKET_COLUMNS as the user sees it. */
static json_t *ticket_json(const sec_key_t *dek, db_stmt_t *st)
{
    int64_t id = db_i64(st, 0);
    size_t tl, sl;
    const char *type = db_bytes(st, 1, &tl), *status = db_bytes(st, 2, &sl);
    json_t *out = json_pack(
        "{s:o, s:s%, s:s%, s:o, s:I, s:I, s:o, s:o, s:o}", "id", ids_json(id), "type", type, tl,
        "status", status, sl, "text", open_text(dek, "requests.text", id, st, 7), "created_at",
        (json_int_t)db_i64(st, 3), "due_at", (json_int_t)db_i64(st, 4), "answered_at",
        db_is_null(st, 5) ? json_null() : json_integer(db_i64(st, 5)), "answer",
        open_text(dek, "requests.answer", id, st, 8), "reason",
        open_text(dek, "requests.reason", id, st, 6));
    if (sl == 7 && memcmp(status, "refused", 7) == 0)
        json_object_set_new(out, "complain_to", complain_to());
    return out;
}

/* Ticket id as its user sees it. */
static int ticket(app_ctx_t *c, const sec_key_t *dek, int64_t id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, TICKET_COLUMNS "WHERE id = $1", DB_ARGS(DB_I64(id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such request");
    *out = ticket_json(dek, st);
    db_done(st);
    return 0;
}

int requests_create(app_ctx_t *c, int64_t user_id, const char *type, const char *text, json_t **out,
                    err_t *e)
{
    if (!one_of(type, types))
        return err_set(e, ERR_VALIDATION_FAILED, "type",
                       "access, correction, deletion, complaint or other");
    size_t n = text ? jread_utf8_len(text, strlen(text)) : 0;
    if (n < 1 || n > REQUESTS_TEXT_MAX)
        return err_set(e, ERR_VALIDATION_FAILED, "text", "1 to %d characters", REQUESTS_TEXT_MAX);
    sec_key_t dek;
    int rc = auth_user_key(c, user_id, &dek, e);
    if (rc < 0)
        return rc;
    int64_t id = ids_next(), now = c->now_ms();
    size_t len;
    uint8_t *sealed = sec_seal_field(&dek, "requests.text", id, text, strlen(text), &len);
    int64_t n2 = db_exec(c->db,
                         "INSERT INTO requests (id, user_id, type, text_enc, status, created_at, "
                         "due_at) VALUES ($1, $2, $3, $4, 'open', $5, $6)",
                         DB_ARGS(DB_I64(id), DB_I64(user_id), DB_TEXT(type), DB_BLOB(sealed, len),
                                 DB_I64(now), DB_I64(now + REQUESTS_DUE_DAYS * REQUESTS_DAY_MS)),
                         e);
    free(sealed);
    rc = n2 < 0 ? (int)n2 : ticket(c, &dek, id, out, e);
    sec_wipe(&dek, sizeof(dek));
    return rc;
}

int requests_mine(app_ctx_t *c, int64_t user_id, int limit, json_t **out, err_t *e)
{
    sec_key_t dek;
    int rc = auth_user_key(c, user_id, &dek, e);
    if (rc < 0)
        return rc;
    db_stmt_t *st;
    json_t *items = json_array();
    if ((rc = db_query(c->db, &st,
                       TICKET_COLUMNS "WHERE user_id = $1 ORDER BY created_at DESC, id DESC "
                                      "LIMIT $2",
                       DB_ARGS(DB_I64(user_id), DB_I64(limit)), e)) >= 0)
        while ((rc = db_step(st, e)) == DB_ROW)
            json_array_append_new(items, ticket_json(&dek, st));
    sec_wipe(&dek, sizeof(dek));
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

static int64_t days_late(int64_t now, int64_t due)
{
    return now > due ? (now - due) / REQUESTS_DAY_MS : 0;
}

/* Open tickets by due time (so the overdue come first); only_late keeps
 * those past due at now. */
static int queue(app_ctx_t *c, int64_t now, int limit, bool only_late, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT id, user_id, type, created_at, due_at FROM requests "
                      "WHERE status = 'open' AND ($1 = 0 OR due_at < $2) "
                      "ORDER BY due_at, id LIMIT $3",
                      DB_ARGS(DB_I64(only_late), DB_I64(now), DB_I64(limit)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        size_t tl;
        const char *type = db_bytes(st, 2, &tl);
        int64_t due = db_i64(st, 4);
        json_array_append_new(
            items,
            json_pack("{s:o, s:o, s:s%, s:s, s:I, s:I, s:b, s:I}", "id", ids_json(db_i64(st, 0)),
                      "user_id", db_is_null(st, 1) ? json_null() : ids_json(db_i64(st, 1)), "type",
                      type, tl, "status", "open", "created_at", (json_int_t)db_i64(st, 3), "due_at",
                      (json_int_t)due, "overdue", now > due, "days_late",
                      (json_int_t)days_late(now, due)));
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int requests_open(app_ctx_t *c, int64_t now, int limit, json_t **out, err_t *e)
{
    return queue(c, now, limit, false, out, e);
}

int requests_overdue(app_ctx_t *c, int64_t now, json_t **out, err_t *e)
{
    return queue(c, now, 100000, true, out, e);
}

/* The owner of ticket id and whether it is open. */
static int owner(app_ctx_t *c, int64_t id, int64_t *user, bool *open, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT user_id, status FROM requests WHERE id = $1",
                    DB_ARGS(DB_I64(id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such request");
    size_t sl;
    const char *status = db_bytes(st, 1, &sl);
    *user = db_is_null(st, 0) ? 0 : db_i64(st, 0);
    *open = sl == 4 && memcmp(status, "open", 4) == 0;
    db_done(st);
    return 0;
}

static int audit_staff(app_ctx_t *c, const staff_session_t *s, const char *action, int64_t user,
                       int64_t id, const char *reason, const char *status, err_t *e)
{
    char actor[80];
    staff_actor(s, actor);
    json_t *d =
        json_pack("{s:o, s:s}", "request_id", ids_json(id), "role", staff_role_name(s->role));
    if (status)
        json_object_set_new(d, "status", json_string(status));
    audit_entry_t a = {.actor = actor,
                       .action = action,
                       .subject_id = user,
                       .categories = "support_records",
                       .reason = reason,
                       .detail = d};
    int rc = audit_append(c, &a, e);
    json_decref(d);
    return rc;
}

int requests_read(app_ctx_t *c, const staff_session_t *s, int64_t id, json_t **out, err_t *e)
{
    int64_t user = 0;
    bool open;
    sec_key_t dek;
    json_t *t = NULL;
    int rc = db_begin(c->db, e);
    if (rc < 0 || (rc = owner(c, id, &user, &open, e)) < 0 ||
        (rc = auth_user_key(c, user, &dek, e)) < 0)
        goto out_rollback;
    rc = ticket(c, &dek, id, &t, e);
    sec_wipe(&dek, sizeof(dek));
    if (rc < 0 ||
        (rc = audit_staff(c, s, "request.read", user, id, "to answer the request", NULL, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0)
        goto out_rollback;
    json_object_set_new(t, "user_id", ids_json(user));
    *out = t;
    return 0;
out_rollback:
    db_rollback(c->db);
    json_decref(t);
    return rc;
}

static int check_answer(const requests_answer_t *a, err_t *e)
{
    static const char *const statuses[] = {"done", "refused", NULL};
    if (!one_of(a->status, statuses))
        return err_set(e, ERR_VALIDATION_FAILED, "status", "done or refused");
    size_t n = a->answer ? jread_utf8_len(a->answer, strlen(a->answer)) : 0;
    if (n < 1 || n > REQUESTS_TEXT_MAX)
        return err_set(e, ERR_VALIDATION_FAILED, "answer", "1 to %d characters", REQUESTS_TEXT_MAX);
    if ((a->reason || strcmp(a->status, "refused") == 0))
        return staff_reason_check(a->reason, e);
    return 0;
}

int requests_answer(app_ctx_t *c, const staff_session_t *s, int64_t id, const requests_answer_t *a,
                    json_t **out, err_t *e)
{
    int64_t user = 0, now = c->now_ms();
    bool open;
    sec_key_t dek;
    stream_notify_t n = {0};
    int rc = check_answer(a, e);
    if (rc < 0 || (rc = db_begin(c->db, e)) < 0)
        return rc;
    if ((rc = owner(c, id, &user, &open, e)) < 0)
        goto out_rollback;
    if (!open) {
        rc = err_set(e, ERR_CONFLICT, NULL, "this request is answered already");
        goto out_rollback;
    }
    if ((rc = auth_user_key(c, user, &dek, e)) < 0)
        goto out_rollback;
    size_t len;
    uint8_t *sealed =
        sec_seal_field(&dek, "requests.answer", id, a->answer, strlen(a->answer), &len);
    /* the refusal's reason may name personal data: sealed like the answer,
     * and not copied into the audit trail (which outlives the account) */
    size_t rlen = 0;
    uint8_t *rsealed =
        a->reason ? sec_seal_field(&dek, "requests.reason", id, a->reason, strlen(a->reason), &rlen)
                  : NULL;
    json_t *data = json_pack("{s:o, s:s}", "request_id", ids_json(id), "status", a->status);
    rc = (int)db_exec(c->db,
                      "UPDATE requests SET status = $1, answered_at = $2, answered_by = $3, "
                      "answer_enc = $4, reason_enc = $5 WHERE id = $6 AND status = 'open'",
                      DB_ARGS(DB_TEXT(a->status), DB_I64(now), DB_I64(s->staff_id),
                              DB_BLOB(sealed, len), rsealed ? DB_BLOB(rsealed, rlen) : DB_NULL,
                              DB_I64(id)),
                      e);
    free(sealed);
    free(rsealed);
    if (rc >= 0)
        rc = audit_staff(c, s, "request.answer", user, id, NULL, a->status, e);
    if (rc >= 0)
        rc = stream_add(c, &n, user, "request.answered", 0, id, data, NULL, 0, e);
    json_decref(data);
    if (rc >= 0)
        rc = ticket(c, &dek, id, out, e);
    sec_wipe(&dek, sizeof(dek));
    if (rc < 0)
        goto out_rollback;
    if ((rc = stream_commit(c, &n, e)) < 0) {
        json_decref(*out);
        return rc;
    }
    return 0;
out_rollback:
    db_rollback(c->db);
    return rc;
}
