/* reports.h - users report published content (a review, a question, an
 * answer) with a reason; staff dismiss a report or take its target down
 * with a reason its author sees, audited ("content.takedown"), which
 * decides every open report of that target. One open report per
 * reporter and target; REPORTS_PER_HOUR an account. Owns content_reports. */
#ifndef WLK_REPORTS_H
#define WLK_REPORTS_H

#include "app/app.h"
#include "core/err.h"
#include "staff/staff.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define REPORTS_REASON_MAX 500
#define REPORTS_PER_HOUR   20

/* target: review | question | answer. NOT_FOUND for no such published
 * item; CONFLICT when this reporter has an open report of it;
 * RATE_LIMITED. *out: {"id","target","target_id","status"}. */
int reports_file(app_ctx_t *c, int64_t reporter, const char *target, int64_t target_id,
                 const char *reason, json_t **out, err_t *e) __attribute__((warn_unused_result));
/* The open (or decided) reports, oldest first, each with its target's
 * text: {"items":[{"id","target","target_id","reason","status",
 * "created_at","text"}]} (text null when the target is gone, reason
 * null when its reporter's key is: the account was cancelled). */
int reports_queue(app_ctx_t *c, const char *status, int limit, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Dismisses report id, or takes its target down with reason (required
 * then), audited. NOT_FOUND; CONFLICT when decided already. */
int reports_decide(app_ctx_t *c, const staff_session_t *s, int64_t id, bool takedown,
                   const char *reason, err_t *e) __attribute__((warn_unused_result));

#endif
