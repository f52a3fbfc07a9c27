/* system.c - health, metrics and the API description. */
#include "api/api_int.h"
#include "http/metrics.h"

extern const char api_openapi_yaml[];
extern const size_t api_openapi_yaml_len;

int api_healthz(api_req_t *r)
{
    return api_reply(r, 200, json_pack("{s:s}", "status", "ok"));
}

int api_metrics(api_req_t *r)
{
    r->status = 200;
    r->raw_owned = http_metrics_render(&r->raw_len);
    r->raw = r->raw_owned;
    r->raw_type = "text/plain; version=0.0.4; charset=utf-8";
    return 0;
}

int api_openapi(api_req_t *r)
{
    r->status = 200;
    r->raw = api_openapi_yaml;
    r->raw_len = api_openapi_yaml_len;
    r->raw_type = "application/yaml";
    return 0;
}
