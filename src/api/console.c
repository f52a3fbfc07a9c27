/* console.c - what the staff console needs beyond the staff API of
 * admin.c: who is signed in, staff accounts (admin), the audit trail's
 * verification (auditor), the list of bulk exports, incident notices
 * (admin) and finding an account by phone with a stated reason. Roles are
 * the router's (routes.c); every change here is audited by its domain. */
#include "api/api_int.h"
#include "audit/audit.h"
#include "core/jread.h"
#include "incident/incident.h"

#include <string.h>

int api_admin_me(api_req_t *r)
{
    return api_reply(r, 200,
                     json_pack("{s:s, s:s, s:o}", "name", r->staff.name, "role",
                               staff_role_name(r->staff.role), "may_reveal",
                               staff_revealable(r->staff.role)));
}

int api_admin_staff_add(api_req_t *r)
{
    static const char *const keys[] = {"name", "role", "password", NULL};
    const char *name, *role, *password;
    char actor[80];
    int64_t id;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "name", true, 1, 63, &name, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "role", true, 1, 16, &role, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "password", true, 0, 1024, &password, &r->err)) < 0)
        return rc;
    staff_actor(&r->staff, actor);
    if ((rc = staff_add(r->ctx, actor, name, role, password, &id, &r->err)) < 0)
        return rc;
    char ids[21];
    ids_format(id, ids);
    return api_reply(r, 201, json_pack("{s:s, s:s, s:s}", "id", ids, "name", name, "role", role));
}

int api_admin_staff_disable(api_req_t *r)
{
    char name[64], actor[80];
    if (r->params[0].len == 0 || r->params[0].len >= sizeof(name))
        return err_set(&r->err, ERR_NOT_FOUND, NULL, "no such staff member");
    memcpy(name, r->params[0].p, r->params[0].len);
    name[r->params[0].len] = '\0';
    if (strcmp(name, r->staff.name) == 0) /* nobody locks themselves (or the last admin) out */
        return err_set(&r->err, ERR_CONFLICT, NULL, "you cannot disable yourself");
    staff_actor(&r->staff, actor);
    int rc = staff_disable(r->ctx, actor, name, &r->err);
    return rc < 0 ? rc : api_reply(r, 204, NULL);
}

int api_admin_audit_verify(api_req_t *r)
{
    int64_t bad, count;
    char head[65];
    int rc = audit_verify(r->ctx, &bad, &count, head, &r->err);
    if (rc < 0)
        return rc;
    return api_reply(r, 200,
                     json_pack("{s:b, s:I, s:o, s:s}", "intact", bad == 0, "checked",
                               (json_int_t)count, "broken_at",
                               bad ? json_integer(bad) : json_null(), "head", head));
}

int api_admin_exports(api_req_t *r)
{
    json_t *out;
    int rc = staff_export_list(r->ctx, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_admin_user_lookup(api_req_t *r)
{
    static const char *const keys[] = {"phone", "reason", NULL};
    const char *phone, *reason;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "phone", true, 1, 32, &phone, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", true, 0, STAFF_REASON_MAX, &reason, &r->err)) <
            0 ||
        (rc = staff_user_lookup(r->ctx, &r->staff, phone, reason, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

#define MAX_INCIDENT_USERS 1000

/* "users": "all" or an array of ids. */
static int incident_users(api_req_t *r, int64_t *ids, int *n, bool *all)
{
    json_t *u = json_object_get(r->body, "users"), *v;
    size_t i;
    *n = 0;
    *all = u == NULL || (json_is_string(u) && strcmp(json_string_value(u), "all") == 0);
    if (*all)
        return 0;
    if (!json_is_array(u) || json_array_size(u) < 1 || json_array_size(u) > MAX_INCIDENT_USERS)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "users", "\"all\" or 1 to 1000 user ids");
    json_array_foreach(u, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || !ids_parse(s, strlen(s), &ids[i]))
            return err_set(&r->err, ERR_VALIDATION_FAILED, "users", "ids are decimal strings");
    }
    *n = (int)json_array_size(u);
    return 0;
}

int api_admin_incident_create(api_req_t *r)
{
    static const char *const keys[] = {"categories", "cause",   "harm",  "remedies",
                                       "actions",    "contact", "users", NULL};
    static const char *const texts[] = {"cause", "harm", "remedies", "actions", "contact"};
    const char *cats[32], *t[5];
    static __thread int64_t ids[MAX_INCIDENT_USERS];
    int ncats, nusers, rc;
    bool all;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_strings(r, "categories", 32, cats, &ncats)) < 0)
        return rc;
    for (int i = 0; i < 5; i++)
        if ((rc = jread_text(r->body, NULL, texts[i], true, 1, INCIDENT_TEXT_MAX, &t[i], &r->err)) <
            0)
            return rc;
    if ((rc = incident_users(r, ids, &nusers, &all)) < 0)
        return rc;
    incident_t in = {.categories = cats,
                     .ncategories = ncats,
                     .cause = t[0],
                     .harm = t[1],
                     .remedies = t[2],
                     .actions = t[3],
                     .contact = t[4],
                     .users = all ? NULL : ids,
                     .nusers = nusers};
    char actor[80];
    int64_t id, notified;
    staff_actor(&r->staff, actor);
    if ((rc = incident_notify(r->ctx, &in, actor, &id, &notified, &r->err)) < 0)
        return rc;
    char s[21];
    ids_format(id, s);
    return api_reply(r, 201, json_pack("{s:s, s:I}", "id", s, "notified", (json_int_t)notified));
}
