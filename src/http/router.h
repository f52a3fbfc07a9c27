/* router.h - matches a method and a path against the route table. Pure C
 * (no h2o) so the fuzzer and unit tests drive it directly. */
#ifndef WLK_ROUTER_H
#define WLK_ROUTER_H

#include "api/api.h"

#include <stddef.h>

typedef struct http_router http_router_t;

/* Compiles routes (borrowed: must outlive the router). Returns new
 * (http_router_destroy). */
http_router_t *http_router_create(const api_route_t *routes, size_t n);
void http_router_destroy(http_router_t *r);

/* Finds the route for method + path (no query string). Returns its index
 * and fills params; ERR_NOT_FOUND when no path matches; ERR_METHOD_NOT_ALLOWED
 * when the path matches other methods only, with allow filled in ("GET, PATCH"). */
int http_router_match(const http_router_t *r, const char *method, size_t mlen, const char *path,
                      size_t plen, api_slice_t params[API_MAX_PARAMS], char *allow,
                      size_t allow_len);

#endif
