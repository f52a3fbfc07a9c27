/* api_int.h - the handlers, shared between routes.c and their files. */
#ifndef WLK_API_INT_H
#define WLK_API_INT_H

#include "api/api.h"
#include "core/ids.h"

#include <stdint.h>

/* body.key as an array of 1..max strings of 1..32 bytes (borrowed from
 * the body); 422 naming key otherwise. */
int api_strings(api_req_t *r, const char *key, int max, const char **out, int *n)
    __attribute__((warn_unused_result));
/* Path parameter i as an id; 404 when it is not one. */
int api_param_id(api_req_t *r, int i, int64_t *id) __attribute__((warn_unused_result));
/* body.key as an id (absent and optional: 0); 422 naming it. */
int api_body_id(api_req_t *r, const char *key, bool required, int64_t *out)
    __attribute__((warn_unused_result));

int api_healthz(api_req_t *r);
int api_metrics(api_req_t *r);
int api_openapi(api_req_t *r);
/* The error table: code, status, English and zh-CN messages. */
int api_errors(api_req_t *r);
int api_policy_current(api_req_t *r);
int api_policy_versions(api_req_t *r);
int api_policy_version(api_req_t *r);
int api_auth_sms_code(api_req_t *r);
int api_auth_login(api_req_t *r);
/* Decodes a login body; strings in *q are borrowed from body. */
int api_auth_login_decode(const json_t *body, auth_login_req_t *q, err_t *e);
int api_auth_logout(api_req_t *r);
int api_me_get(api_req_t *r);
int api_me_patch(api_req_t *r);
int api_me_devices(api_req_t *r);
int api_me_device_delete(api_req_t *r);
int api_me_consents(api_req_t *r);
int api_me_consent_put(api_req_t *r);
int api_me_consent_delete(api_req_t *r);
int api_me_device_push_put(api_req_t *r);
int api_me_device_push_delete(api_req_t *r);
int api_conv_create(api_req_t *r);
int api_conv_list(api_req_t *r);
int api_conv_get(api_req_t *r);
int api_msg_send(api_req_t *r);
int api_msg_history(api_req_t *r);
int api_conv_read(api_req_t *r);
int api_msg_recall(api_req_t *r);
int api_sync(api_req_t *r);
int api_media_upload(api_req_t *r);
int api_media_get(api_req_t *r);
/* retention and policy (issue 4) */
int api_admin_unlawful(api_req_t *r);
/* staff and requests (issue 4): admin.c, requests.c */
int api_admin_login(api_req_t *r);
int api_admin_logout(api_req_t *r);
int api_admin_staff(api_req_t *r);
int api_admin_audit(api_req_t *r);
int api_admin_user(api_req_t *r);
int api_admin_user_reveal(api_req_t *r);
int api_admin_export_create(api_req_t *r);
int api_admin_export_get(api_req_t *r);
int api_admin_export_approve(api_req_t *r);
int api_admin_requests(api_req_t *r);
int api_admin_request_get(api_req_t *r);
int api_admin_request_answer(api_req_t *r);
int api_me_access_log(api_req_t *r);
/* the staff console (console.c) */
int api_admin_me(api_req_t *r);
int api_admin_staff_add(api_req_t *r);
int api_admin_staff_disable(api_req_t *r);
int api_admin_audit_verify(api_req_t *r);
int api_admin_exports(api_req_t *r);
int api_admin_user_lookup(api_req_t *r);
int api_admin_incident_create(api_req_t *r);
int api_me_request_create(api_req_t *r);
int api_me_requests(api_req_t *r);
/* rights (issue 4) */
int api_me_sms_code(api_req_t *r);
int api_me_export(api_req_t *r);
int api_me_cancel(api_req_t *r);
/* DELETE /v1/me/consents/policy: the withdrawal of the whole policy. */
int api_me_policy_withdraw(api_req_t *r);
/* the developments catalogue (issue 13): catalog.c */
int api_developments(api_req_t *r);
int api_development_get(api_req_t *r);
int api_admin_development_get(api_req_t *r);
int api_admin_catalog_imports(api_req_t *r);
int api_admin_development_create(api_req_t *r);
int api_admin_development_put(api_req_t *r);
int api_admin_development_retire(api_req_t *r);
int api_admin_catalog_image(api_req_t *r);
int api_catalog_image(api_req_t *r);
/* body.key, a base64 string of at most max bytes decoded, into a new
 * buffer (*out NULL when absent; free with api_body_base64_free). 422 or
 * 413 naming key. */
int api_body_base64(api_req_t *r, const char *key, size_t max, uint8_t **out, size_t *len)
    __attribute__((warn_unused_result));
void api_body_base64_free(uint8_t *p, size_t len);
/* identity verification (issue 13): identity.c */
int api_me_identity_post(api_req_t *r);
int api_me_identity_confirm(api_req_t *r);
int api_me_identity_get(api_req_t *r);
int api_me_age_range(api_req_t *r);
int api_me_guardian_get(api_req_t *r);
int api_me_guardian_ask(api_req_t *r);
int api_me_guardian_confirm(api_req_t *r);
int api_me_guardian_withdraw(api_req_t *r);
/* bindings and attribution (issue 13): binding.c */
int api_binding_apply(api_req_t *r);
int api_me_bindings(api_req_t *r);
int api_binding_unbind(api_req_t *r);
int api_development_consultants(api_req_t *r);
int api_development_visit(api_req_t *r);
int api_consultant_conversation(api_req_t *r);
int api_consultant_buyers(api_req_t *r);
int api_consultant_pool(api_req_t *r);
int api_consultant_assign(api_req_t *r);
int api_consultant_stage(api_req_t *r);
int api_consultant_card(api_req_t *r);
int api_development_reviews(api_req_t *r);
int api_review_create(api_req_t *r);
int api_review_edit(api_req_t *r);
int api_review_delete(api_req_t *r);
int api_me_reviews(api_req_t *r);
int api_questions(api_req_t *r);
int api_question_ask(api_req_t *r);
int api_question_get(api_req_t *r);
int api_question_delete(api_req_t *r);
int api_question_answer(api_req_t *r);
int api_question_accept(api_req_t *r);
int api_answer_delete(api_req_t *r);
int api_me_questions(api_req_t *r);
int api_report_file(api_req_t *r);
int api_admin_reports(api_req_t *r);
int api_admin_report_decide(api_req_t *r);
int api_admin_reviews(api_req_t *r);
int api_admin_review_takedown(api_req_t *r);
int api_admin_banned_words(api_req_t *r);
int api_admin_banned_words_put(api_req_t *r);
int api_admin_bindings(api_req_t *r);
int api_admin_binding_documents(api_req_t *r);
int api_admin_binding_decision(api_req_t *r);
/* Decodes a message (HTTP body or WebSocket frame) into *in. */
struct chat_send;
int api_msg_decode(api_req_t *r, const json_t *obj, struct chat_send *in)
    __attribute__((warn_unused_result));

#endif
