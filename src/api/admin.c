/* admin.c - the staff API: sign-in, staff list, audit trail, users seen
 * masked or revealed with a reason, bulk exports under four eyes; and the
 * user's own view of staff accesses. Roles are checked by the router (the
 * roles column of routes.c); the domain checks categories and approvals. */
#include "api/api_int.h"
#include "audit/audit.h"
#include "core/jread.h"

#include <string.h>

int api_admin_login(api_req_t *r)
{
    static const char *const keys[] = {"name", "password", "cookie", NULL};
    const char *name, *password;
    char token[SEC_TOKEN_LEN + 1];
    unsigned role;
    bool cookie;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "name", true, 1, 63, &name, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "password", true, 1, 1024, &password, &r->err)) < 0 ||
        (rc = jread_bool(r->body, NULL, "cookie", false, &cookie, &r->err)) < 0 ||
        (rc = staff_login_limited(r->ctx, name, password, api_client_ip(r), token, sizeof(token),
                                  &role, &r->err)) < 0)
        return rc;
    json_t *out = json_pack("{s:s, s:s, s:I}", "name", name, "role", staff_role_name(role),
                            "expires_in", (json_int_t)(STAFF_IDLE_MS / 1000));
    if (cookie) /* the console: a browser-session cookie its scripts cannot read */
        api_cookie_set(r, API_COOKIE_STAFF, token, -1);
    else
        json_object_set_new(out, "token", json_string(token));
    sec_wipe(token, sizeof(token));
    return api_reply(r, 200, out);
}

int api_admin_logout(api_req_t *r)
{
    int rc = staff_logout(r->ctx, &r->staff, &r->err);
    if (rc < 0)
        return rc;
    if (r->via_cookie)
        api_cookie_set(r, API_COOKIE_STAFF, NULL, 0);
    return api_reply(r, 204, NULL);
}

int api_admin_staff(api_req_t *r)
{
    json_t *out;
    int rc = staff_list(r->ctx, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_admin_audit(api_req_t *r)
{
    int64_t after, limit, subject;
    json_t *out;
    int rc;
    if ((rc = api_query_i64(r, "after", 0, 0, INT64_MAX / 2, &after)) < 0 ||
        (rc = api_query_i64(r, "limit", 100, 1, 500, &limit)) < 0 ||
        (rc = api_query_i64(r, "subject_id", 0, 0, INT64_MAX / 2, &subject)) < 0 ||
        (rc = audit_list(r->ctx, subject, after, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_user(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = staff_user_view(r->ctx, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_strings(api_req_t *r, const char *key, int max, const char **out, int *n)
{
    json_t *a = json_object_get(r->body, key), *v;
    size_t i;
    if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > (size_t)max)
        return err_set(&r->err, ERR_VALIDATION_FAILED, key, "%s: an array of 1 to %d strings", key,
                       max);
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 32)
            return err_set(&r->err, ERR_VALIDATION_FAILED, key, "%s: strings of 1 to 32 bytes",
                           key);
        out[i] = json_string_value(v);
    }
    *n = (int)json_array_size(a);
    return 0;
}

int api_admin_user_reveal(api_req_t *r)
{
    static const char *const keys[] = {"categories", "reason", NULL};
    const char *cats[STAFF_MAX_CATEGORIES], *reason;
    int64_t id;
    int n, rc;
    json_t *out;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_strings(r, "categories", STAFF_MAX_CATEGORIES, cats, &n)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", true, 0, STAFF_REASON_MAX, &reason, &r->err)) <
            0 ||
        (rc = staff_user_reveal(r->ctx, &r->staff, id, cats, n, reason, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_export_create(api_req_t *r)
{
    static const char *const keys[] = {"user_ids", "reason", NULL};
    const char *ids[STAFF_EXPORT_MAX_USERS], *reason;
    int64_t users[STAFF_EXPORT_MAX_USERS];
    int n, rc;
    json_t *out;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_strings(r, "user_ids", STAFF_EXPORT_MAX_USERS, ids, &n)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", true, 0, STAFF_REASON_MAX, &reason, &r->err)) < 0)
        return rc;
    for (int i = 0; i < n; i++)
        if (!ids_parse(ids[i], strlen(ids[i]), &users[i]))
            return err_set(&r->err, ERR_VALIDATION_FAILED, "user_ids", "ids are decimal strings");
    if ((rc = staff_export_request(r->ctx, &r->staff, users, n, reason, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 202, out);
}

int api_admin_export_get(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = staff_export_read(r->ctx, &r->staff, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_export_approve(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = staff_export_approve(r->ctx, &r->staff, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_me_access_log(api_req_t *r)
{
    int64_t after, limit;
    json_t *out;
    int rc;
    if ((rc = api_query_i64(r, "after", 0, 0, INT64_MAX / 2, &after)) < 0 ||
        (rc = api_query_i64(r, "limit", 100, 1, 500, &limit)) < 0 ||
        (rc = staff_access_log(r->ctx, r->session.user_id, after, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}
