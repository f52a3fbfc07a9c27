/* reviews.h - 楼盘点评 (三.二.2, domain.md §5.5, §8): a signed-in account
 * reviews a development once (and edits or deletes that review) with
 * integer scores 1-5 for price, location, transport, amenities and
 * environment and a text checked by moderation; the overall score is the
 * mean, one decimal, computed when read. A development's own consultants
 * may not review it; other consultants' reviews are marked professional
 * (专家点评). Staff take a review down with a reason (audited) that its
 * author sees. Owns reviews. */
#ifndef WLK_REVIEWS_H
#define WLK_REVIEWS_H

#include "app/app.h"
#include "core/err.h"
#include "staff/staff.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define REVIEWS_DIMENSIONS 5
#define REVIEWS_TEXT_MAX   2000 /* characters */
#define REVIEWS_PER_HOUR   10   /* writes (new or edited) per account */

/* The dimensions' names in the API, in score order; and NULL-terminated
 * (for jread_keys). */
extern const char *const reviews_dimensions[REVIEWS_DIMENSIONS];
extern const char *const reviews_dimension_keys[REVIEWS_DIMENSIONS + 1];

/* score.c: a mean in tenths, half up: sum 21 of count 5 is 42 (4.2). */
int64_t reviews_mean_tenths(int64_t sum, int64_t count);

typedef struct review_in {
    int scores[REVIEWS_DIMENSIONS]; /* 1-5 each */
    const char *text;
} review_in_t;

/* Writes author's review of the development: create (CONFLICT when they
 * have one) or edit (NOT_FOUND when they have none). NOT_FOUND for a
 * development not in the catalogue; FORBIDDEN for its own consultants;
 * CONTENT_REJECTED; RATE_LIMITED past REVIEWS_PER_HOUR. *out: the Review. */
int reviews_put(app_ctx_t *c, int64_t author, int64_t development_id, const review_in_t *in,
                bool create, json_t **out, err_t *e) __attribute__((warn_unused_result));
/* Deletes author's review of the development. NOT_FOUND. */
int reviews_delete(app_ctx_t *c, int64_t author, int64_t development_id, err_t *e)
    __attribute__((warn_unused_result));
/* A development's published reviews, newest first, with the summary
 * (count, each dimension's mean and the overall one):
 * {"summary":{"count","scores":{...},"overall"},"items":[Review],
 * "next_cursor"}. NOT_FOUND for a development not in the catalogue;
 * VALIDATION_FAILED for a bad cursor. */
int reviews_list(app_ctx_t *c, int64_t development_id, const char *cursor, int limit, json_t **out,
                 err_t *e) __attribute__((warn_unused_result));
/* The author's own reviews, taken-down ones with their reason. */
int reviews_mine(app_ctx_t *c, int64_t author, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Staff: the latest reviews of every development (status published or
 * hidden), newest first, each with its status and development name. */
int reviews_recent(app_ctx_t *c, const char *status, int limit, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Staff take a review down (status hidden) with a reason the author sees,
 * audited ("review.takedown"). NOT_FOUND; CONFLICT when hidden already. */
int reviews_takedown(app_ctx_t *c, const staff_session_t *s, int64_t id, const char *reason,
                     err_t *e) __attribute__((warn_unused_result));

/* For moderation (reports/): the author of a published review
 * (NOT_FOUND), and its takedown inside the caller's transaction (CONFLICT
 * when hidden already). */
int reviews_author(app_ctx_t *c, int64_t id, int64_t *author, err_t *e)
    __attribute__((warn_unused_result));
int reviews_hide(app_ctx_t *c, int64_t id, const char *reason, err_t *e)
    __attribute__((warn_unused_result));

#endif
