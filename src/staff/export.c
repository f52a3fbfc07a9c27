/* export.c - bulk exports of several users' data under four eyes: the
 * request (support or admin, with a reason) waits in `approvals` until a
 * different admin approves it; then only the requester may read it, and
 * each user's data read is audited like a reveal. */
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/ids.h"
#include "staff/staff_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const export_cats[] = {"phone", "nickname"};
#define NEXPORT_CATS 2

static int user_exists(app_ctx_t *c, int64_t id, err_t *e)
{
    bool exists;
    int rc = auth_user_exists(c, id, &exists, e);
    return rc < 0 ? rc : exists ? DB_ROW : DB_DONE;
}

static int check_users(app_ctx_t *c, const int64_t *users, int n, err_t *e)
{
    if (n < 1 || n > STAFF_EXPORT_MAX_USERS)
        return err_set(e, ERR_VALIDATION_FAILED, "user_ids", "1 to %d users",
                       STAFF_EXPORT_MAX_USERS);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++)
            if (users[i] == users[j])
                return err_set(e, ERR_VALIDATION_FAILED, "user_ids", "a user is repeated");
        int rc = user_exists(c, users[i], e);
        if (rc < 0)
            return rc;
        if (rc == DB_DONE)
            return err_set(e, ERR_VALIDATION_FAILED, "user_ids", "no such user");
    }
    return 0;
}

static int audit_export(app_ctx_t *c, const staff_session_t *s, const char *action, int64_t id,
                        const char *reason, err_t *e)
{
    char actor[80];
    staff_actor(s, actor);
    json_t *d =
        json_pack("{s:o, s:s}", "export_id", ids_json(id), "role", staff_role_name(s->role));
    audit_entry_t a = {.actor = actor, .action = action, .reason = reason, .detail = d};
    int rc = audit_append(c, &a, e);
    json_decref(d);
    return rc;
}

int staff_export_request(app_ctx_t *c, const staff_session_t *s, const int64_t *users, int n,
                         const char *reason, json_t **out, err_t *e)
{
    int rc;
    if ((rc = staff_reason_check(reason, e)) < 0 ||
        (rc = staff_may_reveal(s->role, export_cats, NEXPORT_CATS, e)) < 0 ||
        (rc = check_users(c, users, n, e)) < 0)
        return rc;
    json_t *ids = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(ids, ids_json(users[i]));
    json_t *detail = json_pack("{s:O, s:s}", "user_ids", ids, "reason", reason);
    char *text = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    int64_t id = ids_next(), now = c->now_ms();
    if ((rc = db_begin(c->db, e)) < 0 ||
        (rc = (int)db_exec(c->db,
                           "INSERT INTO approvals (id, kind, detail, requested_by, created_at) "
                           "VALUES ($1, 'bulk_export', $2, $3, $4)",
                           DB_ARGS(DB_I64(id), DB_TEXT(text), DB_I64(s->staff_id), DB_I64(now)),
                           e)) < 0 ||
        (rc = audit_export(c, s, "export.request", id, reason, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        json_decref(ids);
        free(text);
        return rc;
    }
    free(text);
    *out = json_pack("{s:o, s:s, s:o, s:s, s:I}", "id", ids_json(id), "status", "pending",
                     "user_ids", ids, "reason", reason, "created_at", (json_int_t)now);
    return 0;
}

typedef struct approval {
    int64_t requested_by, approved_by;
    bool read;      /* an approval is good for one read */
    json_t *detail; /* owned */
} approval_t;

static int load(app_ctx_t *c, int64_t id, approval_t *a, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT requested_by, approved_by, detail, read_at FROM approvals "
                    "WHERE id = $1 AND kind = 'bulk_export'",
                    DB_ARGS(DB_I64(id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such export");
    size_t dl;
    const char *d = db_bytes(st, 2, &dl);
    a->requested_by = db_i64(st, 0);
    a->approved_by = db_is_null(st, 1) ? 0 : db_i64(st, 1);
    a->read = !db_is_null(st, 3);
    a->detail = d ? json_loadb(d, dl, 0, NULL) : NULL;
    db_done(st);
    if (!json_is_array(json_object_get(a->detail, "user_ids"))) {
        json_decref(a->detail);
        a->detail = NULL;
        return err_internal(e, "export %lld: bad detail", (long long)id);
    }
    return 0;
}

int staff_export_approve(app_ctx_t *c, const staff_session_t *s, int64_t id, json_t **out, err_t *e)
{
    approval_t a;
    int rc = db_begin(c->db, e);
    if (rc < 0 || (rc = load(c, id, &a, e)) < 0)
        goto out_rollback;
    if (a.requested_by == s->staff_id)
        rc = err_set(e, ERR_FORBIDDEN, NULL, "another staff member must approve your request");
    else if (a.approved_by)
        rc = err_set(e, ERR_CONFLICT, NULL, "already approved");
    json_decref(a.detail);
    if (rc < 0 ||
        (rc = (int)db_exec(c->db,
                           "UPDATE approvals SET approved_by = $1, decided_at = $2 WHERE id = $3",
                           DB_ARGS(DB_I64(s->staff_id), DB_I64(c->now_ms()), DB_I64(id)), e)) < 0 ||
        (rc = audit_export(c, s, "export.approve", id, NULL, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0)
        goto out_rollback;
    *out = json_pack("{s:o, s:s}", "id", ids_json(id), "status", "approved");
    return 0;
out_rollback:
    db_rollback(c->db);
    return rc;
}

/* One user's row of the export, with its read audited; NULL when the
 * user is gone since the request. */
static int export_user(app_ctx_t *c, const staff_session_t *s, int64_t export_id, int64_t user,
                       const char *reason, json_t *users, json_t *missing, err_t *e)
{
    json_t *row = json_pack("{s:o}", "id", ids_json(user));
    int rc = staff_user_fields(c, user, export_cats, NEXPORT_CATS, row, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        json_decref(row);
        json_array_append_new(missing, ids_json(user));
        return 0;
    }
    json_t *more = json_pack("{s:o}", "export_id", ids_json(export_id));
    if (rc >= 0)
        rc = staff_audit_read(c, s, user, export_cats, NEXPORT_CATS, reason, more, e);
    json_decref(more);
    if (rc < 0) {
        json_decref(row);
        return rc;
    }
    json_array_append_new(users, row);
    return 0;
}

int staff_export_read(app_ctx_t *c, const staff_session_t *s, int64_t id, json_t **out, err_t *e)
{
    approval_t a = {0};
    json_t *users = json_array(), *missing = json_array(), *v;
    int rc = db_begin(c->db, e);
    if (rc < 0 || (rc = load(c, id, &a, e)) < 0)
        goto out_rollback;
    if (a.requested_by != s->staff_id)
        rc = err_set(e, ERR_FORBIDDEN, NULL, "only the requester may read an export");
    else if (a.approved_by == 0)
        rc = err_set(e, ERR_CONFLICT, NULL, "waiting for a second staff member's approval");
    else if (a.read)
        rc = err_set(e, ERR_CONFLICT, NULL, "already read once; ask for a new approval");
    if (rc >= 0)
        rc = (int)db_exec(c->db, "UPDATE approvals SET read_at = $1 WHERE id = $2",
                          DB_ARGS(DB_I64(c->now_ms()), DB_I64(id)), e);
    const char *reason = json_string_value(json_object_get(a.detail, "reason"));
    size_t i;
    json_array_foreach(json_object_get(a.detail, "user_ids"), i, v)
    {
        int64_t user;
        const char *sv = json_string_value(v);
        if (rc >= 0 && sv && ids_parse(sv, strlen(sv), &user))
            rc = export_user(c, s, id, user, reason, users, missing, e);
    }
    if (rc < 0 || (rc = db_commit(c->db, e)) < 0)
        goto out_rollback;
    json_decref(a.detail);
    *out = json_pack("{s:o, s:s, s:o, s:o}", "id", ids_json(id), "status", "approved", "users",
                     users, "missing", missing);
    return 0;
out_rollback:
    db_rollback(c->db);
    json_decref(a.detail);
    json_decref(users);
    json_decref(missing);
    return rc;
}

int staff_export_list(app_ctx_t *c, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT a.id, a.detail, r.name, p.name, a.created_at, a.decided_at, "
                      "a.read_at FROM approvals a JOIN staff r ON r.id = a.requested_by "
                      "LEFT JOIN staff p ON p.id = a.approved_by WHERE a.kind = 'bulk_export' "
                      "ORDER BY a.created_at DESC LIMIT 200",
                      DB_NOARGS, e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        size_t dl, rl, pl;
        const char *d = db_bytes(st, 1, &dl), *req = db_bytes(st, 2, &rl),
                   *by = db_bytes(st, 3, &pl);
        json_t *detail = d ? json_loadb(d, dl, 0, NULL) : NULL;
        const char *status = !db_is_null(st, 6) ? "read" : by ? "approved" : "pending";
        json_t *it = json_pack(
            "{s:o, s:s, s:s%, s:o, s:I, s:O, s:O}", "id", ids_json(db_i64(st, 0)), "status", status,
            "requested_by", req, rl, "approved_by", by ? json_stringn(by, pl) : json_null(),
            "created_at", (json_int_t)db_i64(st, 4), "user_ids",
            json_object_get(detail, "user_ids") ? json_object_get(detail, "user_ids") : json_null(),
            "reason",
            json_object_get(detail, "reason") ? json_object_get(detail, "reason") : json_null());
        json_object_set_new(it, "decided_at",
                            db_is_null(st, 5) ? json_null() : json_integer(db_i64(st, 5)));
        json_array_append_new(items, it);
        json_decref(detail);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}
