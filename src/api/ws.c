/* ws.c - WebSocket frames, dispatched like routes: `type` selects a table
 * entry whose handler decodes, calls one domain function and encodes the
 * reply. Errors use the codes of the HTTP API; the connection stays up. */
#include "api/api_int.h"
#include "api/ws.h"
#include "chat/chat.h"
#include "core/jread.h"

#include <string.h>

typedef int (*frame_fn)(api_req_t *r, const json_t *f, json_t **reply);

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

static int f_send(api_req_t *r, const json_t *f, json_t **reply)
{
    static const char *const keys[] = {"type", "req_id", "conversation_id", "client_id", "kind",
                                       "body", NULL};
    int64_t conv;
    chat_send_t in;
    bool created;
    json_t *msg;
    int rc;
    if ((rc = jread_keys(f, NULL, keys, &r->err)) < 0 || (rc = conv_of(r, f, &conv)) < 0 ||
        (rc = api_msg_decode(r, f, &in)) < 0 ||
        (rc = chat_send(r->ctx, r->session.user_id, conv, &in, &created, &msg, &r->err)) < 0)
        return rc;
    *reply = json_pack("{s:s, s:o}", "type", "ack", "message", msg);
    return 0;
}

static int f_read(api_req_t *r, const json_t *f, json_t **reply)
{
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

static int f_ping(api_req_t *r, const json_t *f, json_t **reply)
{
    (void)r, (void)f;
    *reply = json_pack("{s:s}", "type", "pong");
    return 0;
}

static int f_call(api_req_t *r, const json_t *f, json_t **reply)
{
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

static int dispatch(api_req_t *r, const json_t *f, json_t **reply)
{
    const char *type;
    json_t *rid = json_object_get(f, "req_id");
    int rc = jread_str(f, NULL, "type", true, 1, 16, &type, &r->err);
    if (rc < 0)
        return rc;
    if (rid && !json_is_string(rid) && !json_is_integer(rid))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "req_id", "a string or an integer");
    for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
        if (strcmp(frames[i].type, type) == 0)
            return frames[i].fn(r, f, reply);
    return err_set(&r->err, ERR_VALIDATION_FAILED, "type", "unknown frame type");
}

json_t *api_ws_frame(app_ctx_t *ctx, const auth_session_t *session, const char *text, size_t len)
{
    api_req_t r = {.ctx = ctx, .session = *session};
    json_t *f = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL), *reply = NULL;
    if (f == NULL || !json_is_object(f))
        err_set(&r.err, ERR_INVALID_JSON, NULL, "a frame is one JSON object");
    else if (dispatch(&r, f, &reply) < 0 && r.err.code == 0)
        err_internal(&r.err, "frame handler failed without an error");
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
