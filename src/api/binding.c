/* binding.c - 绑定楼盘 and 客户归属 (F3, R25): applying, one's bindings,
 * unbinding, a development's consultants, a buyer's visit through a
 * consultant's link or QR, the consultant's buyers, chats and pool, and
 * the reviewers' queue. */
#include "api/api_int.h"
#include "binding/binding.h"
#include "core/jread.h"

#include <string.h>

int api_binding_apply(api_req_t *r)
{
    static const char *const keys[] = {"development_id", "role",       "main", "contact_phone",
                                       "business_card",  "work_badge", NULL};
    binding_apply_t in = {0};
    uint8_t *card = NULL, *badge = NULL;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_body_id(r, "development_id", true, &in.development_id)) < 0 ||
        (rc = jread_str(r->body, NULL, "role", false, 1, 16, &in.role, &r->err)) < 0 ||
        (rc = jread_bool(r->body, NULL, "main", false, &in.main, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "contact_phone", true, 1, 16, &in.contact_phone, &r->err)) <
            0)
        return rc;
    if (!in.role)
        in.role = "consultant";
    if ((rc = api_body_base64(r, "business_card", BINDING_PHOTO_MAX, &card, &in.card_len)) == 0 &&
        (rc = api_body_base64(r, "work_badge", BINDING_PHOTO_MAX, &badge, &in.badge_len)) == 0) {
        in.card = card;
        in.badge = badge;
        rc = binding_apply(r->ctx, r->session.user_id, &in, &out, &r->err);
    }
    api_body_base64_free(card, in.card_len);
    api_body_base64_free(badge, in.badge_len);
    return rc < 0 ? rc : api_reply(r, 201, out);
}

int api_me_bindings(api_req_t *r)
{
    json_t *out;
    int rc = binding_mine(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_binding_unbind(api_req_t *r)
{
    int64_t id;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = binding_unbind(r->ctx, r->session.user_id, id, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_development_consultants(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = binding_consultants(r->ctx, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_development_visit(api_req_t *r)
{
    static const char *const keys[] = {"consultant_id", "source", NULL};
    int64_t id, consultant;
    const char *source;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_body_id(r, "consultant_id", true, &consultant)) < 0 ||
        (rc = jread_str(r->body, NULL, "source", true, 1, 8, &source, &r->err)) < 0)
        return rc;
    if (strcmp(source, "qr") != 0 && strcmp(source, "link") != 0)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "source", "qr or link");
    if ((rc = binding_attribute(r->ctx, r->session.user_id, id, consultant, source, &out,
                                &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_consultant_conversation(api_req_t *r)
{
    static const char *const keys[] = {"buyer_id", "development_id", NULL};
    int64_t buyer, dev;
    bool created;
    json_t *out;
    int rc;
    if ((rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_body_id(r, "buyer_id", true, &buyer)) < 0 ||
        (rc = api_body_id(r, "development_id", true, &dev)) < 0 ||
        (rc = binding_chat_open(r->ctx, r->session.user_id, buyer, dev, true, &created, &out,
                                &r->err)) < 0)
        return rc;
    return api_reply(r, created ? 201 : 200, out);
}

int api_consultant_card(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = binding_card(r->ctx, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_consultant_buyers(api_req_t *r)
{
    json_t *out;
    int rc = binding_buyers(r->ctx, r->session.user_id, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 200, out);
}

int api_consultant_pool(api_req_t *r)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = binding_pool(r->ctx, r->session.user_id, id, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_consultant_assign(api_req_t *r)
{
    static const char *const keys[] = {"consultant_id", NULL};
    int64_t dev, buyer, consultant;
    int rc;
    if ((rc = api_param_id(r, 0, &dev)) < 0 || (rc = api_param_id(r, 1, &buyer)) < 0 ||
        (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = api_body_id(r, "consultant_id", true, &consultant)) < 0 ||
        (rc = binding_assign(r->ctx, r->session.user_id, dev, buyer, consultant, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_consultant_stage(api_req_t *r)
{
    static const char *const keys[] = {"stage", NULL};
    const char *stage;
    int64_t dev, buyer;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &dev)) < 0 || (rc = api_param_id(r, 1, &buyer)) < 0 ||
        (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "stage", true, 1, 8, &stage, &r->err)) < 0)
        return rc;
    if (strcmp(stage, "visited") != 0 && strcmp(stage, "deal") != 0)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "stage", "visited or deal");
    if ((rc = binding_progress(r->ctx, r->session.user_id, dev, buyer, stage, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_bindings(api_req_t *r)
{
    char buf[16];
    const char *status;
    int64_t limit;
    json_t *out;
    int rc;
    if ((rc = api_query_text(r, "status", 10, buf, sizeof(buf), &status)) < 0 ||
        (rc = api_query_i64(r, "limit", 100, 1, 500, &limit)) < 0)
        return rc;
    if (!status)
        status = "pending";
    if (strcmp(status, "pending") != 0 && strcmp(status, "approved") != 0 &&
        strcmp(status, "rejected") != 0 && strcmp(status, "unbound") != 0)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "status",
                       "pending, approved, rejected or unbound");
    if ((rc = binding_queue(r->ctx, status, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_binding_documents(api_req_t *r)
{
    static const char *const keys[] = {"reason", NULL};
    const char *reason;
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", true, 1, STAFF_REASON_MAX, &reason, &r->err)) <
            0 ||
        (rc = binding_documents(r->ctx, &r->staff, id, reason, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_binding_decision(api_req_t *r)
{
    static const char *const keys[] = {"decision", "reason", NULL};
    const char *decision, *reason;
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = jread_str(r->body, NULL, "decision", true, 1, 8, &decision, &r->err)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", false, 0, STAFF_REASON_MAX, &reason, &r->err)) <
            0)
        return rc;
    if (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "decision", "approve or reject");
    if ((rc = binding_decide(r->ctx, &r->staff, id, decision[0] == 'a', reason, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}
