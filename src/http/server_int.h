/* server_int.h - shared between server.c (threads) and request.c. */
#ifndef WLK_SERVER_INT_H
#define WLK_SERVER_INT_H

#include "api/ws.h"
#include "http/router.h"

#include <h2o.h>

typedef struct http_thread http_thread_t;

/* The one h2o handler: routes and answers every request. */
int http_on_req(h2o_handler_t *self, h2o_req_t *req);
const http_router_t *http_server_router(void);
/* The loop thread's context of a request. */
http_thread_t *http_thread_of(h2o_req_t *req);
app_ctx_t *http_thread_ctx(http_thread_t *t);
struct metrics *http_thread_metrics(http_thread_t *t);
/* WebSocket sessions of one loop thread (ws.c). */
typedef struct ws_thread ws_thread_t;
struct hub;
ws_thread_t *http_ws_thread_create(http_thread_t *t, int index, struct hub *hub,
                                   h2o_context_t *ctx);
ws_thread_t *http_thread_ws(http_thread_t *t);
/* Called from any thread: user has new events (or, recheck, changed
 * sessions or policy state); wakes the owning loop. */
void http_ws_notify(ws_thread_t *wt, int64_t user, bool recheck);
void http_ws_tick(ws_thread_t *wt);
/* Hands the sends read in this loop iteration to the committer; their
 * acks are queued when it answers. */
void http_ws_flush_sends(ws_thread_t *wt);
/* No send of this thread is with the committer (the loop may stop). */
bool http_ws_settled(const ws_thread_t *wt);
/* Writes what the iteration queued, one write per session. */
void http_ws_write_dirty(ws_thread_t *wt);
void http_ws_close_all(ws_thread_t *wt);
/* Upgrades req to a WebSocket for an authenticated session. cursor < 0:
 * start at the head of the user's stream. protocol: answer the "wlk"
 * subprotocol. Errors before the upgrade: UPGRADE_REQUIRED, VALIDATION_FAILED. */
int http_ws_upgrade(ws_thread_t *wt, h2o_req_t *req, const auth_session_t *auth, int64_t cursor,
                    bool protocol, err_t *e);

/* The committer thread (commit.c): stores the WebSocket sends of every
 * loop in one transaction per turn, on its own connection (api_ws_store),
 * then hands each job back to reply_to (a loop's receiver), which answers
 * (api_ws_finish). */
typedef struct http_commit_job {
    h2o_multithread_message_t super;
    struct http_commit_job *next;
    h2o_multithread_receiver_t *reply_to;
    api_ws_pending_t *p;
    int n;
} http_commit_job_t;
int http_commit_start(app_t *app, err_t *e);
void http_commit_submit(http_commit_job_t *job);
/* Once no loop has a job with it. */
void http_commit_stop(void);

/* Answers a GET or HEAD for the web client (static.c): the asset (304
 * when If-None-Match names its ETag) or the page of a client route, with
 * the security headers. Returns the status sent, or a negative ERR_* with
 * nothing sent (NOT_FOUND, METHOD_NOT_ALLOWED) for the caller to answer.
 * secure: the client reached us over TLS (wss: in the page's policy). */
int http_static_serve(h2o_req_t *req, const char *request_id, bool secure);

/* Where a request comes from (origin.c). The TCP peer's address as text
 * ("unknown" when not known). */
void http_peer_ip(h2o_req_t *req, char out[46]);
/* Whether the client reached us over TLS: h2o's own, or a proxy listed in
 * trusted (--trusted-proxy) that says so with X-Forwarded-Proto: https. */
bool http_is_secure(h2o_req_t *req, const char *trusted);
/* The value of the cookie name (borrowed from the request), if sent. */
bool http_cookie(h2o_req_t *req, const char *name, h2o_iovec_t *out);
/* Whether the request comes from a page of this site: its Origin is our
 * scheme and Host (default ports aside); without an Origin, unless
 * need_origin, Sec-Fetch-Site: same-origin. */
bool http_origin_is_ours(h2o_req_t *req, bool secure, bool need_origin);
/* Cross-site request forgery: a write (not GET, HEAD, OPTIONS) without a
 * bearer header is refused (CROSS_ORIGIN) when it names another site as
 * its Origin, or when it carries a session cookie without proving that it
 * comes from our own pages. trusted: --trusted-proxy (for the scheme).
 * Reads cost one method comparison. */
int http_check_origin(h2o_req_t *req, const char *trusted, err_t *e)
    __attribute__((warn_unused_result));

/* A request id unique in this process (16 hex chars + NUL). */
void http_thread_request_id(http_thread_t *t, char out[17]);

#endif
