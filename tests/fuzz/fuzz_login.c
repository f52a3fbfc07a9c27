/* fuzz_login.c - a login request body through the JSON parser and the
 * handler's decoder: either a clear error with a code, or every required
 * field present. */
#include "api/api_int.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    auth_login_req_t q = {0};
    err_t e = {0};
    int rc = api_auth_login_decode(body, &q, &e);
    if (rc < 0 && (e.code != ERR_VALIDATION_FAILED || !e.has_field))
        abort();
    if (rc == 0 && (q.phone == NULL || q.code == NULL || q.device_id == NULL))
        abort();
    err_clear(&e);
    json_decref(body);
    return 0;
}
