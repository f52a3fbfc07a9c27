/* query.c - query-string parameters (?a=1&b=x) and ids in bodies. Values are taken as they
 * come (ids and numbers need no percent-decoding); a bad value is a 422
 * naming the parameter. */
#include "api/api_int.h"
#include "core/ids.h"
#include "core/jread.h"

#include <stdio.h>
#include <stdlib.h>
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

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int api_query_text(api_req_t *r, const char *name, size_t max, char *buf, size_t cap,
                   const char **out)
{
    api_slice_t v;
    *out = NULL;
    if (!api_query_slice(r, name, &v) || v.len == 0)
        return 0;
    size_t o = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < v.len; i++) {
        int c = (unsigned char)v.p[i];
        if (c == '%') {
            int hi = i + 2 < v.len ? hexval(v.p[i + 1]) : -1,
                lo = hi >= 0 ? hexval(v.p[i + 2]) : -1;
            ok = lo >= 0;
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        ok = ok && c >= 0x20 && c != 0x7f && o + 1 < cap;
        if (ok)
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
    json_t *valid = ok ? json_stringn(buf, o) : NULL; /* jansson checks the UTF-8 */
    ok = valid != NULL;
    json_decref(valid);
    if (!ok || jread_utf8_len(buf, o) > max)
        return err_set(&r->err, ERR_VALIDATION_FAILED, name,
                       "%s must be text of at most %zu characters", name, max);
    if (o)
        *out = buf;
    return 0;
}

int api_query_double(api_req_t *r, const char *name, double min, double max, double *out, bool *has)
{
    api_slice_t v;
    *has = false;
    if (!api_query_slice(r, name, &v))
        return 0;
    char buf[32], *end;
    bool ok = v.len > 0 && v.len < sizeof(buf) && strspn(v.p, "0123456789.-") >= v.len;
    if (ok) {
        memcpy(buf, v.p, v.len);
        buf[v.len] = '\0';
        *out = strtod(buf, &end);
        ok = *end == '\0' && *out >= min && *out <= max;
    }
    if (!ok)
        return err_set(&r->err, ERR_VALIDATION_FAILED, name, "%s must be a number in %g..%g", name,
                       min, max);
    *has = true;
    return 0;
}

int api_body_id(api_req_t *r, const char *key, bool required, int64_t *out)
{
    const char *s;
    int rc = jread_str(r->body, NULL, key, required, 1, 20, &s, &r->err);
    *out = 0;
    if (rc < 0 || !s)
        return rc;
    return ids_parse(s, strlen(s), out) ? 0 : err_set(&r->err, ERR_VALIDATION_FAILED, key, "an id");
}
