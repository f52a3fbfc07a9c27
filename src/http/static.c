/* static.c - h2o glue that serves the web client: content types, cache
 * rules (hashed names are immutable; pages revalidate with their ETag),
 * the precompressed variant the client accepts, and the security headers
 * every page carries. Files come from assets.c; nothing is read from disk. */
#include "http/server_int.h"
#include "http/static.h"

#include <string.h>

static void add(h2o_req_t *req, const char *name, const char *value)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, value,
                          strlen(value));
}

/* The request's Host when it is a plain host[:port] (anything else is left
 * out of the policy rather than echoed into a header). */
static bool plain_host(h2o_req_t *req, h2o_iovec_t *out)
{
    h2o_iovec_t h = req->authority;
    if (h.len == 0 || h.len > 255)
        return false;
    for (size_t i = 0; i < h.len; i++) {
        char c = h.base[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return false;
    }
    *out = h;
    return true;
}

/* The page's Content-Security-Policy: our own scripts, styles, images and
 * media only; fetch and the WebSocket to this host; no framing, no plugins,
 * no inline script or eval. */
static void security_headers(h2o_req_t *req, bool secure)
{
    h2o_iovec_t host;
    char csp[768];
    int n = snprintf(csp, sizeof(csp),
                     "default-src 'none'; script-src 'self'; style-src 'self'; "
                     "img-src 'self' blob: data:; media-src 'self' blob:; font-src 'self'; "
                     "connect-src 'self'");
    if (plain_host(req, &host))
        n += snprintf(csp + n, sizeof(csp) - (size_t)n, " %s://%.*s", secure ? "wss" : "ws",
                      (int)host.len, host.base);
    snprintf(csp + n, sizeof(csp) - (size_t)n,
             "; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
             "frame-ancestors 'none'; object-src 'none'");
    h2o_iovec_t v = h2o_strdup(&req->pool, csp, SIZE_MAX);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0,
                          NULL, v.base, v.len);
    add(req, "x-content-type-options", "nosniff");
    add(req, "referrer-policy", "same-origin");
    add(req, "x-frame-options", "DENY");
    add(req, "cross-origin-opener-policy", "same-origin");
    add(req, "cross-origin-resource-policy", "same-origin");
    add(req, "permissions-policy",
        "camera=(self), microphone=(self), geolocation=(self), "
        "payment=(), usb=(), interest-cohort=()");
}

static bool etag_matches(h2o_req_t *req, const char *etag)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_IF_NONE_MATCH, -1);
    if (i < 0)
        return false;
    h2o_iovec_t v = req->headers.entries[i].value;
    size_t n = strlen(etag);
    const char *strong = etag + 2; /* the same tag without "W/" */
    for (size_t p = 0; p < v.len; p++) {
        if (v.base[p] == '*')
            return true;
        if (v.len - p >= n && memcmp(v.base + p, etag, n) == 0)
            return true;
        if (v.len - p >= n - 2 && memcmp(v.base + p, strong, n - 2) == 0)
            return true;
    }
    return false;
}

int http_static_serve(h2o_req_t *req, const char *rid, bool secure)
{
    bool head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    if (!head && !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")))
        return ERR_METHOD_NOT_ALLOWED;
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const http_asset_t *a = http_asset_for_path(req->path.base, plen);
    if (a == NULL)
        return ERR_NOT_FOUND;
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, rid,
                          16);
    security_headers(req, secure);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, NULL, a->etag, strlen(a->etag));
    const char *cache = a->immutable ? "public, max-age=31536000, immutable" : "no-cache";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, cache,
                   strlen(cache));
    if (a->gzip)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL,
                       H2O_STRLIT("accept-encoding"));
    if (etag_matches(req, a->etag)) {
        req->res.status = 304;
        req->res.reason = "Not Modified";
        h2o_send_inline(req, NULL, 0);
        return 304;
    }
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT_ENCODING, -1);
    http_encoding_t enc = http_encoding_pick(a, i >= 0 ? req->headers.entries[i].value.base : NULL,
                                             i >= 0 ? req->headers.entries[i].value.len : 0);
    const char *body = a->body;
    size_t len = a->body_len;
    if (enc == HTTP_ENC_BR) {
        body = a->br;
        len = a->br_len;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL,
                       H2O_STRLIT("br"));
    } else if (enc == HTTP_ENC_GZIP) {
        body = a->gzip;
        len = a->gzip_len;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL,
                       H2O_STRLIT("gzip"));
    }
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, a->type,
                   strlen(a->type));
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = len;
    h2o_send_inline(req, head ? NULL : body, head ? 0 : len);
    return 200;
}
