/* requests.h - users' requests about their data and complaints (七.五,
 * 十, 十一; F11, F22): a ticket answered within 15 days, its text and
 * answer sealed under the user's data key, every staff read and answer
 * audited, a refusal always naming its reason and where to complain.
 * Plain C over app_ctx_t: no HTTP here. */
#ifndef WLK_REQUESTS_H
#define WLK_REQUESTS_H

#include "app/app.h"
#include "core/err.h"
#include "staff/staff.h"

#include <jansson.h>
#include <stdint.h>

#define REQUESTS_DAY_MS   86400000LL
#define REQUESTS_DUE_DAYS 15 /* 十: "我们将在十五天内回复" */
#define REQUESTS_TEXT_MAX 2000
/* 十一: the regulator's channel, named in every refusal */
#define REQUESTS_COMPLAIN_NAME "中央网信办违法和不良信息举报中心"
#define REQUESTS_COMPLAIN_URL  "https://www.12377.cn"

/* Opens a ticket: type access|correction|deletion|complaint|other, text
 * 1..REQUESTS_TEXT_MAX characters. *out: the ticket as the user sees it
 * (GET /v1/me/requests item). VALIDATION_FAILED (type, text). */
int requests_create(app_ctx_t *c, int64_t user_id, const char *type, const char *text, json_t **out,
                    err_t *e) __attribute__((warn_unused_result));
/* {"items":[{"id","type","status","text","created_at","due_at",
 * "answered_at","answer","reason","complain_to"}]} newest first, at most
 * limit. Returns new. */
int requests_mine(app_ctx_t *c, int64_t user_id, int limit, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Open tickets for staff, overdue first, then by due time, without their
 * text: {"items":[{"id","user_id","type","status","created_at","due_at",
 * "overdue","days_late"}]}. Returns new. */
int requests_open(app_ctx_t *c, int64_t now, int limit, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* One ticket with its text, for staff s; the read is audited. NOT_FOUND. */
int requests_read(app_ctx_t *c, const staff_session_t *s, int64_t id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

typedef struct requests_answer {
    const char *status; /* done | refused */
    const char *answer; /* to the user */
    const char *reason; /* required for a refusal; may be NULL otherwise */
} requests_answer_t;

/* Answers an open ticket, audits it and tells the user (event
 * "request.answered"). NOT_FOUND; CONFLICT when already answered;
 * VALIDATION_FAILED (status, answer, reason). *out: the ticket as the user
 * sees it. */
int requests_answer(app_ctx_t *c, const staff_session_t *s, int64_t id, const requests_answer_t *a,
                    json_t **out, err_t *e) __attribute__((warn_unused_result));
/* Open tickets past due at now, most late first: {"items":[{"id","type",
 * "due_at","days_late"}]}. Returns new. */
int requests_overdue(app_ctx_t *c, int64_t now, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

#endif
