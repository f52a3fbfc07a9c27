/* api.h - the route table and the request/response record that thin
 * handlers see. The HTTP layer matches a route, checks method, body and
 * bearer token, fills api_req_t, calls the handler and renders what it
 * set. Handlers never see h2o. */
#ifndef WLK_API_H
#define WLK_API_H

#include "app/app.h"
#include "auth/auth.h"
#include "core/err.h"
#include "staff/staff.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define API_MAX_PARAMS 4
#define API_JSON_LIMIT (1024 * 1024)

/* AUTH_USER: a signed-in user whose account passes the policy gate
 * (privacy_gate). AUTH_RIGHTS: a signed-in user, gate or not: the policy,
 * consents, export, cancellation, GET /v1/me and logout stay open after a
 * withdrawal or before an updated policy is accepted. AUTH_STAFF: a staff
 * token whose role is in the route's roles. AUTH_WS: the WebSocket
 * upgrade, handled by the HTTP layer itself (token in the query or the
 * Sec-WebSocket-Protocol header; gated like AUTH_USER). AUTH_OPTIONAL: open
 * to anyone; a user's session when one is sent and passes the gate, else
 * none (session.user_id 0: a browse-only visitor). */
typedef enum {
    AUTH_NONE,
    AUTH_USER,
    AUTH_RIGHTS,
    AUTH_STAFF,
    AUTH_WS,
    AUTH_OPTIONAL,
    AUTH_VERIFIED /* AUTH_USER whose identity is verified (R25): 403 identity_required */
} api_auth_t;

/* The web client's session cookies (HttpOnly, SameSite=Strict; Secure over
 * TLS): a user's, sent to /v1, and a staff member's, sent to /v1/admin. */
#define API_COOKIE_USER  "wlk_session"
#define API_COOKIE_STAFF "wlk_staff"

typedef struct api_slice {
    const char *p;
    size_t len;
} api_slice_t;

typedef struct api_req {
    app_ctx_t *ctx;
    json_t *body;              /* the JSON object for BODY_JSON routes; borrowed */
    api_slice_t raw_body;      /* API_BODY_RAW routes: the bytes */
    api_slice_t content_type;  /* API_BODY_RAW routes: as declared */
    api_slice_t range;         /* the Range header, if any */
    char extra_header[2][128]; /* one extra response header: name, value */
    api_slice_t params[API_MAX_PARAMS];
    api_slice_t query;
    auth_session_t session; /* for AUTH_USER and AUTH_RIGHTS routes */
    staff_session_t staff;  /* for AUTH_STAFF routes */
    bool via_cookie;        /* the session came from a cookie, not a bearer header */
    /* a session cookie for the response (api_cookie_set): the HTTP layer
     * adds its path, HttpOnly, SameSite=Strict and, over TLS, Secure */
    struct {
        const char *name; /* NULL: none */
        char value[SEC_TOKEN_LEN + 1];
        int max_age; /* seconds; 0 clears it; -1 ends with the browser session */
    } cookie;
    /* the client's address, looked up only when a handler asks
     * (api_client_ip): a system call most requests do not need */
    const char *(*peer)(void *arg);
    void *peer_arg;
    err_t err;
    /* the response: a status and a JSON body (owned), or raw bytes */
    int status;
    json_t *out;
    const char *raw;
    size_t raw_len;
    const char *raw_type;
    char raw_type_buf[48];
    char *raw_owned; /* freed after sending */
    /* or a body of raw_len bytes produced piece by piece (owned; the HTTP
     * layer calls stream_close when done or abandoned) */
    void *stream;
    int64_t (*stream_next)(void *stream, uint8_t *buf, size_t cap, err_t *e);
    void (*stream_close)(void *stream);
} api_req_t;

typedef int (*api_handler_fn)(api_req_t *r);

/* API_BODY_RAW: any bytes up to API_RAW_LIMIT, handed over as they are.
 * API_BODY_JSON_OPT: like API_BODY_JSON when a body is sent; none leaves
 * body NULL (a DELETE or an action that may carry a few fields). */
enum { API_BODY_NONE = 0, API_BODY_JSON = 1, API_BODY_RAW = 2, API_BODY_JSON_OPT = 3 };
#define API_RAW_LIMIT (50 * 1024 * 1024)

typedef struct api_route {
    const char *method;
    const char *path; /* segments; ":name" matches one segment */
    api_handler_fn fn;
    api_auth_t auth;
    int body;
    unsigned roles; /* AUTH_STAFF: the STAFF_ROLE_* bits allowed */
} api_route_t;

extern const api_route_t api_routes[];
extern const size_t api_routes_count;

/* Query parameters: the raw value of name; an integer in min..max (def
 * when absent; 422 naming the parameter otherwise). */
bool api_query_slice(const api_req_t *r, const char *name, api_slice_t *out);
int api_query_i64(api_req_t *r, const char *name, int64_t def, int64_t min, int64_t max,
                  int64_t *out) __attribute__((warn_unused_result));
/* A text parameter, percent-decoded ('+' a space) into buf: valid UTF-8
 * of at most max code points, no control characters. *out NULL when
 * absent or empty; 422 naming the parameter otherwise. */
int api_query_text(api_req_t *r, const char *name, size_t max, char *buf, size_t cap,
                   const char **out) __attribute__((warn_unused_result));
/* A decimal number parameter in min..max; *has false when absent. */
int api_query_double(api_req_t *r, const char *name, double min, double max, double *out, bool *has)
    __attribute__((warn_unused_result));
/* The client's IP address as text ("unknown" when not known). Borrowed:
 * valid for the request. */
const char *api_client_ip(api_req_t *r);
/* Sets the session cookie name (API_COOKIE_*) to value for max_age
 * seconds (-1: the browser session), or clears it (value NULL). */
void api_cookie_set(api_req_t *r, const char *name, const char *value, int max_age);
/* Sets a JSON response; takes ownership of out. Returns 0. */
int api_reply(api_req_t *r, int status, json_t *out);
/* After the signed-in user's sessions or policy state changed: their live
 * WebSocket connections re-check and close if they may no longer stay. */
void api_recheck_user(api_req_t *r);

#endif
