/* query.c - query-string parameters: ?a=1&b=x. Values are taken as they
 * come (ids and numbers need no percent-decoding); a bad value is a 422
 * naming the parameter. */
#include "api/api_int.h"

#include <stdio.h>
#include <string.h>

bool api_query_slice(const api_req_t *r, const char *name, api_slice_t *out)
{
    size_t nl = strlen(name);
    const char *p = r->query.p, *end = p + r->query.len;
    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == '=') {
            out->p = p + nl + 1;
            out->len = (size_t)(stop - p - (ptrdiff_t)nl - 1);
            return true;
        }
        p = amp ? amp + 1 : NULL;
    }
    return false;
}

int api_query_i64(api_req_t *r, const char *name, int64_t def, int64_t min, int64_t max,
                  int64_t *out)
{
    api_slice_t v;
    *out = def;
    if (!api_query_slice(r, name, &v))
        return 0;
    int64_t n = 0;
    bool ok = v.len > 0 && v.len <= 18;
    for (size_t i = 0; ok && i < v.len; i++) {
        ok = v.p[i] >= '0' && v.p[i] <= '9';
        n = n * 10 + (v.p[i] - '0');
    }
    if (!ok || n < min || n > max)
        return err_set(&r->err, ERR_VALIDATION_FAILED, name, "%s must be an integer in %lld..%lld",
                       name, (long long)min, (long long)max);
    *out = n;
    return 0;
}

int api_param_id(api_req_t *r, int i, int64_t *id)
{
    if (!ids_parse(r->params[i].p, r->params[i].len, id))
        return err_set(&r->err, ERR_NOT_FOUND, NULL, NULL);
    return 0;
}
