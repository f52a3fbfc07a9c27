/* privacy.c - the published policy and its archive. Documents are sent
 * exactly as stored when published. */
#include "api/api_int.h"
#include "privacy/privacy.h"

#include <string.h>

static int send_doc(api_req_t *r, const char *version)
{
    int rc = privacy_policy_doc(r->ctx, version, &r->raw_owned, &r->raw_len, &r->err);
    if (rc < 0)
        return rc;
    r->status = 200;
    r->raw = r->raw_owned;
    r->raw_type = "application/json; charset=utf-8";
    return 0;
}

int api_policy_current(api_req_t *r)
{
    return send_doc(r, NULL);
}

int api_policy_version(api_req_t *r)
{
    char v[17];
    const api_slice_t *p = &r->params[0];
    if (p->len != 16 || strspn(p->p, "0123456789abcdef") < 16)
        return err_set(&r->err, ERR_NOT_FOUND, NULL, "no such policy version");
    memcpy(v, p->p, 16);
    v[16] = '\0';
    return send_doc(r, v);
}

int api_policy_versions(api_req_t *r)
{
    json_t *out;
    int rc = privacy_policy_versions(r->ctx, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}
