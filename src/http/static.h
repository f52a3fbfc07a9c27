/* static.h - the web client's files, embedded by scripts/webembed.c
 * (build/gen/web.c), and the pure parts of serving them: which file a path
 * names and which encoding a client accepts. No h2o here (unit tests and
 * the fuzzer drive it). */
#ifndef WLK_STATIC_H
#define WLK_STATIC_H

#include <stdbool.h>
#include <stddef.h>

typedef struct http_asset {
    const char *path; /* "/assets/app/main.<hash>.js", or a page: "/index.html" */
    const char *type; /* Content-Type */
    const char *etag; /* W/"<hash>" */
    int immutable;    /* a hashed name: its bytes never change */
    const char *body; /* identity */
    size_t body_len;
    const char *gzip; /* NULL when compressing saved too little */
    size_t gzip_len;
    const char *br;
    size_t br_len;
} http_asset_t;

/* Sorted by path (the generator sorts them). */
extern const http_asset_t http_assets[];
extern const size_t http_assets_count;

/* The asset at exactly this path, or NULL. Borrowed (static). */
const http_asset_t *http_asset_find(const char *path, size_t len);

/* Whether path belongs to the API ("/v1", "/v1/...", "/healthz",
 * "/metrics") rather than to the web client. */
bool http_path_is_api(const char *path, size_t len);

/* What the client serves at path (no query string): the asset itself
 * under /assets/ (NULL when unknown: a missing hashed file must not turn
 * into a page); for a client route (segments of [A-Za-z0-9_-]) the staff
 * console's page under /staff, else the app's page; NULL for anything
 * else (a dot, an escape, an empty segment: a file we do not have). */
const http_asset_t *http_asset_for_path(const char *path, size_t len);

typedef enum { HTTP_ENC_IDENTITY, HTTP_ENC_GZIP, HTTP_ENC_BR } http_encoding_t;

/* The best encoding of an Accept-Encoding value that a has (br, then gzip,
 * then identity), honouring q=0. NULL value: identity. */
http_encoding_t http_encoding_pick(const http_asset_t *a, const char *value, size_t len);

#endif
