/* qa.c - the routes of 问答广场: bodies and queries read strictly, then
 * qa/ decides. */
#include "api/api_int.h"
#include "core/jread.h"
#include "qa/qa.h"

#include <string.h>

/* Exactly one target: a development (by id) or a city. */
static int target(api_req_t *r, int64_t dev, const char *city)
{
    if ((dev != 0) == (city != NULL))
        return err_set(&r->err, ERR_VALIDATION_FAILED, dev ? "city" : "development_id",
                       "a development_id or a city, not both");
    return 0;
}

int api_questions(api_req_t *r)
{
    int64_t dev, limit;
    char cb[48], cityb[96];
    const char *cursor, *city;
    json_t *out;
    int rc;
    if ((rc = api_query_i64(r, "development_id", 0, 1, INT64_MAX, &dev)) < 0 ||
        (rc = api_query_text(r, "city", 20, cityb, sizeof(cityb), &city)) < 0 ||
        (rc = api_query_text(r, "cursor", 44, cb, sizeof(cb), &cursor)) < 0 ||
        (rc = api_query_i64(r, "limit", 20, 1, 50, &limit)) < 0 ||
        (rc = target(r, dev, city)) < 0 ||
        (rc = qa_list(r->ctx, dev, city, cursor, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_question_ask(api_req_t *r)
{
    static const char *const keys[] = {"development_id", "city", "text", NULL};
    int64_t dev;
    const char *city, *text;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_body_id(r, "development_id", false, &dev)) < 0 ||
        (rc = jread_str(r->body, NULL, "city", false, 1, 20, &city, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "text", true, 1, QA_TEXT_MAX, &text, &r->err)) < 0 ||
        (rc = target(r, dev, city)) < 0 ||
        (rc = qa_ask(r->ctx, r->session.user_id, dev, city, text, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 201, out);
}

int api_question_get(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = qa_get(r->ctx, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_question_delete(api_req_t *r)
{
    int64_t id;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = qa_delete_question(r->ctx, r->session.user_id, id, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_question_answer(api_req_t *r)
{
    static const char *const keys[] = {"text", NULL};
    int64_t id;
    const char *text;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "text", true, 1, QA_TEXT_MAX, &text, &r->err)) < 0 ||
        (rc = qa_answer(r->ctx, r->session.user_id, id, text, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 201, out);
}

int api_question_accept(api_req_t *r)
{
    static const char *const keys[] = {"answer_id", NULL};
    int64_t id, answer;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_body_id(r, "answer_id", true, &answer)) < 0 ||
        (rc = qa_accept(r->ctx, r->session.user_id, id, answer, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_answer_delete(api_req_t *r)
{
    int64_t id;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = qa_delete_answer(r->ctx, r->session.user_id, id, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_me_questions(api_req_t *r)
{
    json_t *out;
    int rc = qa_mine(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}
