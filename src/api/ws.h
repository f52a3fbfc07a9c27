/* ws.h - WebSocket frame handling for the HTTP layer (which owns the
 * sockets and the delivery of events). */
#ifndef WLK_API_WS_H
#define WLK_API_WS_H

#include "api/api.h"

/* Handles one text frame from a client; returns the reply frame (new):
 * an ack, a pong, or an error frame. Never NULL. */
json_t *api_ws_frame(app_ctx_t *ctx, const auth_session_t *session, const char *text, size_t len);
/* An error frame for e, echoing req_id (borrowed, may be NULL). New. */
json_t *api_ws_error(const err_t *e, const json_t *req_id);

#endif
