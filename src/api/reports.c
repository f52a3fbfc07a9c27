/* reports.c - the routes of content reports: a user files one, staff
 * list and decide them. */
#include "api/api_int.h"
#include "core/jread.h"
#include "reports/reports.h"

#include <string.h>

int api_report_file(api_req_t *r)
{
    static const char *const keys[] = {"target", "target_id", "reason", NULL};
    const char *target, *reason;
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "target", true, 1, 10, &target, &r->err)) < 0 ||
        (rc = api_body_id(r, "target_id", true, &id)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", true, 1, REPORTS_REASON_MAX, &reason, &r->err)) <
            0 ||
        (rc = reports_file(r->ctx, r->session.user_id, target, id, reason, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 201, out);
}

int api_admin_reports(api_req_t *r)
{
    char buf[16];
    const char *status;
    int64_t limit;
    json_t *out;
    int rc;
    if ((rc = api_query_text(r, "status", 12, buf, sizeof(buf), &status)) < 0 ||
        (rc = api_query_i64(r, "limit", 50, 1, 200, &limit)) < 0)
        return rc;
    if (!status)
        status = "open";
    if (strcmp(status, "open") != 0 && strcmp(status, "dismissed") != 0 &&
        strcmp(status, "taken_down") != 0)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "status", "open, dismissed or taken_down");
    if ((rc = reports_queue(r->ctx, status, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_report_decide(api_req_t *r)
{
    static const char *const keys[] = {"decision", "reason", NULL};
    const char *decision, *reason;
    int64_t id;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "decision", true, 1, 10, &decision, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", false, 0, STAFF_REASON_MAX, &reason, &r->err)) <
            0)
        return rc;
    if (strcmp(decision, "dismiss") != 0 && strcmp(decision, "takedown") != 0)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "decision", "dismiss or takedown");
    if ((rc = reports_decide(r->ctx, &r->staff, id, decision[0] == 't', reason, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}
