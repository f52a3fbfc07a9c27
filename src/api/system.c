/* system.c - health, metrics and the API description. */
#include "api/api_int.h"
#include "metrics/metrics.h"

extern const char api_openapi_yaml[];
extern const size_t api_openapi_yaml_len;

int api_healthz(api_req_t *r)
{
    app_t *app = r->ctx->app;
    const char *bus = app->bus_state ? app->bus_state(app) : "local";
    return api_reply(r, 200, json_pack("{s:s, s:s}", "status", "ok", "bus", bus));
}

int api_metrics(api_req_t *r)
{
    r->status = 200;
    r->raw_owned = metrics_render(&r->raw_len);
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

static void error_item(const err_info_t *row, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s, s:i, s:s, s:s}", "code", row->str, "status",
                                         row->status, "message", row->msg, "message_zh", row->zh));
}

int api_errors(api_req_t *r)
{
    json_t *items = json_array();
    err_foreach(error_item, items);
    return api_reply(r, 200, json_pack("{s:o}", "items", items));
}
