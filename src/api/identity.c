/* identity.c - identity verification (F2, 三.一.2): start one by face
 * photo or bank card, confirm the card's code, read the result. */
#include "api/api_int.h"
#include "core/jread.h"
#include "identity/identity.h"
#include "rights/rights.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int api_body_base64(api_req_t *r, const char *key, size_t max, uint8_t **out, size_t *len)
{
    const json_t *v = json_object_get(r->body, key);
    *out = NULL;
    *len = 0;
    if (!v)
        return 0;
    const char *b64 = json_string_value(v);
    if (!b64)
        return err_set(&r->err, ERR_VALIDATION_FAILED, key, "base64 of a JPEG or PNG");
    size_t cap = strlen(b64) / 4 * 3 + 3;
    if (cap > max + 3)
        return err_set(&r->err, ERR_PAYLOAD_TOO_LARGE, key, "at most %zu KiB", max / 1024);
    if (!(*out = malloc(cap)))
        abort();
    if (sodium_base642bin(*out, cap, b64, strlen(b64), " \r\n", len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(*out);
        *out = NULL;
        return err_set(&r->err, ERR_VALIDATION_FAILED, key, "base64 of a JPEG or PNG");
    }
    return 0;
}

void api_body_base64_free(uint8_t *p, size_t len)
{
    if (p) {
        sodium_memzero(p, len);
        free(p);
    }
}

int api_me_identity_post(api_req_t *r)
{
    static const char *const keys[] = {"method",    "name",           "id_number", "face_photo",
                                       "bank_card", "reserved_phone", NULL};
    identity_submit_t in = {.client_ip = api_client_ip(r)};
    uint8_t *img = NULL;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "method", true, 1, 16, &in.method, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "name", true, 1, 30, &in.name, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "id_number", true, 1, 18, &in.id_number, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "bank_card", false, 1, 19, &in.bank_card, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "reserved_phone", false, 1, 16, &in.reserved_phone,
                        &r->err)) < 0)
        return rc;
    if ((rc = api_body_base64(r, "face_photo", IDENTITY_PHOTO_MAX, &img, &in.photo_len)) < 0)
        return rc;
    in.photo = img;
    rc = identity_submit(r->ctx, r->session.user_id, &in, &out, &r->err);
    api_body_base64_free(img, in.photo_len);
    return rc < 0 ? rc : api_reply(r, 202, out);
}

int api_me_identity_confirm(api_req_t *r)
{
    static const char *const keys[] = {"code", NULL};
    const char *code;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "code", true, 1, 8, &code, &r->err)) < 0 ||
        (rc = identity_confirm(r->ctx, r->session.user_id, code, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 202, out);
}

int api_me_identity_get(api_req_t *r)
{
    json_t *out;
    int rc = identity_get(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_me_age_range(api_req_t *r)
{
    static const char *const keys[] = {"age_range", NULL};
    const char *range;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "age_range", true, 1, 16, &range, &r->err)) < 0 ||
        (rc = identity_age_range_set(r->ctx, r->session.user_id, range, &r->err)) < 0 ||
        (rc = identity_guardian_get(r->ctx, r->session.user_id, &out, &r->err)) < 0)
        return rc;
    api_recheck_user(r); /* a child's open sockets close until a guardian consents */
    return api_reply(r, 200, out);
}

int api_me_guardian_get(api_req_t *r)
{
    json_t *out;
    int rc = identity_guardian_get(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_me_guardian_ask(api_req_t *r)
{
    static const char *const keys[] = {"phone", NULL};
    const char *phone = NULL;
    int rc;
    if (r->body && ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
                    (rc = jread_str(r->body, NULL, "phone", false, 1, 16, &phone, &r->err)) < 0))
        return rc;
    if ((rc = identity_guardian_ask(r->ctx, r->session.user_id, phone, api_client_ip(r), &r->err)) <
        0)
        return rc;
    return api_reply(r, 202, json_pack("{s:b}", "sent", true));
}

int api_me_guardian_confirm(api_req_t *r)
{
    static const char *const keys[] = {"code", NULL};
    const char *code;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "code", true, 1, 8, &code, &r->err)) < 0 ||
        (rc = identity_guardian_confirm(r->ctx, r->session.user_id, code, &r->err)) < 0 ||
        (rc = identity_guardian_get(r->ctx, r->session.user_id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_me_guardian_withdraw(api_req_t *r)
{
    static const char *const keys[] = {"code", NULL};
    const char *code;
    json_t *report;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "code", true, 1, 8, &code, &r->err)) < 0 ||
        (rc = rights_guardian_withdraw(r->ctx, r->session.user_id, code, &report, &r->err)) < 0)
        return rc;
    api_recheck_user(r);
    api_cookie_set(r, API_COOKIE_USER, NULL, 0);
    return api_reply(r, 200, report);
}
