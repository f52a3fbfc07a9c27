/* origin.c - where a request comes from: the TCP peer, whether it reached
 * us over TLS, the web client's session cookies and the cross-site
 * request forgery check on writes that ride them. h2o glue, no routing. */
#include "api/api.h"
#include "core/netaddr.h"
#include "http/server_int.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

void http_peer_ip(h2o_req_t *req, char out[INET6_ADDRSTRLEN])
{
    struct sockaddr_storage ss;
    socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    strcpy(out, "unknown");
    if (len > 0 && ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, INET6_ADDRSTRLEN);
    else if (len > 0 && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, INET6_ADDRSTRLEN);
}

static h2o_iovec_t header_value(h2o_req_t *req, const char *name, size_t len)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, len, -1);
    return i < 0 ? h2o_iovec_init(NULL, 0) : req->headers.entries[i].value;
}

bool http_is_secure(h2o_req_t *req, const char *trusted)
{
    if (req->scheme == &H2O_URL_SCHEME_HTTPS)
        return true;
    h2o_iovec_t v = header_value(req, H2O_STRLIT("x-forwarded-proto"));
    if (!trusted[0] || !(v.len == 5 && strncasecmp(v.base, "https", 5) == 0))
        return false;
    char peer[INET6_ADDRSTRLEN];
    http_peer_ip(req, peer);
    return netaddr_list_contains(trusted, peer);
}

bool http_cookie(h2o_req_t *req, const char *name, h2o_iovec_t *out)
{
    size_t nl = strlen(name);
    for (ssize_t i = -1; (i = h2o_find_header(&req->headers, H2O_TOKEN_COOKIE, i)) >= 0;) {
        h2o_iovec_t v = req->headers.entries[i].value;
        for (size_t p = 0; p < v.len;) {
            while (p < v.len && (v.base[p] == ' ' || v.base[p] == ';'))
                p++;
            size_t end = p;
            while (end < v.len && v.base[end] != ';')
                end++;
            if (end - p > nl && memcmp(v.base + p, name, nl) == 0 && v.base[p + nl] == '=') {
                *out = h2o_iovec_init(v.base + p + nl + 1, end - p - nl - 1);
                return out->len > 0;
            }
            p = end;
        }
    }
    return false;
}

/* host[:port] without the scheme's default port. */
static size_t host_len(const char *h, size_t len, bool https)
{
    const char *def = https ? ":443" : ":80";
    size_t dl = strlen(def);
    return len > dl && memcmp(h + len - dl, def, dl) == 0 ? len - dl : len;
}

bool http_origin_is_ours(h2o_req_t *req, bool secure, bool need_origin)
{
    h2o_iovec_t o = header_value(req, H2O_STRLIT("origin"));
    if (o.base == NULL) {
        h2o_iovec_t site = header_value(req, H2O_STRLIT("sec-fetch-site"));
        return !need_origin && h2o_memis(site.base, site.len, H2O_STRLIT("same-origin"));
    }
    const char *scheme = secure ? "https://" : "http://";
    size_t sl = strlen(scheme);
    h2o_iovec_t host = req->authority;
    if (o.len <= sl || strncasecmp(o.base, scheme, sl) != 0 || host.len == 0)
        return false;
    size_t a = host_len(o.base + sl, o.len - sl, secure), b = host_len(host.base, host.len, secure);
    return a == b && strncasecmp(o.base + sl, host.base, a) == 0;
}

static bool is_safe_method(h2o_req_t *req)
{
    return h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
           h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")) ||
           h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS"));
}

int http_check_origin(h2o_req_t *req, const char *trusted, err_t *e)
{
    if (is_safe_method(req) || h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1) >= 0)
        return 0;
    h2o_iovec_t c;
    bool has_origin = header_value(req, H2O_STRLIT("origin")).base != NULL;
    bool cookie = http_cookie(req, API_COOKIE_USER, &c) || http_cookie(req, API_COOKIE_STAFF, &c);
    if ((has_origin || cookie) && !http_origin_is_ours(req, http_is_secure(req, trusted), false))
        return err_set(e, ERR_CROSS_ORIGIN, NULL, NULL);
    return 0;
}
