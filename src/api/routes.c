/* routes.c - every route of the API, as data. Order does not matter. */
#include "api/api_int.h"

const api_route_t api_routes[] = {
    /* method    path                              handler                 auth       body */
    {"GET", "/healthz", api_healthz, AUTH_NONE, API_BODY_NONE},
    {"GET", "/metrics", api_metrics, AUTH_NONE, API_BODY_NONE},
    {"GET", "/v1/openapi.yaml", api_openapi, AUTH_NONE, API_BODY_NONE},
    {"GET", "/v1/privacy/policy", api_policy_current, AUTH_NONE, API_BODY_NONE},
    {"GET", "/v1/privacy/policy/versions", api_policy_versions, AUTH_NONE, API_BODY_NONE},
    {"GET", "/v1/privacy/policy/:version", api_policy_version, AUTH_NONE, API_BODY_NONE},
    {"POST", "/v1/auth/sms-code", api_auth_sms_code, AUTH_NONE, API_BODY_JSON},
    {"POST", "/v1/auth/login", api_auth_login, AUTH_NONE, API_BODY_JSON},
    {"POST", "/v1/auth/logout", api_auth_logout, AUTH_USER, API_BODY_NONE},
    {"GET", "/v1/me", api_me_get, AUTH_USER, API_BODY_NONE},
    {"PATCH", "/v1/me", api_me_patch, AUTH_USER, API_BODY_JSON},
    {"GET", "/v1/me/devices", api_me_devices, AUTH_USER, API_BODY_NONE},
    {"DELETE", "/v1/me/devices/:id", api_me_device_delete, AUTH_USER, API_BODY_NONE},
    {"GET", "/v1/me/consents", api_me_consents, AUTH_USER, API_BODY_NONE},
};
const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);

int api_reply(api_req_t *r, int status, json_t *out)
{
    r->status = status;
    r->out = out;
    return 0;
}
