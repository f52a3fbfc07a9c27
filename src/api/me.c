/* me.c - the signed-in user's own profile, devices and consents. */
#include "api/api_int.h"
#include "core/ids.h"
#include "core/jread.h"
#include "privacy/privacy.h"

int api_me_get(api_req_t *r)
{
    json_t *out;
    int rc = auth_user_view(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_me_patch(api_req_t *r)
{
    static const char *const keys[] = {"nickname", "role", NULL};
    const char *nickname, *role;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "nickname", false, 1, 32, &nickname, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "role", false, 1, 16, &role, &r->err)) < 0 ||
        (rc = auth_user_update(r->ctx, r->session.user_id, nickname, role, &r->err)) < 0 ||
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
    return rc < 0 ? rc : api_reply(r, 204, NULL);
}

int api_me_consents(api_req_t *r)
{
    json_t *out;
    int rc = privacy_consent_list(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}
