/* me.c - the signed-in user's own profile, devices and consents. */
#include "api/api_int.h"
#include "core/ids.h"
#include "core/jread.h"
#include "privacy/privacy.h"

#include <stdio.h>
#include <string.h>

int api_me_get(api_req_t *r)
{
    json_t *out, *notice;
    int rc = auth_user_view(r->ctx, r->session.user_id, &out, &r->err);
    if (rc < 0)
        return rc;
    /* "policy_notice" when a newer policy than the one accepted exists (九);
     * a material one also gates the business routes */
    if ((rc = privacy_policy_notice(r->ctx, r->session.policy_version, &notice, &r->err)) < 0) {
        json_decref(out);
        return rc;
    }
    if (json_is_null(notice))
        json_decref(notice);
    else
        json_object_set_new(out, "policy_notice", notice);
    return api_reply(r, 200, out);
}

/* "avatar_media_id": an id string, or null to remove the picture. */
static int read_avatar(api_req_t *r, int64_t *avatar)
{
    json_t *v = json_object_get(r->body, "avatar_media_id");
    *avatar = -1;
    if (v == NULL)
        return 0;
    if (json_is_null(v)) {
        *avatar = 0;
        return 0;
    }
    const char *s = json_string_value(v);
    if (s == NULL || !ids_parse(s, strlen(s), avatar))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "avatar_media_id", "an id string or null");
    return 0;
}

int api_me_patch(api_req_t *r)
{
    static const char *const keys[] = {"nickname", "role", "push_preview", "avatar_media_id", NULL};
    auth_profile_t p = {.push_preview = -1, .avatar = -1};
    json_t *out, *preview = json_object_get(r->body, "push_preview");
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "nickname", false, 1, 32, &p.nickname, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "role", false, 1, 16, &p.role, &r->err)) < 0 ||
        (rc = read_avatar(r, &p.avatar)) < 0)
        return rc;
    if (preview && !json_is_boolean(preview))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "push_preview", "true or false");
    if (preview)
        p.push_preview = json_is_true(preview);
    if ((rc = auth_profile_update(r->ctx, r->session.user_id, &p, &r->err)) < 0 ||
        (rc = auth_user_view(r->ctx, r->session.user_id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_me_devices(api_req_t *r)
{
    json_t *out;
    int rc = auth_devices_view(r->ctx, &r->session, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_me_device_delete(api_req_t *r)
{
    int64_t id;
    if (!ids_parse(r->params[0].p, r->params[0].len, &id))
        return err_set(&r->err, ERR_NOT_FOUND, NULL, "no such device");
    int rc = auth_device_remove(r->ctx, r->session.user_id, id, &r->err);
    if (rc < 0)
        return rc;
    api_recheck_user(r);
    return api_reply(r, 204, NULL);
}

int api_me_consents(api_req_t *r)
{
    json_t *out;
    int rc = privacy_consent_list(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

static int scope_param(api_req_t *r, char *scope, size_t len)
{
    if (r->params[0].len == 0 || r->params[0].len >= len)
        return err_set(&r->err, ERR_NOT_FOUND, NULL, "no such consent scope");
    snprintf(scope, len, "%.*s", (int)r->params[0].len, r->params[0].p);
    return 0;
}

int api_me_consent_put(api_req_t *r)
{
    static const char *const keys[] = {"version", NULL};
    char scope[32];
    const char *version;
    json_t *out;
    int rc;
    if ((rc = scope_param(r, scope, sizeof(scope))) < 0 ||
        (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "version", true, 1, 64, &version, &r->err)) < 0 ||
        (rc = privacy_consent_set(r->ctx, r->session.user_id, scope, version, true,
                                  r->session.device_id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_me_consent_delete(api_req_t *r)
{
    static const char *const none[] = {NULL};
    char scope[32];
    int rc;
    if ((rc = scope_param(r, scope, sizeof(scope))) < 0)
        return rc;
    if (strcmp(scope, "policy") == 0)
        return api_me_policy_withdraw(r);
    if ((rc = jread_keys(r->body, NULL, none, &r->err)) < 0 ||
        (rc = privacy_consent_set(r->ctx, r->session.user_id, scope, NULL, false,
                                  r->session.device_id, NULL, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_me_device_push_put(api_req_t *r)
{
    static const char *const keys[] = {"vendor", "token", NULL};
    const char *vendor, *token;
    int64_t id;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "vendor", true, 1, 16, &vendor, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "token", true, 1, 512, &token, &r->err)) < 0 ||
        (rc = auth_device_push(r->ctx, r->session.user_id, id, vendor, token, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_me_device_push_delete(api_req_t *r)
{
    int64_t id;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = auth_device_push(r->ctx, r->session.user_id, id, NULL, NULL, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}
