/* chat.c - conversations, messages, read receipts, recall and sync. */
#include "api/api_int.h"
#include "binding/binding.h"
#include "chat/chat.h"
#include "core/jread.h"

#include <string.h>

int api_conv_create(api_req_t *r)
{
    static const char *const keys[] = {"peer_id", "development_id", NULL};
    const char *peer_s, *dev_s;
    int64_t peer, dev = 0;
    bool created;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "peer_id", true, 1, 20, &peer_s, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "development_id", false, 1, 20, &dev_s, &r->err)) < 0)
        return rc;
    if (!ids_parse(peer_s, strlen(peer_s), &peer))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "peer_id", "not an id");
    if (dev_s && !ids_parse(dev_s, strlen(dev_s), &dev))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "development_id", "not an id");
    /* from a consultant of a development's list: the buyer is attributed
     * and the chat opens with the development's card */
    if ((rc = dev ? binding_chat_open(r->ctx, r->session.user_id, peer, dev, false, &created, &out,
                                      &r->err)
                  : chat_conv_open(r->ctx, r->session.user_id, peer, &created, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, created ? 201 : 200, out);
}

int api_conv_list(api_req_t *r)
{
    int64_t limit;
    api_slice_t cur;
    char cursor[48];
    json_t *out;
    int rc = api_query_i64(r, "limit", 20, 1, 100, &limit);
    if (rc < 0)
        return rc;
    bool has = api_query_slice(r, "cursor", &cur);
    if (has && (cur.len == 0 || cur.len >= sizeof(cursor)))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "cursor", "not a cursor");
    if (has)
        snprintf(cursor, sizeof(cursor), "%.*s", (int)cur.len, cur.p);
    rc = chat_conv_list(r->ctx, r->session.user_id, (int)limit, has ? cursor : NULL, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_conv_get(api_req_t *r)
{
    int64_t conv;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &conv)) < 0 ||
        (rc = chat_conv_get(r->ctx, r->session.user_id, conv, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_msg_decode(api_req_t *r, const json_t *obj, chat_send_t *in)
{
    const json_t *body;
    int rc;
    if ((rc = jread_str(obj, NULL, "client_id", true, 1, 64, &in->client_id, &r->err)) < 0 ||
        (rc = jread_str(obj, NULL, "kind", true, 1, 16, &in->kind, &r->err)) < 0 ||
        (rc = jread_obj(obj, NULL, "body", true, &body, &r->err)) < 0)
        return rc;
    in->body = body;
    return 0;
}

int api_msg_send(api_req_t *r)
{
    static const char *const keys[] = {"client_id", "kind", "body", NULL};
    int64_t conv;
    chat_send_t in;
    bool created;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &conv)) < 0 ||
        (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_msg_decode(r, r->body, &in)) < 0 ||
        (rc = chat_send(r->ctx, r->session.user_id, conv, &in, &created, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, created ? 201 : 200, out);
}

int api_msg_history(api_req_t *r)
{
    int64_t conv, before, after, limit;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &conv)) < 0 ||
        (rc = api_query_i64(r, "before_seq", 0, 1, INT64_MAX / 2, &before)) < 0 ||
        (rc = api_query_i64(r, "after_seq", -1, 0, INT64_MAX / 2, &after)) < 0 ||
        (rc = api_query_i64(r, "limit", 50, 1, 200, &limit)) < 0)
        return rc;
    api_slice_t v;
    if (api_query_slice(r, "before_seq", &v) && api_query_slice(r, "after_seq", &v))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "after_seq", "give before_seq or after_seq");
    rc = chat_history(r->ctx, r->session.user_id, conv, before, after, (int)limit, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_conv_read(api_req_t *r)
{
    static const char *const keys[] = {"seq", NULL};
    int64_t conv;
    int rc;
    if ((rc = api_param_id(r, 0, &conv)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0)
        return rc;
    json_t *seq = json_object_get(r->body, "seq");
    if (!json_is_integer(seq))
        return err_set(&r->err, ERR_VALIDATION_FAILED, "seq", "an integer");
    rc = chat_read(r->ctx, r->session.user_id, conv, json_integer_value(seq), &r->err);
    return rc < 0 ? rc : api_reply(r, 204, NULL);
}

int api_msg_recall(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = chat_recall(r->ctx, r->session.user_id, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_sync(api_req_t *r)
{
    int64_t cursor, limit;
    json_t *out;
    int rc;
    if ((rc = api_query_i64(r, "cursor", 0, 0, INT64_MAX / 2, &cursor)) < 0 ||
        (rc = api_query_i64(r, "limit", 100, 1, 500, &limit)) < 0 ||
        (rc = chat_sync(r->ctx, r->session.user_id, cursor, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}
