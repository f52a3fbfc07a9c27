/* request.c - one request's path through the server: route, checks,
 * handler, rendering, access log and metrics. */
#include "api/api.h"
#include "identity/identity.h"
#include "core/clock.h"
#include "core/jwrite.h"
#include "core/log.h"
#include "core/netaddr.h"
#include "core/str.h"
#include "metrics/metrics.h"
#include "http/server_int.h"
#include "http/static.h"
#include "privacy/privacy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reqstate {
    h2o_req_t *req;
    bool upgraded; /* became a WebSocket: h2o answers 101 */
    api_req_t r;
    int route;
    char rid[17];
    char allow[64];
    char ip[INET6_ADDRSTRLEN];
} reqstate_t;

static bool secure_client(reqstate_t *s);

static void add_header(h2o_req_t *req, const char *name, const char *value, size_t len)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 1, NULL,
                          h2o_strdup(&req->pool, value, len).base, len);
}

static const char *reason(int status)
{
    static const struct {
        int status;
        const char *text;
    } reasons[] = {{200, "OK"},
                   {201, "Created"},
                   {202, "Accepted"},
                   {204, "No Content"},
                   {400, "Bad Request"},
                   {401, "Unauthorized"},
                   {403, "Forbidden"},
                   {404, "Not Found"},
                   {405, "Method Not Allowed"},
                   {409, "Conflict"},
                   {410, "Gone"},
                   {413, "Payload Too Large"},
                   {415, "Unsupported Media Type"},
                   {422, "Unprocessable Content"},
                   {429, "Too Many Requests"},
                   {500, "Internal Server Error"},
                   {503, "Service Unavailable"}};
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (reasons[i].status == status)
            return reasons[i].text;
    return "";
}

static void send_body(reqstate_t *s, int status, const char *type, const char *body, size_t len)
{
    h2o_req_t *req = s->req;
    if (s->r.extra_header[0][0])
        add_header(req, s->r.extra_header[0], s->r.extra_header[1], strlen(s->r.extra_header[1]));
    req->res.status = status;
    req->res.reason = reason(status);
    add_header(req, "x-request-id", s->rid, 16);
    if (type)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type,
                       strlen(type));
    if (status == 204) {
        h2o_send_inline(req, NULL, 0);
        return;
    }
    req->res.content_length = len;
    h2o_send_inline(req, body, len);
}

static void send_error(reqstate_t *s)
{
    err_t *e = &s->r.err;
    json_t *o = json_pack("{s:s, s:s, s:s}", "code", err_string(e->code), "message", e->message,
                          "request_id", s->rid);
    if (e->has_field)
        json_object_set_new(o, "field", json_string(e->field));
    if (e->extra)
        json_object_update(o, e->extra);
    /* every 503 says when to come back, whichever layer refused */
    int wait = e->retry_after > 0 ? e->retry_after : e->code == ERR_UNAVAILABLE ? 1 : 0;
    if (wait > 0) {
        char ra[16];
        int n = snprintf(ra, sizeof(ra), "%d", wait);
        add_header(s->req, "retry-after", ra, (size_t)n);
    }
    if (e->code == ERR_METHOD_NOT_ALLOWED)
        add_header(s->req, "allow", s->allow, strlen(s->allow));
    json_t *env = json_pack("{s:o}", "error", o);
    size_t len;
    char *body = jwrite_dumps(env, &len);
    json_decref(env);
    s->r.status = err_status(e->code);
    send_body(s, s->r.status, "application/json; charset=utf-8", body, len);
    free(body);
}

/* A streamed body: each proceed decrypts the next piece into a buffer of
 * the request's pool; the stream is closed when done or abandoned. */
#define PIECE (256 * 1024)

typedef struct streamer {
    h2o_generator_t super;
    void *stream;
    int64_t (*next)(void *, uint8_t *, size_t, err_t *);
    void (*close)(void *);
    size_t left;
    uint8_t *buf;
} streamer_t;

static void stream_stop(h2o_generator_t *g, h2o_req_t *req)
{
    (void)req;
    streamer_t *st = (streamer_t *)g;
    if (st->stream)
        st->close(st->stream);
    st->stream = NULL;
}

static void stream_proceed(h2o_generator_t *g, h2o_req_t *req)
{
    streamer_t *st = (streamer_t *)g;
    err_t e = {0};
    int64_t n =
        st->left ? st->next(st->stream, st->buf, st->left < PIECE ? st->left : PIECE, &e) : 0;
    h2o_send_state_t state = H2O_SEND_STATE_IN_PROGRESS;
    if (n < 0 || (n == 0 && st->left > 0)) {
        log_msg(LOG_ERROR, "stream failed", "%s", e.cause[0] ? e.cause : "short read");
        n = 0;
        state = H2O_SEND_STATE_ERROR;
    } else {
        st->left -= (size_t)n;
        if (st->left == 0)
            state = H2O_SEND_STATE_FINAL;
    }
    err_clear(&e);
    if (state != H2O_SEND_STATE_IN_PROGRESS)
        stream_stop(g, req);
    h2o_iovec_t v = h2o_iovec_init(st->buf, (size_t)n);
    h2o_send(req, &v, 1, state);
}

static void send_stream(reqstate_t *s)
{
    h2o_req_t *req = s->req;
    api_req_t *r = &s->r;
    streamer_t *st = h2o_mem_alloc_pool(&req->pool, sizeof(*st));
    memset(st, 0, sizeof(*st));
    st->super.proceed = stream_proceed;
    st->super.stop = stream_stop;
    st->stream = r->stream;
    st->next = r->stream_next;
    st->close = r->stream_close;
    st->left = r->raw_len;
    st->buf = h2o_mem_alloc_pool(&req->pool, PIECE);
    r->stream = NULL; /* the generator owns it now */
    req->res.status = r->status;
    req->res.reason = reason(r->status);
    req->res.content_length = r->raw_len;
    add_header(req, "x-request-id", s->rid, 16);
    if (r->extra_header[0][0])
        add_header(req, r->extra_header[0], r->extra_header[1], strlen(r->extra_header[1]));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, r->raw_type,
                   strlen(r->raw_type));
    h2o_start_response(req, &st->super);
    stream_proceed(&st->super, req);
}

/* The handler's session cookie: HttpOnly, SameSite=Strict, Secure over TLS;
 * a user's is sent to the whole API, a staff member's only to /v1/admin. */
static void add_cookie(reqstate_t *s)
{
    api_req_t *r = &s->r;
    if (r->cookie.name == NULL)
        return;
    char c[256], age[32] = "";
    if (r->cookie.max_age >= 0)
        snprintf(age, sizeof(age), "; Max-Age=%d", r->cookie.max_age);
    int n = snprintf(c, sizeof(c), "%s=%s; Path=%s%s; HttpOnly; SameSite=Strict%s", r->cookie.name,
                     r->cookie.value,
                     strcmp(r->cookie.name, API_COOKIE_STAFF) == 0 ? "/v1/admin" : "/v1", age,
                     secure_client(s) ? "; Secure" : "");
    h2o_add_header(&s->req->pool, &s->req->res.headers, H2O_TOKEN_SET_COOKIE, NULL,
                   h2o_strdup(&s->req->pool, c, (size_t)n).base, (size_t)n);
    sec_wipe(c, sizeof(c));
    sec_wipe(r->cookie.value, sizeof(r->cookie.value));
}

static void send_result(reqstate_t *s)
{
    api_req_t *r = &s->r;
    add_cookie(s);
    if (r->stream) {
        send_stream(s);
    } else if (r->out) {
        size_t len;
        char *body = jwrite_dumps(r->out, &len);
        send_body(s, r->status, "application/json; charset=utf-8", body, len);
        free(body);
    } else {
        send_body(s, r->status, r->raw_type, r->raw, r->raw_len);
    }
}

static bool is_json_type(h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    if (i < 0)
        return true; /* absent: taken as JSON */
    h2o_iovec_t v = req->headers.entries[i].value;
    static const char want[] = "application/json";
    if (v.len < sizeof(want) - 1 || strncasecmp(v.base, want, sizeof(want) - 1) != 0)
        return false;
    return v.len == sizeof(want) - 1 || v.base[sizeof(want) - 1] == ';' ||
           v.base[sizeof(want) - 1] == ' ';
}

static int read_body(reqstate_t *s)
{
    h2o_req_t *req = s->req;
    err_t *e = &s->r.err;
    if (!is_json_type(req))
        return err_set(e, ERR_UNSUPPORTED_MEDIA_TYPE, NULL, "send application/json");
    if (req->entity.len > API_JSON_LIMIT)
        return err_set(e, ERR_PAYLOAD_TOO_LARGE, NULL, "the body is larger than 1 MiB");
    if (req->entity.base == NULL || req->entity.len == 0)
        return err_set(e, ERR_INVALID_JSON, NULL, "the body is empty");
    json_error_t je;
    json_t *body = json_loadb(req->entity.base, req->entity.len, JSON_REJECT_DUPLICATES, &je);
    if (body == NULL)
        return err_set(e, ERR_INVALID_JSON, NULL, "invalid JSON at byte %d", je.position);
    if (!json_is_object(body)) {
        json_decref(body);
        return err_set(e, ERR_INVALID_JSON, NULL, "the body must be a JSON object");
    }
    s->r.body = body;
    return 0;
}

static int read_raw(reqstate_t *s)
{
    h2o_req_t *req = s->req;
    if (req->entity.len > API_RAW_LIMIT)
        return err_set(&s->r.err, ERR_PAYLOAD_TOO_LARGE, NULL, "the body is larger than 50 MiB");
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    if (i >= 0) {
        s->r.content_type.p = req->headers.entries[i].value.base;
        s->r.content_type.len = req->headers.entries[i].value.len;
    }
    s->r.raw_body.p = req->entity.base ? req->entity.base : "";
    s->r.raw_body.len = req->entity.len;
    return 0;
}

/* The WebSocket token: ?token=..., or "Sec-WebSocket-Protocol: wlk, <token>". */
static bool ws_token(reqstate_t *s, api_slice_t *tok, bool *protocol)
{
    *protocol = false;
    if (api_query_slice(&s->r, "token", tok))
        return true;
    ssize_t i = h2o_find_header_by_str(&s->req->headers, H2O_STRLIT("sec-websocket-protocol"), -1);
    if (i < 0)
        return false;
    h2o_iovec_t v = s->req->headers.entries[i].value;
    if (v.len < 5 || memcmp(v.base, "wlk,", 4) != 0)
        return false;
    size_t o = 4;
    while (o < v.len && v.base[o] == ' ')
        o++;
    tok->p = v.base + o;
    tok->len = v.len - o;
    *protocol = true;
    return true;
}

static int upgrade(reqstate_t *s)
{
    api_slice_t tok;
    bool protocol;
    int64_t cursor = -1;
    int rc;
    if (!ws_token(s, &tok, &protocol)) {
        /* the web client's cookie; a page of another site must not ride it */
        h2o_iovec_t c;
        if (!http_cookie(s->req, API_COOKIE_USER, &c))
            return err_set(&s->r.err, ERR_UNAUTHORIZED, NULL, NULL);
        if (!http_origin_is_ours(s->req, secure_client(s), true))
            return err_set(&s->r.err, ERR_CROSS_ORIGIN, NULL, NULL);
        tok.p = c.base;
        tok.len = c.len;
        s->r.via_cookie = true;
    }
    if ((rc = auth_session_resolve(s->r.ctx, tok.p, tok.len, &s->r.session, &s->r.err)) < 0 ||
        (rc = privacy_gate(s->r.ctx, s->r.session.policy_version, s->r.session.policy_withdrawn,
                           &s->r.err)) < 0)
        return rc;
    if (s->r.session.guardian_required)
        return err_set(&s->r.err, ERR_GUARDIAN_CONSENT_REQUIRED, NULL, NULL);
    api_slice_t v;
    if (api_query_slice(&s->r, "cursor", &v) &&
        (rc = api_query_i64(&s->r, "cursor", -1, 0, INT64_MAX / 2, &cursor)) < 0)
        return rc;
    rc = http_ws_upgrade(http_thread_ws(http_thread_of(s->req)), s->req, &s->r.session, cursor,
                         protocol, &s->r.err);
    if (rc == 0) {
        s->upgraded = true;
        s->r.status = 101;
    }
    return rc;
}

/* The bearer token of the Authorization header; without one, the web
 * client's session cookie of that kind (its writes were checked for their
 * origin in dispatch). */
static int bearer(reqstate_t *s, const char *cookie, h2o_iovec_t *tok)
{
    ssize_t i = h2o_find_header(&s->req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (i < 0) {
        if (!http_cookie(s->req, cookie, tok))
            return err_set(&s->r.err, ERR_UNAUTHORIZED, NULL, NULL);
        s->r.via_cookie = true;
        return 0;
    }
    h2o_iovec_t v = s->req->headers.entries[i].value;
    if (v.len < 8 || strncasecmp(v.base, "Bearer ", 7) != 0)
        return err_set(&s->r.err, ERR_UNAUTHORIZED, NULL, NULL);
    *tok = h2o_iovec_init(v.base + 7, v.len - 7);
    return 0;
}

/* Users: their session, then (AUTH_USER) the policy gate. Staff: their
 * session, then the route's roles (least privilege, on every call). */
static int authenticate(reqstate_t *s, const api_route_t *route)
{
    h2o_iovec_t tok = {NULL, 0};
    int rc = bearer(s, route->auth == AUTH_STAFF ? API_COOKIE_STAFF : API_COOKIE_USER, &tok);
    if (rc < 0)
        return rc;
    if (route->auth == AUTH_STAFF) {
        if ((rc = staff_session_resolve(s->r.ctx, tok.base, tok.len, &s->r.staff, &s->r.err)) < 0)
            return rc;
        if ((s->r.staff.role & route->roles) == 0)
            return err_set(&s->r.err, ERR_FORBIDDEN, NULL, "your role may not do this");
        return 0;
    }
    if ((rc = auth_session_resolve(s->r.ctx, tok.base, tok.len, &s->r.session, &s->r.err)) < 0)
        return rc;
    if (route->auth == AUTH_USER || route->auth == AUTH_OPTIONAL || route->auth == AUTH_VERIFIED)
        rc = privacy_gate(s->r.ctx, s->r.session.policy_version, s->r.session.policy_withdrawn,
                          &s->r.err);
    /* 八: a child under 14 without a guardian's consent keeps its rights only */
    if (rc == 0 && route->auth != AUTH_RIGHTS && s->r.session.guardian_required)
        rc = err_set(&s->r.err, ERR_GUARDIAN_CONSENT_REQUIRED, NULL, NULL);
    bool verified;
    if (rc == 0 && route->auth == AUTH_VERIFIED &&
        (rc = identity_is_verified(s->r.ctx, s->r.session.user_id, &verified, &s->r.err)) == 0 &&
        !verified)
        rc = err_set(&s->r.err, ERR_IDENTITY_REQUIRED, NULL, NULL);
    return rc;
}

/* The X-Forwarded-For headers joined in order (several are one list). */
static size_t forwarded_for(h2o_req_t *req, char **out)
{
    size_t total = 0, n = 0;
    for (ssize_t i = -1; (i = h2o_find_header(&req->headers, H2O_TOKEN_X_FORWARDED_FOR, i)) >= 0;)
        total += req->headers.entries[i].value.len + 1;
    if (total == 0)
        return 0;
    char *buf = h2o_mem_alloc_pool(&req->pool, total);
    for (ssize_t i = -1; (i = h2o_find_header(&req->headers, H2O_TOKEN_X_FORWARDED_FOR, i)) >= 0;) {
        if (n)
            buf[n++] = ',';
        memcpy(buf + n, req->headers.entries[i].value.base, req->headers.entries[i].value.len);
        n += req->headers.entries[i].value.len;
    }
    *out = buf;
    return n;
}

/* The TCP peer; behind a trusted proxy (--trusted-proxy), the rightmost
 * address of X-Forwarded-For that is not itself a trusted proxy. */
static const char *client_ip(void *arg)
{
    reqstate_t *s = arg;
    if (s->ip[0])
        return s->ip;
    http_peer_ip(s->req, s->ip);
    const char *trusted = s->r.ctx->app->cfg.trusted_proxy;
    char *xff, client[INET6_ADDRSTRLEN];
    size_t n;
    if (trusted[0] && netaddr_list_contains(trusted, s->ip) &&
        (n = forwarded_for(s->req, &xff)) > 0 &&
        netaddr_forwarded_client(xff, n, trusted, client, sizeof(client)))
        strcpy(s->ip, client);
    return s->ip;
}

static bool secure_client(reqstate_t *s)
{
    return http_is_secure(s->req, s->r.ctx->app->cfg.trusted_proxy);
}

static int dispatch(reqstate_t *s)
{
    h2o_req_t *req = s->req;
    const http_router_t *router = http_server_router();
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    int rc = http_router_match(router, req->method.base, req->method.len, req->path.base, plen,
                               s->r.params, s->allow, sizeof(s->allow));
    if (rc < 0)
        return err_set(&s->r.err, rc, NULL, NULL);
    s->route = rc;
    const api_route_t *route = &api_routes[rc];
    if (req->query_at != SIZE_MAX) {
        s->r.query.p = req->path.base + req->query_at + 1;
        s->r.query.len = req->path.len - req->query_at - 1;
    }
    if (route->auth == AUTH_WS)
        return upgrade(s);
    if ((rc = http_check_origin(req, s->r.ctx->app->cfg.trusted_proxy, &s->r.err)) < 0)
        return rc;
    bool json =
        route->body == API_BODY_JSON || (route->body == API_BODY_JSON_OPT && req->entity.len > 0);
    if (json && (rc = read_body(s)) < 0)
        return rc;
    if (route->body == API_BODY_RAW && (rc = read_raw(s)) < 0)
        return rc;
    if (route->auth == AUTH_OPTIONAL && authenticate(s, route) < 0) {
        err_clear(&s->r.err); /* anyone may browse: a dead session reads as none */
        memset(&s->r.session, 0, sizeof(s->r.session));
        s->r.via_cookie = false;
    } else if (route->auth != AUTH_NONE && route->auth != AUTH_OPTIONAL &&
               (rc = authenticate(s, route)) < 0) {
        return rc;
    }
    ssize_t ri = h2o_find_header(&req->headers, H2O_TOKEN_RANGE, -1);
    if (ri >= 0) {
        s->r.range.p = req->headers.entries[ri].value.base;
        s->r.range.len = req->headers.entries[ri].value.len;
    }
    return route->fn(&s->r);
}

static void access_log(reqstate_t *s, int64_t ns)
{
    if (s->r.err.cause[0]) { /* causes go with the request id, never to the client */
        bool outage = err_is_outage(&s->r.err);
        log_msg(outage ? LOG_WARN : LOG_ERROR, outage ? "database unavailable" : "internal error",
                "request %s: %s", s->rid, s->r.err.cause);
    }
    if (log_get_level() > LOG_INFO)
        return;
    /* one request, one line, built without printf (a hot path: profiled) */
    char line[512], *p = line;
    const char *route = s->route >= 0             ? api_routes[s->route].path
                        : s->route == METRICS_WEB ? "web"
                                                  : "unmatched";
#define PUT(lit) (memcpy(p, lit, sizeof(lit) - 1), p += sizeof(lit) - 1)
    PUT("{\"ts\":");
    p += str_fmt_i64(p, clock_now_ms());
    PUT(",\"level\":\"info\",\"msg\":\"request\",\"method\":\"");
    p += log_escape(p, 48, s->req->method.base, s->req->method.len);
    PUT("\",\"route\":\"");
    size_t rl = strlen(route);
    memcpy(p, route, rl); /* routes are ours: < 64 bytes, nothing to escape */
    p += rl;
    PUT("\",\"status\":");
    p += str_fmt_i64(p, s->r.status);
    PUT(",\"duration_ms\":");
    p += str_fmt_ms3(p, ns);
    PUT(",\"request_id\":\"");
    memcpy(p, s->rid, 16);
    p += 16;
    PUT("\"}\n");
#undef PUT
    log_line(line, (size_t)(p - line));
}

static void serve_api(reqstate_t *s)
{
    int rc = dispatch(s);
    if (s->upgraded) {
        /* h2o writes the 101 and the session lives on in ws.c */
    } else if (rc < 0 || s->r.err.code != 0) {
        if (s->r.err.code == 0)
            err_internal(&s->r.err, "handler failed with %d but set no error", rc);
        send_error(s);
    } else {
        send_result(s);
    }
}

/* The web client's files and pages (static.c); its errors in our envelope. */
static void serve_web(reqstate_t *s)
{
    s->route = METRICS_WEB;
    int rc = http_static_serve(s->req, s->rid, secure_client(s));
    if (rc > 0) {
        s->r.status = rc;
        return;
    }
    strcpy(s->allow, "GET, HEAD");
    err_set(&s->r.err, rc, NULL, NULL);
    send_error(s);
}

int http_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    int64_t t0 = clock_mono_ns();
    http_thread_t *t = http_thread_of(req);
    reqstate_t s = {.req = req, .route = -1};
    s.r.ctx = http_thread_ctx(t);
    s.r.peer = client_ip;
    s.r.peer_arg = &s;
    http_thread_request_id(t, s.rid);
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    if (!http_path_is_api(req->path.base, plen))
        serve_web(&s);
    else
        serve_api(&s);
    int64_t ns = clock_mono_ns() - t0;
    metrics_observe(http_thread_metrics(t), s.route, s.r.status, ns);
    access_log(&s, ns);
    if (s.r.stream) /* an error came after the stream was opened */
        s.r.stream_close(s.r.stream);
    json_decref(s.r.body);
    json_decref(s.r.out);
    free(s.r.raw_owned);
    err_clear(&s.r.err);
    return 0;
}
