/* rights.c - the user's rights (七): the identity-check code, export and
 * cancellation. Each acts on the signed-in account only; the code is sent
 * to its own phone, never to one the client names. */
#include "api/api_int.h"
#include "core/jread.h"
#include "rights/rights.h"

/* {"code"}: absent leaves *code NULL (the domain answers
 * verification_required); present, it must be a short string. */
static int read_code(api_req_t *r, const char **code)
{
    static const char *const keys[] = {"code", NULL};
    int rc = jread_keys(r->body, NULL, keys, &r->err);
    return rc < 0 ? rc : jread_str(r->body, NULL, "code", false, 0, 16, code, &r->err);
}

int api_me_sms_code(api_req_t *r)
{
    static const char *const none[] = {NULL};
    int rc;
    if ((rc = jread_keys(r->body, NULL, none, &r->err)) < 0 ||
        (rc = auth_step_up_send(r->ctx, r->session.user_id, api_client_ip(r), &r->err)) < 0)
        return rc;
    return api_reply(r, 202, json_pack("{s:i}", "expires_in", r->ctx->app->cfg.otp_ttl));
}

int api_me_export(api_req_t *r)
{
    const char *code;
    json_t *out;
    int rc;
    if ((rc = read_code(r, &code)) < 0 ||
        (rc = rights_export(r->ctx, r->session.user_id, code, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_me_cancel(api_req_t *r)
{
    const char *code;
    json_t *out;
    int rc;
    if ((rc = read_code(r, &code)) < 0 ||
        (rc = rights_cancel(r->ctx, r->session.user_id, code, &out, &r->err)) < 0)
        return rc;
    api_recheck_user(r);
    return api_reply(r, 200, out);
}

int api_me_policy_withdraw(api_req_t *r)
{
    const char *code;
    int rc;
    if ((rc = read_code(r, &code)) < 0 ||
        (rc = rights_policy_withdraw(r->ctx, r->session.user_id, r->session.device_id, code,
                                     &r->err)) < 0)
        return rc;
    api_recheck_user(r);
    return api_reply(r, 204, NULL);
}
