/* assets.c - finding the web client's embedded files and choosing their
 * encoding. Pure C over the generated table (build/gen/web.c). */
#include "http/static.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const http_asset_t *http_asset_find(const char *path, size_t len)
{
    size_t lo = 0, hi = http_assets_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = http_assets[mid].path;
        size_t pl = strlen(p);
        int c = memcmp(p, path, pl < len ? pl : len);
        if (c == 0)
            c = pl < len ? -1 : pl > len ? 1 : 0;
        if (c == 0)
            return &http_assets[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* path is prefix or starts with prefix + "/" */
static bool under(const char *path, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(path, prefix, n) == 0 && (len == n || path[n] == '/');
}

bool http_path_is_api(const char *path, size_t len)
{
    return under(path, len, "/v1") || (len == 8 && memcmp(path, "/healthz", 8) == 0) ||
           (len == 8 && memcmp(path, "/metrics", 8) == 0);
}

/* A client route: "/" or segments of letters, digits, "-" and "_" (an
 * optional trailing "/"). Anything else (a dot, an escape, an empty
 * segment) names a file that does not exist, not a page. */
static bool is_route(const char *path, size_t len)
{
    if (len == 0 || path[0] != '/')
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = path[i];
        if (c == '/' ? path[i - 1] == '/'
                     : !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

const http_asset_t *http_asset_for_path(const char *path, size_t len)
{
    if (under(path, len, "/assets"))
        return http_asset_find(path, len);
    if (!is_route(path, len))
        return NULL;
    if (under(path, len, "/staff"))
        return http_asset_find("/staff/index.html", 17);
    return http_asset_find("/index.html", 11);
}

/* The q-value of one element ("gzip;q=0.5"): 1000 = 1.0. */
static int qvalue(const char *p, const char *end)
{
    const char *semi = memchr(p, ';', (size_t)(end - p));
    if (semi == NULL)
        return 1000;
    for (p = semi + 1; p < end && (*p == ' ' || *p == '\t'); p++)
        ;
    if (end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
        return 1000;
    p += 2;
    if (*p == '1')
        return 1000;
    if (*p != '0')
        return 0;
    int q = 0, scale = 100;
    for (p++; p < end && *p == '.'; p++)
        ;
    for (; p < end && *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
        q += (*p - '0') * scale;
    return q;
}

http_encoding_t http_encoding_pick(const http_asset_t *a, const char *value, size_t len)
{
    int q_br = -1, q_gzip = -1, q_any = -1;
    const char *end = value ? value + len : NULL;
    for (const char *p = value; p && p < end;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        while (p < stop && (*p == ' ' || *p == '\t'))
            p++;
        size_t n = 0;
        while (p + n < stop && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
            n++;
        int q = qvalue(p, stop);
        if (n == 2 && strncasecmp(p, "br", 2) == 0)
            q_br = q;
        else if (n == 4 && strncasecmp(p, "gzip", 4) == 0)
            q_gzip = q;
        else if (n == 1 && *p == '*')
            q_any = q;
        p = comma ? comma + 1 : end;
    }
    if (q_br < 0)
        q_br = q_any;
    if (q_gzip < 0)
        q_gzip = q_any;
    if (a->br && q_br > 0)
        return HTTP_ENC_BR;
    if (a->gzip && q_gzip > 0)
        return HTTP_ENC_GZIP;
    return HTTP_ENC_IDENTITY;
}
