/* auth.c - sign-in handlers: decode, call auth_*, encode. */
#include "api/api_int.h"
#include "core/ids.h"
#include "core/jread.h"

int api_auth_sms_code(api_req_t *r)
{
    static const char *const keys[] = {"phone", NULL};
    const char *phone;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "phone", true, 1, 32, &phone, &r->err)) < 0 ||
        (rc = auth_code_send(r->ctx, phone, api_client_ip(r), &r->err)) < 0)
        return rc;
    return api_reply(r, 202, json_pack("{s:i}", "expires_in", r->ctx->app->cfg.otp_ttl));
}

static int read_device(const json_t *body, auth_login_req_t *q, err_t *e)
{
    static const char *const keys[] = {"id", "name", "platform", NULL};
    const json_t *dev;
    int rc;
    if ((rc = jread_obj(body, NULL, "device", true, &dev, e)) < 0 ||
        (rc = jread_keys(dev, "device", keys, e)) < 0 ||
        (rc = jread_str(dev, "device", "id", true, 1, 128, &q->device_id, e)) < 0 ||
        (rc = jread_str(dev, "device", "name", false, 0, 64, &q->device_name, e)) < 0 ||
        (rc = jread_str(dev, "device", "platform", false, 0, 32, &q->device_platform, e)) < 0)
        return rc;
    return 0;
}

int api_auth_login_decode(const json_t *body, auth_login_req_t *q, err_t *e)
{
    static const char *const keys[] = {"phone",  "code", "device", "accept_policy_version",
                                       "cookie", NULL};
    int rc;
    if ((rc = jread_keys(body, NULL, keys, e)) < 0 ||
        (rc = jread_str(body, NULL, "phone", true, 1, 32, &q->phone, e)) < 0 ||
        (rc = jread_str(body, NULL, "code", true, 1, 16, &q->code, e)) < 0 ||
        (rc = read_device(body, q, e)) < 0 ||
        (rc = jread_str(body, NULL, "accept_policy_version", false, 0, 64, &q->accept_version, e)) <
            0)
        return rc;
    return 0;
}

int api_auth_login(api_req_t *r)
{
    auth_login_req_t q = {0};
    auth_login_res_t res = {0};
    json_t *user;
    int rc;
    bool cookie;
    if ((rc = api_auth_login_decode(r->body, &q, &r->err)) < 0 ||
        (rc = jread_bool(r->body, NULL, "cookie", false, &cookie, &r->err)) < 0)
        return rc;
    q.client_ip = api_client_ip(r);
    if ((rc = auth_login(r->ctx, &q, &res, &r->err)) < 0 ||
        (rc = auth_user_view(r->ctx, res.user_id, &user, &r->err)) < 0)
        return rc;
    json_t *out = json_pack("{s:b, s:o}", "new_user", res.new_user, "user", user);
    if (cookie) /* the web client: the token goes where its scripts cannot read it */
        api_cookie_set(r, API_COOKIE_USER, res.token, r->ctx->app->cfg.session_idle_days * 86400);
    else
        json_object_set_new(out, "token", json_string(res.token));
    sec_wipe(res.token, sizeof(res.token));
    return api_reply(r, 200, out);
}

int api_auth_logout(api_req_t *r)
{
    int rc = auth_logout(r->ctx, &r->session, &r->err);
    if (rc < 0)
        return rc;
    api_recheck_user(r);
    if (r->via_cookie)
        api_cookie_set(r, API_COOKIE_USER, NULL, 0);
    return api_reply(r, 204, NULL);
}
