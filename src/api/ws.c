/* ws.c - WebSocket frames, dispatched like routes: `type` selects a table
 * entry whose handler decodes, calls one domain function and encodes the
 * reply. Errors use the codes of the HTTP API; the connection stays up. */
#include "api/api_int.h"
#include "api/ws.h"
#include "chat/chat.h"
#include "core/jread.h"
#include "core/log.h"
#include "privacy/privacy.h"

#include <stdlib.h>

#include <string.h>

typedef int (*frame_fn)(api_req_t *r, const json_t *f, json_t **reply, api_ws_pending_t *p);

static int conv_of(api_req_t *r, const json_t *f, int64_t *conv)
{
    const char *s;
    int rc = jread_str(f, NULL, "conversation_id", true, 1, 20, &s, &r->err);
    if (rc < 0)
        return rc;
    if (!ids_parse(s, strlen(s), conv))
        return err_set(&r->err, ERR_NOT_FOUND, "conversation_id", "no such conversation");
    return 0;
}

/* Decoded now, stored with the other sends of this loop iteration. */
static int f_send(api_req_t *r, const json_t *f, json_t **reply, api_ws_pending_t *p)
{
    static const char *const keys[] = {"type", "req_id", "conversation_id", "client_id", "kind",
                                       "body", NULL};
    int rc;
    (void)reply;
    memset(p, 0, sizeof(*p));
    if ((rc = jread_keys(f, NULL, keys, &r->err)) < 0 || (rc = conv_of(r, f, &p->item.conv)) < 0 ||
        (rc = api_msg_decode(r, f, &p->item.in)) < 0)
        return rc;
    p->item.user = r->session.user_id;
    p->frame = json_incref((json_t *)f);
    return 0;
}

static int f_read(api_req_t *r, const json_t *f, json_t **reply, api_ws_pending_t *p)
{
    (void)p;
    static const char *const keys[] = {"type", "req_id", "conversation_id", "seq", NULL};
    int64_t conv;
    int rc;
    if ((rc = jread_keys(f, NULL, keys, &r->err)) < 0 || (rc = conv_of(r, f, &conv)) < 0)
        return rc;
    json_t *seq = json_object_get(f, "seq");
    if (!json_is_integer(seq))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "seq", "an integer");
    if ((rc = chat_read(r->ctx, r->session.user_id, conv, json_integer_value(seq), &r->err)) < 0)
        return rc;
    *reply = json_pack("{s:s}", "type", "ack");
    return 0;
}

static int f_ping(api_req_t *r, const json_t *f, json_t **reply, api_ws_pending_t *p)
{
    (void)r, (void)f, (void)p;
    *reply = json_pack("{s:s}", "type", "pong");
    return 0;
}

static int f_call(api_req_t *r, const json_t *f, json_t **reply, api_ws_pending_t *p)
{
    (void)p;
    static const char *const keys[] = {"type", "req_id", "conversation_id", "call_id", "action",
                                       "data", NULL};
    int64_t conv;
    const char *call_id, *action;
    const json_t *data;
    int rc;
    if ((rc = jread_keys(f, NULL, keys, &r->err)) < 0 || (rc = conv_of(r, f, &conv)) < 0 ||
        (rc = jread_str(f, NULL, "call_id", true, 1, 64, &call_id, &r->err)) < 0 ||
        (rc = jread_str(f, NULL, "action", true, 1, 16, &action, &r->err)) < 0 ||
        (rc = jread_obj(f, NULL, "data", false, &data, &r->err)) < 0 ||
        (rc = chat_call(r->ctx, r->session.user_id, conv, call_id, action, data, &r->err)) < 0)
        return rc;
    *reply = json_pack("{s:s}", "type", "ack");
    return 0;
}

static const struct {
    const char *type;
    frame_fn fn;
} frames[] = {
    {"send", f_send},
    {"read", f_read},
    {"ping", f_ping},
    {"call", f_call},
};

json_t *api_ws_error(const err_t *e, const json_t *req_id)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "type", "error", "code", err_string(e->code),
                          "message", e->message);
    if (e->has_field)
        json_object_set_new(o, "field", json_string(e->field));
    if (e->extra)
        json_object_update(o, e->extra);
    if (req_id)
        json_object_set(o, "req_id", (json_t *)req_id);
    return o;
}

static int dispatch(api_req_t *r, const json_t *f, json_t **reply, api_ws_pending_t *p)
{
    const char *type;
    json_t *rid = json_object_get(f, "req_id");
    int rc = jread_str(f, NULL, "type", true, 1, 16, &type, &r->err);
    if (rc < 0)
        return rc;
    if (rid && !json_is_string(rid) && !json_is_integer(rid))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "req_id", "a string or an integer");
    /* every frame passes the policy gate, like every request (a version
     * published meanwhile is seen within a second) */
    if ((rc = privacy_gate(r->ctx, r->session.policy_version, r->session.policy_withdrawn,
                           &r->err)) < 0)
        return rc;
    for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
        if (strcmp(frames[i].type, type) == 0)
            return frames[i].fn(r, f, reply, p);
    return err_set(&r->err, ERR_VALIDATION_FAILED, "type", "unknown frame type");
}

json_t *api_ws_frame(app_ctx_t *ctx, const auth_session_t *session, const char *text, size_t len,
                     api_ws_pending_t *pending)
{
    api_req_t r = {.ctx = ctx, .session = *session};
    json_t *f = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL), *reply = NULL;
    pending->frame = NULL;
    if (f == NULL || !json_is_object(f))
        err_set(&r.err, ERR_INVALID_JSON, NULL, "a frame is one JSON object");
    else if (dispatch(&r, f, &reply, pending) < 0 && r.err.code == 0)
        err_internal(&r.err, "frame handler failed without an error");
    if (r.err.code == 0 && pending->frame != NULL) {
        json_decref(f);
        return NULL; /* a send: answered by api_ws_finish */
    }
    if (r.err.cause[0])
        log_msg(err_is_outage(&r.err) ? LOG_WARN : LOG_ERROR,
                err_is_outage(&r.err) ? "database unavailable" : "internal error",
                "websocket frame: %s", r.err.cause);
    json_t *rid = f ? json_object_get(f, "req_id") : NULL;
    if (r.err.code != 0) {
        json_decref(reply);
        reply = api_ws_error(&r.err, json_is_string(rid) || json_is_integer(rid) ? rid : NULL);
    } else if (rid) {
        json_object_set(reply, "req_id", rid);
    }
    err_clear(&r.err);
    json_decref(f);
    return reply;
}

void api_ws_store(app_ctx_t *ctx, api_ws_pending_t **p, int n)
{
    chat_send_item_t **items = malloc(sizeof(*items) * (size_t)n);
    if (items == NULL)
        abort();
    for (int i = 0; i < n; i++)
        items[i] = &p[i]->item;
    chat_send_store(ctx, items, n);
    free(items);
}

json_t *api_ws_finish(app_ctx_t *ctx, api_ws_pending_t *p)
{
    chat_send_finish(ctx, &p->item);
    json_t *rid = json_object_get(p->frame, "req_id"), *reply;
    if (p->item.rc < 0) {
        reply = api_ws_error(&p->item.err, rid);
    } else {
        reply = json_pack("{s:s, s:o}", "type", "ack", "message", p->item.msg);
        if (rid)
            json_object_set(reply, "req_id", rid);
    }
    err_clear(&p->item.err);
    json_decref(p->frame);
    p->frame = NULL;
    return reply;
}
