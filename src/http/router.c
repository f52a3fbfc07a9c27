/* router.c - routes split into segments once; a match walks the segments
 * of every route (the table is small; no allocation per request). */
#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGS 8

typedef struct seg {
    const char *p;
    size_t len;
    int param; /* 1 for ":name" */
} seg_t;

typedef struct compiled {
    const api_route_t *route;
    seg_t segs[MAX_SEGS];
    int nsegs;
} compiled_t;

struct http_router {
    compiled_t *c;
    size_t n;
};

static int split(const char *path, size_t len, seg_t *out, int max)
{
    int n = 0;
    size_t i = 0;
    if (len == 0 || path[0] != '/')
        return -1;
    while (i < len) {
        i++; /* the '/' */
        size_t start = i;
        while (i < len && path[i] != '/')
            i++;
        if (n == max)
            return -1;
        out[n].p = path + start;
        out[n].len = i - start;
        out[n].param = out[n].len > 1 && path[start] == ':';
        n++;
    }
    return n;
}

http_router_t *http_router_create(const api_route_t *routes, size_t n)
{
    http_router_t *r = calloc(1, sizeof(*r));
    r->c = calloc(n, sizeof(*r->c));
    if (r == NULL || r->c == NULL)
        abort();
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        r->c[i].route = &routes[i];
        r->c[i].nsegs = split(routes[i].path, strlen(routes[i].path), r->c[i].segs, MAX_SEGS);
        if (r->c[i].nsegs < 0)
            abort(); /* a malformed route table is a programming error */
    }
    return r;
}

void http_router_destroy(http_router_t *r)
{
    if (r == NULL)
        return;
    free(r->c);
    free(r);
}

static bool path_matches(const compiled_t *c, const seg_t *segs, int n,
                         api_slice_t params[API_MAX_PARAMS])
{
    if (c->nsegs != n)
        return false;
    int np = 0;
    for (int i = 0; i < n; i++) {
        if (c->segs[i].param) {
            if (segs[i].len == 0 || np == API_MAX_PARAMS)
                return false;
            params[np].p = segs[i].p;
            params[np++].len = segs[i].len;
        } else if (c->segs[i].len != segs[i].len ||
                   memcmp(c->segs[i].p, segs[i].p, segs[i].len) != 0) {
            return false;
        }
    }
    return true;
}

int http_router_match(const http_router_t *r, const char *method, size_t mlen, const char *path,
                      size_t plen, api_slice_t params[API_MAX_PARAMS], char *allow,
                      size_t allow_len)
{
    seg_t segs[MAX_SEGS];
    int n = split(path, plen, segs, MAX_SEGS);
    size_t used = 0;
    bool path_known = false;
    if (n < 0)
        return ERR_NOT_FOUND;
    allow[0] = '\0';
    for (size_t i = 0; i < r->n; i++) {
        api_slice_t p[API_MAX_PARAMS];
        if (!path_matches(&r->c[i], segs, n, p))
            continue;
        const char *m = r->c[i].route->method;
        if (strlen(m) == mlen && memcmp(m, method, mlen) == 0) {
            memcpy(params, p, sizeof(p));
            return (int)i;
        }
        path_known = true;
        size_t ml = strlen(m);
        if (strstr(allow, m) == NULL && used + ml + 3 < allow_len) {
            if (used) {
                memcpy(allow + used, ", ", 2);
                used += 2;
            }
            memcpy(allow + used, m, ml + 1);
            used += ml;
        }
    }
    return path_known ? ERR_METHOD_NOT_ALLOWED : ERR_NOT_FOUND;
}
