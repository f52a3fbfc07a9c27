/* routes.c - every route of the API, as data. Order matters only where a
 * static segment and a parameter could both match: list the static first. */
#include "api/api_int.h"

#include <stdio.h>

/* staff and requests (issue 4): role bits, short for the table */
#define R_ADMIN    STAFF_ROLE_ADMIN
#define R_REVIEWER STAFF_ROLE_REVIEWER
#define R_SUPPORT  STAFF_ROLE_SUPPORT
#define R_AUDITOR  STAFF_ROLE_AUDITOR

/* clang-format off */
const api_route_t api_routes[] = {
    /* method    path                              handler                    auth         body           roles */
    {"GET",    "/healthz",                       api_healthz,               AUTH_NONE,   API_BODY_NONE, 0},
    {"GET",    "/metrics",                       api_metrics,               AUTH_NONE,   API_BODY_NONE, 0},
    {"GET",    "/v1/openapi.yaml",               api_openapi,               AUTH_NONE,   API_BODY_NONE, 0},
    {"GET",    "/v1/errors",                     api_errors,                AUTH_NONE,   API_BODY_NONE, 0},
    {"GET",    "/v1/privacy/policy",             api_policy_current,        AUTH_NONE,   API_BODY_NONE, 0},
    {"GET",    "/v1/privacy/policy/versions",    api_policy_versions,       AUTH_NONE,   API_BODY_NONE, 0},
    {"GET",    "/v1/privacy/policy/:version",    api_policy_version,        AUTH_NONE,   API_BODY_NONE, 0},
    {"POST",   "/v1/auth/sms-code",              api_auth_sms_code,         AUTH_NONE,   API_BODY_JSON, 0},
    {"POST",   "/v1/auth/login",                 api_auth_login,            AUTH_NONE,   API_BODY_JSON, 0},
    {"POST",   "/v1/auth/logout",                api_auth_logout,           AUTH_RIGHTS, API_BODY_NONE, 0},
    {"GET",    "/v1/me",                         api_me_get,                AUTH_RIGHTS, API_BODY_NONE, 0},
    {"PATCH",  "/v1/me",                         api_me_patch,              AUTH_USER,   API_BODY_JSON, 0},
    {"GET",    "/v1/me/devices",                 api_me_devices,            AUTH_USER,   API_BODY_NONE, 0},
    {"DELETE", "/v1/me/devices/:id",             api_me_device_delete,      AUTH_USER,   API_BODY_NONE, 0},
    {"PUT",    "/v1/me/devices/:id/push",        api_me_device_push_put,    AUTH_USER,   API_BODY_JSON, 0},
    {"DELETE", "/v1/me/devices/:id/push",        api_me_device_push_delete, AUTH_USER,   API_BODY_NONE, 0},
    {"GET",    "/v1/me/consents",                api_me_consents,           AUTH_RIGHTS, API_BODY_NONE, 0},
    {"PUT",    "/v1/me/consents/:scope",         api_me_consent_put,        AUTH_RIGHTS, API_BODY_JSON, 0},
    {"DELETE", "/v1/me/consents/:scope",         api_me_consent_delete,     AUTH_RIGHTS, API_BODY_JSON_OPT, 0},
    {"POST",   "/v1/conversations",              api_conv_create,           AUTH_USER,   API_BODY_JSON, 0},
    {"GET",    "/v1/conversations",              api_conv_list,             AUTH_USER,   API_BODY_NONE, 0},
    {"GET",    "/v1/conversations/:id",          api_conv_get,              AUTH_USER,   API_BODY_NONE, 0},
    {"POST",   "/v1/conversations/:id/messages", api_msg_send,              AUTH_USER,   API_BODY_JSON, 0},
    {"GET",    "/v1/conversations/:id/messages", api_msg_history,           AUTH_USER,   API_BODY_NONE, 0},
    {"POST",   "/v1/conversations/:id/read",     api_conv_read,             AUTH_USER,   API_BODY_JSON, 0},
    {"POST",   "/v1/messages/:id/recall",        api_msg_recall,            AUTH_USER,   API_BODY_NONE, 0},
    {"GET",    "/v1/sync",                       api_sync,                  AUTH_USER,   API_BODY_NONE, 0},
    {"POST",   "/v1/media",                      api_media_upload,          AUTH_USER,   API_BODY_RAW,  0},
    {"GET",    "/v1/media/:id",                  api_media_get,             AUTH_USER,   API_BODY_NONE, 0},
    {"GET",    "/v1/ws",                         NULL,                      AUTH_WS,     API_BODY_NONE, 0},
    /* retention and policy (issue 4) */
    {"POST",   "/v1/admin/users/:id/unlawful",   api_admin_unlawful,        AUTH_STAFF,  API_BODY_JSON, STAFF_ROLE_ADMIN | STAFF_ROLE_SUPPORT},
    /* staff and requests (issue 4): the roles column is the staff role matrix (docs/PRIVACY.md) */
    {"POST",   "/v1/admin/login",                api_admin_login,           AUTH_NONE,   API_BODY_JSON, 0},
    {"POST",   "/v1/admin/logout",               api_admin_logout,          AUTH_STAFF,  API_BODY_NONE, STAFF_ROLES_ALL},
    {"GET",    "/v1/admin/me",                   api_admin_me,              AUTH_STAFF,  API_BODY_NONE, STAFF_ROLES_ALL},
    {"GET",    "/v1/admin/staff",                api_admin_staff,           AUTH_STAFF,  API_BODY_NONE, R_ADMIN},
    {"POST",   "/v1/admin/staff",                api_admin_staff_add,       AUTH_STAFF,  API_BODY_JSON, R_ADMIN},
    {"POST",   "/v1/admin/staff/:name/disable",  api_admin_staff_disable,   AUTH_STAFF,  API_BODY_NONE, R_ADMIN},
    {"GET",    "/v1/admin/audit",                api_admin_audit,           AUTH_STAFF,  API_BODY_NONE, R_AUDITOR},
    {"GET",    "/v1/admin/audit/verify",         api_admin_audit_verify,    AUTH_STAFF,  API_BODY_NONE, R_AUDITOR},
    {"POST",   "/v1/admin/incidents",            api_admin_incident_create, AUTH_STAFF,  API_BODY_JSON, R_ADMIN},
    {"POST",   "/v1/admin/users/lookup",         api_admin_user_lookup,     AUTH_STAFF,  API_BODY_JSON, R_ADMIN | R_SUPPORT | R_REVIEWER},
    {"GET",    "/v1/admin/users/:id",            api_admin_user,            AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_SUPPORT | R_REVIEWER},
    {"POST",   "/v1/admin/users/:id/reveal",     api_admin_user_reveal,     AUTH_STAFF,  API_BODY_JSON, R_ADMIN | R_SUPPORT | R_REVIEWER},
    {"GET",    "/v1/admin/exports",              api_admin_exports,         AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_SUPPORT},
    {"POST",   "/v1/admin/exports",              api_admin_export_create,   AUTH_STAFF,  API_BODY_JSON, R_ADMIN | R_SUPPORT},
    {"GET",    "/v1/admin/exports/:id",          api_admin_export_get,      AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_SUPPORT},
    {"POST",   "/v1/admin/exports/:id/approve",  api_admin_export_approve,  AUTH_STAFF,  API_BODY_NONE, R_ADMIN},
    {"GET",    "/v1/admin/requests",             api_admin_requests,        AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_SUPPORT},
    {"GET",    "/v1/admin/requests/:id",         api_admin_request_get,     AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_SUPPORT},
    {"POST",   "/v1/admin/requests/:id/answer",  api_admin_request_answer,  AUTH_STAFF,  API_BODY_JSON, R_ADMIN | R_SUPPORT},
    {"GET",    "/v1/me/access-log",              api_me_access_log,         AUTH_USER,   API_BODY_NONE, 0},
    {"POST",   "/v1/me/requests",                api_me_request_create,     AUTH_USER,   API_BODY_JSON, 0},
    {"GET",    "/v1/me/requests",                api_me_requests,           AUTH_USER,   API_BODY_NONE, 0},
    /* rights (issue 4) */
    {"POST",   "/v1/me/sms-code",                api_me_sms_code,           AUTH_RIGHTS, API_BODY_JSON_OPT, 0},
    {"POST",   "/v1/me/export",                  api_me_export,             AUTH_RIGHTS, API_BODY_JSON_OPT, 0},
    {"POST",   "/v1/me/cancel",                  api_me_cancel,             AUTH_RIGHTS, API_BODY_JSON_OPT, 0},
    /* identity verification and the developments catalogue (issue 13) */
    {"POST",   "/v1/me/identity",                api_me_identity_post,      AUTH_USER,   API_BODY_JSON, 0},
    {"GET",    "/v1/me/identity",                api_me_identity_get,       AUTH_USER,   API_BODY_NONE, 0},
    {"POST",   "/v1/me/identity/code",           api_me_identity_confirm,   AUTH_USER,   API_BODY_JSON, 0},
    /* 八: AUTH_RIGHTS, so a child waiting for a guardian reaches them */
    {"PUT",    "/v1/me/age-range",               api_me_age_range,          AUTH_RIGHTS, API_BODY_JSON, 0},
    {"GET",    "/v1/me/guardian",                api_me_guardian_get,       AUTH_RIGHTS, API_BODY_NONE, 0},
    {"POST",   "/v1/me/guardian",                api_me_guardian_ask,       AUTH_RIGHTS, API_BODY_JSON_OPT, 0},
    {"POST",   "/v1/me/guardian/confirm",        api_me_guardian_confirm,   AUTH_RIGHTS, API_BODY_JSON, 0},
    {"POST",   "/v1/me/guardian/withdraw",       api_me_guardian_withdraw,  AUTH_RIGHTS, API_BODY_JSON, 0},
    {"GET",    "/v1/developments",               api_developments,          AUTH_OPTIONAL, API_BODY_NONE, 0},
    {"GET",    "/v1/developments/:id",           api_development_get,       AUTH_NONE,   API_BODY_NONE, 0},
    {"GET",    "/v1/catalog/images/:id",         api_catalog_image,         AUTH_NONE,   API_BODY_NONE, 0},
    {"POST",   "/v1/admin/catalog/images",       api_admin_catalog_image,   AUTH_STAFF,  API_BODY_RAW,  R_ADMIN},
    {"GET",    "/v1/admin/catalog/imports",      api_admin_catalog_imports, AUTH_STAFF,  API_BODY_NONE, R_ADMIN},
    {"POST",   "/v1/admin/developments",         api_admin_development_create, AUTH_STAFF, API_BODY_JSON, R_ADMIN},
    {"GET",    "/v1/developments/:id/consultants", api_development_consultants, AUTH_NONE, API_BODY_NONE, 0},
    {"GET",    "/v1/consultants/:id",            api_consultant_card,       AUTH_NONE,   API_BODY_NONE, 0},
    /* 楼盘点评 and moderation (issue 14) */
    {"GET",    "/v1/developments/:id/reviews",   api_development_reviews,   AUTH_NONE,   API_BODY_NONE, 0},
    {"POST",   "/v1/developments/:id/reviews",   api_review_create,         AUTH_USER,   API_BODY_JSON, 0},
    {"PUT",    "/v1/developments/:id/reviews/mine", api_review_edit,        AUTH_USER,   API_BODY_JSON, 0},
    {"DELETE", "/v1/developments/:id/reviews/mine", api_review_delete,      AUTH_USER,   API_BODY_NONE, 0},
    {"GET",    "/v1/me/reviews",                 api_me_reviews,            AUTH_USER,   API_BODY_NONE, 0},
    {"GET",    "/v1/questions",                  api_questions,             AUTH_NONE,   API_BODY_NONE, 0},
    {"POST",   "/v1/questions",                  api_question_ask,          AUTH_USER,   API_BODY_JSON, 0},
    {"GET",    "/v1/questions/:id",              api_question_get,          AUTH_NONE,   API_BODY_NONE, 0},
    {"DELETE", "/v1/questions/:id",              api_question_delete,       AUTH_USER,   API_BODY_NONE, 0},
    {"POST",   "/v1/questions/:id/answers",      api_question_answer,       AUTH_USER,   API_BODY_JSON, 0},
    {"POST",   "/v1/questions/:id/accept",       api_question_accept,       AUTH_USER,   API_BODY_JSON, 0},
    {"DELETE", "/v1/answers/:id",                api_answer_delete,         AUTH_USER,   API_BODY_NONE, 0},
    {"GET",    "/v1/me/questions",               api_me_questions,          AUTH_USER,   API_BODY_NONE, 0},
    {"POST",   "/v1/reports",                    api_report_file,           AUTH_USER,   API_BODY_JSON, 0},
    {"GET",    "/v1/admin/reports",              api_admin_reports,         AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_REVIEWER},
    {"POST",   "/v1/admin/reports/:id/decision", api_admin_report_decide,   AUTH_STAFF,  API_BODY_JSON, R_REVIEWER},
    {"GET",    "/v1/admin/reviews",              api_admin_reviews,         AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_REVIEWER},
    {"POST",   "/v1/admin/reviews/:id/takedown", api_admin_review_takedown, AUTH_STAFF,  API_BODY_JSON, R_REVIEWER},
    {"GET",    "/v1/admin/moderation/words",     api_admin_banned_words,    AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_REVIEWER},
    {"PUT",    "/v1/admin/moderation/words",     api_admin_banned_words_put, AUTH_STAFF, API_BODY_JSON, R_ADMIN},
    {"POST",   "/v1/developments/:id/visits",    api_development_visit,     AUTH_USER,   API_BODY_JSON, 0},
    /* 绑定楼盘 and 客户归属 (issue 13): AUTH_VERIFIED is R25, verified accounts only */
    {"POST",   "/v1/bindings",                   api_binding_apply,         AUTH_VERIFIED, API_BODY_JSON, 0},
    {"GET",    "/v1/me/bindings",                api_me_bindings,           AUTH_USER,   API_BODY_NONE, 0},
    {"DELETE", "/v1/bindings/:id",               api_binding_unbind,        AUTH_USER,   API_BODY_NONE, 0},
    {"POST",   "/v1/consultant/conversations",   api_consultant_conversation, AUTH_VERIFIED, API_BODY_JSON, 0},
    {"GET",    "/v1/consultant/buyers",          api_consultant_buyers,     AUTH_VERIFIED, API_BODY_NONE, 0},
    {"GET",    "/v1/consultant/developments/:id/pool", api_consultant_pool, AUTH_VERIFIED, API_BODY_NONE, 0},
    {"POST",   "/v1/consultant/developments/:id/pool/:buyer/assign", api_consultant_assign, AUTH_VERIFIED, API_BODY_JSON, 0},
    {"POST",   "/v1/consultant/developments/:id/buyers/:buyer/stage", api_consultant_stage, AUTH_VERIFIED, API_BODY_JSON, 0},
    {"GET",    "/v1/admin/bindings",             api_admin_bindings,        AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_REVIEWER},
    {"POST",   "/v1/admin/bindings/:id/documents", api_admin_binding_documents, AUTH_STAFF, API_BODY_JSON, R_REVIEWER},
    {"POST",   "/v1/admin/bindings/:id/decision", api_admin_binding_decision, AUTH_STAFF, API_BODY_JSON, R_REVIEWER},
    {"GET",    "/v1/admin/developments/:id",     api_admin_development_get, AUTH_STAFF,  API_BODY_NONE, R_ADMIN | R_REVIEWER},
    {"PUT",    "/v1/admin/developments/:id",     api_admin_development_put, AUTH_STAFF,  API_BODY_JSON, R_ADMIN},
    {"DELETE", "/v1/admin/developments/:id",     api_admin_development_retire, AUTH_STAFF, API_BODY_NONE, R_ADMIN},
};
/* clang-format on */
const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);

const char *api_client_ip(api_req_t *r)
{
    return r->peer ? r->peer(r->peer_arg) : "unknown";
}

void api_recheck_user(api_req_t *r)
{
    app_t *app = r->ctx->app;
    if (app->recheck)
        app->recheck(app, r->session.user_id);
}

void api_cookie_set(api_req_t *r, const char *name, const char *value, int max_age)
{
    r->cookie.name = name;
    snprintf(r->cookie.value, sizeof(r->cookie.value), "%s", value ? value : "");
    r->cookie.max_age = value ? max_age : 0;
}

int api_reply(api_req_t *r, int status, json_t *out)
{
    r->status = status;
    r->out = out;
    return 0;
}
