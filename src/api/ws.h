/* ws.h - WebSocket frame handling for the HTTP layer (which owns the
 * sockets and the delivery of events). */
#ifndef WLK_API_WS_H
#define WLK_API_WS_H

#include "api/api.h"

#include "chat/chat.h"

/* A `send` frame waiting for the group commit of its loop iteration. */
typedef struct api_ws_pending {
    json_t *frame; /* owned; the item's strings point into it */
    chat_send_item_t item;
} api_ws_pending_t;

/* Handles one text frame from a client. Returns the reply frame (new: an
 * ack, a pong or an error frame), or NULL when the frame is a send that
 * was decoded into *pending: then api_ws_store and api_ws_finish answer it. */
json_t *api_ws_frame(app_ctx_t *ctx, const auth_session_t *session, const char *text, size_t len,
                     api_ws_pending_t *pending);
/* On the writer: stores the pending sends in one transaction. */
void api_ws_store(app_ctx_t *ctx, api_ws_pending_t **p, int n);
/* Afterwards, on the thread that decoded it: the reply (new) to p, an ack
 * or an error frame. Frees what p owns. */
json_t *api_ws_finish(app_ctx_t *ctx, api_ws_pending_t *p);
/* An error frame for e, echoing req_id (borrowed, may be NULL). New. */
json_t *api_ws_error(const err_t *e, const json_t *req_id);

#endif
