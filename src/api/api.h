/* api.h - the route table and the request/response record that thin
 * handlers see. The HTTP layer matches a route, checks method, body and
 * bearer token, fills api_req_t, calls the handler and renders what it
 * set. Handlers never see h2o. */
#ifndef WLK_API_H
#define WLK_API_H

#include "app/app.h"
#include "auth/auth.h"
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>

#define API_MAX_PARAMS 4
#define API_JSON_LIMIT (1024 * 1024)

typedef enum { AUTH_NONE, AUTH_USER } api_auth_t;

typedef struct api_slice {
    const char *p;
    size_t len;
} api_slice_t;

typedef struct api_req {
    app_ctx_t *ctx;
    json_t *body; /* the JSON object for BODY_JSON routes; borrowed */
    api_slice_t params[API_MAX_PARAMS];
    api_slice_t query;
    auth_session_t session; /* for AUTH_USER routes */
    const char *client_ip;
    err_t err;
    /* the response: a status and a JSON body (owned), or raw bytes */
    int status;
    json_t *out;
    const char *raw;
    size_t raw_len;
    const char *raw_type;
    char *raw_owned; /* freed after sending */
} api_req_t;

typedef int (*api_handler_fn)(api_req_t *r);

enum { API_BODY_NONE = 0, API_BODY_JSON = 1 };

typedef struct api_route {
    const char *method;
    const char *path; /* segments; ":name" matches one segment */
    api_handler_fn fn;
    api_auth_t auth;
    int body;
} api_route_t;

extern const api_route_t api_routes[];
extern const size_t api_routes_count;

/* Sets a JSON response; takes ownership of out. Returns 0. */
int api_reply(api_req_t *r, int status, json_t *out);

#endif
