/* reviews.c - the routes of 楼盘点评 and of the banned-words list:
 * bodies read strictly, then reviews/ and moderation/ decide. */
#include "api/api_int.h"
#include "core/jread.h"
#include "moderation/moderation.h"
#include "reviews/reviews.h"

#include <stdio.h>
#include <string.h>

static int review_body(api_req_t *r, review_in_t *in)
{
    static const char *const keys[] = {"scores", "text", NULL};
    const json_t *scores;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_obj(r->body, NULL, "scores", true, &scores, &r->err)) < 0 ||
        (rc = jread_keys(scores, "scores", reviews_dimension_keys, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "text", true, 1, REVIEWS_TEXT_MAX, &in->text, &r->err)) < 0)
        return rc;
    for (int i = 0; i < REVIEWS_DIMENSIONS; i++) {
        const json_t *v = json_object_get(scores, reviews_dimensions[i]);
        char field[32];
        snprintf(field, sizeof(field), "scores.%s", reviews_dimensions[i]);
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5)
            return err_set(&r->err, ERR_VALIDATION_FAILED, field, "an integer from 1 to 5");
        in->scores[i] = (int)json_integer_value(v);
    }
    return 0;
}

static int put(api_req_t *r, bool create)
{
    int64_t dev;
    review_in_t in = {0};
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &dev)) < 0 || (rc = review_body(r, &in)) < 0 ||
        (rc = reviews_put(r->ctx, r->session.user_id, dev, &in, create, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, create ? 201 : 200, out);
}

int api_review_create(api_req_t *r)
{
    return put(r, true);
}

int api_review_edit(api_req_t *r)
{
    return put(r, false);
}

int api_review_delete(api_req_t *r)
{
    int64_t dev;
    int rc;
    if ((rc = api_param_id(r, 0, &dev)) < 0 ||
        (rc = reviews_delete(r->ctx, r->session.user_id, dev, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_development_reviews(api_req_t *r)
{
    int64_t dev, limit;
    char buf[48];
    const char *cursor;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &dev)) < 0 ||
        (rc = api_query_i64(r, "limit", 20, 1, 50, &limit)) < 0 ||
        (rc = api_query_text(r, "cursor", 44, buf, sizeof(buf), &cursor)) < 0 ||
        (rc = reviews_list(r->ctx, dev, cursor, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_me_reviews(api_req_t *r)
{
    json_t *out;
    int rc = reviews_mine(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_admin_reviews(api_req_t *r)
{
    char buf[16];
    const char *status;
    int64_t limit;
    json_t *out;
    int rc;
    if ((rc = api_query_text(r, "status", 10, buf, sizeof(buf), &status)) < 0 ||
        (rc = api_query_i64(r, "limit", 50, 1, 200, &limit)) < 0)
        return rc;
    if (!status)
        status = "published";
    if (strcmp(status, "published") != 0 && strcmp(status, "hidden") != 0)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "status", "published or hidden");
    if ((rc = reviews_recent(r->ctx, status, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_review_takedown(api_req_t *r)
{
    static const char *const keys[] = {"reason", NULL};
    const char *reason;
    int64_t id;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", true, 1, STAFF_REASON_MAX, &reason, &r->err)) <
            0 ||
        (rc = reviews_takedown(r->ctx, &r->staff, id, reason, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_admin_banned_words(api_req_t *r)
{
    json_t *out;
    int rc = moderation_words(r->ctx, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_admin_banned_words_put(api_req_t *r)
{
    static const char *const keys[] = {"items", NULL};
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = moderation_words_put(r->ctx, &r->staff, json_object_get(r->body, "items"), &r->err)) <
            0 ||
        (rc = moderation_words(r->ctx, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}
