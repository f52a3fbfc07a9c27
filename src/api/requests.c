/* requests.c - users' requests and complaints (七.五, 十): opening and
 * reading their own; the staff queue, a ticket's text, answers. */
#include "api/api_int.h"
#include "core/jread.h"
#include "requests/requests.h"

int api_me_request_create(api_req_t *r)
{
    static const char *const keys[] = {"type", "text", NULL};
    const char *type, *text;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "type", true, 1, 16, &type, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "text", true, 1, REQUESTS_TEXT_MAX, &text, &r->err)) < 0 ||
        (rc = requests_create(r->ctx, r->session.user_id, type, text, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 201, out);
}

int api_me_requests(api_req_t *r)
{
    int64_t limit;
    json_t *out;
    int rc;
    if ((rc = api_query_i64(r, "limit", 100, 1, 500, &limit)) < 0 ||
        (rc = requests_mine(r->ctx, r->session.user_id, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_requests(api_req_t *r)
{
    int64_t limit;
    json_t *out;
    int rc;
    if ((rc = api_query_i64(r, "limit", 100, 1, 500, &limit)) < 0 ||
        (rc = requests_open(r->ctx, r->ctx->now_ms(), (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_request_get(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = requests_read(r->ctx, &r->staff, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_request_answer(api_req_t *r)
{
    static const char *const keys[] = {"status", "answer", "reason", NULL};
    requests_answer_t a;
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "status", true, 1, 16, &a.status, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "answer", true, 1, REQUESTS_TEXT_MAX, &a.answer, &r->err)) <
            0 ||
        (rc = jread_text(r->body, NULL, "reason", false, 0, STAFF_REASON_MAX, &a.reason, &r->err)) <
            0 ||
        (rc = requests_answer(r->ctx, &r->staff, id, &a, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}
