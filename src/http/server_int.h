/* server_int.h - shared between server.c (threads) and request.c. */
#ifndef WLK_SERVER_INT_H
#define WLK_SERVER_INT_H

#include "http/router.h"

#include <h2o.h>

typedef struct http_thread http_thread_t;

/* The one h2o handler: routes and answers every request. */
int http_on_req(h2o_handler_t *self, h2o_req_t *req);
const http_router_t *http_server_router(void);
/* The loop thread's context of a request. */
http_thread_t *http_thread_of(h2o_req_t *req);
app_ctx_t *http_thread_ctx(http_thread_t *t);
struct http_metrics *http_thread_metrics(http_thread_t *t);
/* A request id unique in this process (16 hex chars + NUL). */
void http_thread_request_id(http_thread_t *t, char out[17]);

#endif
