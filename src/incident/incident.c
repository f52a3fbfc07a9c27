/* incident.c - records an incident and notifies the accounts it touched. */
#include "incident/incident.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/ids.h"
#include "core/jread.h"
#include "privacy/privacy.h"
#include "stream/stream.h"

#include <string.h>

#define PUSH_TITLE "个人信息安全事件告知"

static int check_text(const char *field, const char *v, err_t *e)
{
    size_t n = v ? jread_utf8_len(v, strlen(v)) : 0;
    if (n == 0 || n > INCIDENT_TEXT_MAX)
        return err_set(e, ERR_VALIDATION_FAILED, field, "1 to %d characters", INCIDENT_TEXT_MAX);
    return 0;
}

static int validate(const incident_t *in, json_t **cats, err_t *e)
{
    int rc;
    if ((rc = check_text("cause", in->cause, e)) < 0 ||
        (rc = check_text("harm", in->harm, e)) < 0 ||
        (rc = check_text("remedies", in->remedies, e)) < 0 ||
        (rc = check_text("actions", in->actions, e)) < 0 ||
        (rc = check_text("contact", in->contact, e)) < 0)
        return rc;
    if (in->ncategories <= 0)
        return err_set(e, ERR_VALIDATION_FAILED, "categories", "name at least one category");
    *cats = json_array();
    for (int i = 0; i < in->ncategories; i++) {
        if (privacy_category_find(in->categories[i]) == NULL) {
            json_decref(*cats);
            return err_set(e, ERR_VALIDATION_FAILED, "categories", "unknown category '%s'",
                           in->categories[i]);
        }
        json_array_append_new(*cats, json_string(in->categories[i]));
    }
    return 0;
}

/* The in-app notice and a push to the user's offline devices. */
static int notify_one(app_ctx_t *c, stream_notify_t *n, int64_t user, int64_t id,
                      const json_t *data, err_t *e)
{
    int rc = stream_add(c, n, user, "incident.notice", 0, id, data, NULL, 0, e);
    return rc < 0 ? rc : auth_push(c, n, user, PUSH_TITLE, NULL, e);
}

static int notify_all(app_ctx_t *c, stream_notify_t *n, const incident_t *in, int64_t id,
                      const json_t *data, int64_t *count, err_t *e)
{
    int rc;
    bool exists;
    for (int i = 0; in->users && i < in->nusers; i++) {
        if ((rc = auth_user_exists(c, in->users[i], &exists, e)) < 0)
            return rc;
        if (!exists)
            return err_set(e, ERR_NOT_FOUND, "users", "no user %lld", (long long)in->users[i]);
        if ((rc = notify_one(c, n, in->users[i], id, data, e)) < 0)
            return rc;
        (*count)++;
    }
    if (in->users)
        return 0;
    /* every account: read the ids first, then write */
    int64_t after = 0;
    for (;;) {
        int64_t batch[256];
        int k = 0;
        if ((rc = auth_user_ids_after(c, after, batch, 256, &k, e)) < 0)
            return rc;
        for (int i = 0; i < k; i++)
            if ((rc = notify_one(c, n, batch[i], id, data, e)) < 0)
                return rc;
        *count += k;
        if (k < 256)
            return 0;
        after = batch[k - 1];
    }
}

static int record(app_ctx_t *c, const incident_t *in, const char *cats, int64_t id, err_t *e)
{
    int64_t rc = db_exec(c->db,
                         "INSERT INTO incidents (id, categories, cause, harm, remedies, "
                         "user_actions, contact, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                         "$8)",
                         DB_ARGS(DB_I64(id), DB_TEXT(cats), DB_TEXT(in->cause), DB_TEXT(in->harm),
                                 DB_TEXT(in->remedies), DB_TEXT(in->actions), DB_TEXT(in->contact),
                                 DB_I64(c->now_ms())),
                         e);
    return rc < 0 ? (int)rc : 0;
}

static int finish(app_ctx_t *c, const char *actor, const char *cats, int64_t id, int64_t count,
                  err_t *e)
{
    int64_t rc = db_exec(c->db, "UPDATE incidents SET notified = $1 WHERE id = $2",
                         DB_ARGS(DB_I64(count), DB_I64(id)), e);
    if (rc < 0)
        return (int)rc;
    char ids[21];
    ids_format(id, ids);
    json_t *d = json_pack("{s:s, s:I}", "incident_id", ids, "notified", (json_int_t)count);
    audit_entry_t a = {
        .actor = actor, .action = "incident.notify", .categories = cats, .detail = d};
    int arc = audit_append(c, &a, e);
    json_decref(d);
    return arc;
}

int incident_notify(app_ctx_t *c, const incident_t *in, const char *actor, int64_t *id,
                    int64_t *notified, err_t *e)
{
    json_t *cats = NULL;
    stream_notify_t n = {0};
    int rc = validate(in, &cats, e);
    if (rc < 0)
        return rc;
    char list[512] = "";
    for (int i = 0; i < in->ncategories; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? " " : "",
                 in->categories[i]);
    *id = ids_next();
    *notified = 0;
    char ids[21];
    ids_format(*id, ids);
    json_t *data =
        json_pack("{s:s, s:O, s:s, s:s, s:s, s:s, s:s, s:I}", "incident_id", ids, "categories",
                  cats, "cause", in->cause, "harm", in->harm, "remedies", in->remedies, "actions",
                  in->actions, "contact", in->contact, "published_at", (json_int_t)c->now_ms());
    json_decref(cats);
    if (data == NULL)
        return err_set(e, ERR_VALIDATION_FAILED, NULL, "texts must be UTF-8");
    if ((rc = db_begin(c->db, e)) < 0)
        goto out;
    if ((rc = record(c, in, list, *id, e)) < 0 ||
        (rc = notify_all(c, &n, in, *id, data, notified, e)) < 0 ||
        (rc = finish(c, actor, list, *id, *notified, e)) < 0) {
        db_rollback(c->db);
        goto out;
    }
    rc = stream_commit(c, &n, e);
out:
    json_decref(data);
    return rc;
}
