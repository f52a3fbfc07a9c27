/* api_int.h - the handlers, shared between routes.c and their files. */
#ifndef WLK_API_INT_H
#define WLK_API_INT_H

#include "api/api.h"

int api_healthz(api_req_t *r);
int api_metrics(api_req_t *r);
int api_openapi(api_req_t *r);
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

#endif
