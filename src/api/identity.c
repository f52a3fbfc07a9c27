/* identity.c - identity verification (F2, 三.一.2): start one by face
 * photo or bank card, confirm the card's code, read the result. */
#include "api/api_int.h"
#include "core/jread.h"
#include "identity/identity.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The face photo (base64) into a new buffer. */
static int photo(api_req_t *r, const char *b64, uint8_t **out, size_t *len)
{
    size_t cap = strlen(b64) / 4 * 3 + 3;
    if (cap > IDENTITY_PHOTO_MAX + 3)
        return err_set(&r->err, ERR_PAYLOAD_TOO_LARGE, "face_photo", "at most %d KiB",
                       IDENTITY_PHOTO_MAX / 1024);
    *out = malloc(cap);
    if (!*out)
        abort();
    if (sodium_base642bin(*out, cap, b64, strlen(b64), " \r\n", len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(*out);
        *out = NULL;
        return err_set(&r->err, ERR_VALIDATION_FAILED, "face_photo", "base64 of a JPEG or PNG");
    }
    return 0;
}

int api_me_identity_post(api_req_t *r)
{
    static const char *const keys[] = {"method",    "name",           "id_number", "face_photo",
                                       "bank_card", "reserved_phone", NULL};
    identity_submit_t in = {.client_ip = api_client_ip(r)};
    const char *b64 = NULL;
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
    const json_t *p = json_object_get(r->body, "face_photo");
    if (p && !json_is_string(p))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "face_photo", "base64 of a JPEG or PNG");
    if ((b64 = json_string_value(p)) && (rc = photo(r, b64, &img, &in.photo_len)) < 0)
        return rc;
    in.photo = img;
    rc = identity_submit(r->ctx, r->session.user_id, &in, &out, &r->err);
    if (img) {
        sodium_memzero(img, in.photo_len);
        free(img);
    }
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
