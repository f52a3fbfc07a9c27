/* media.c - upload (the raw file as the body) and download (with Range). */
#include "api/api_int.h"
#include "media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_media_upload(api_req_t *r)
{
    char type[64];
    json_t *out;
    snprintf(type, sizeof(type), "%.*s", (int)r->content_type.len, r->content_type.p);
    int rc = media_store(r->ctx, r->session.user_id, type, (const uint8_t *)r->raw_body.p,
                         r->raw_body.len, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 201, out);
}

static int64_t number(const char **p, const char *end)
{
    int64_t n = -1;
    while (*p < end && **p >= '0' && **p <= '9' && n < INT64_MAX / 10)
        n = (n < 0 ? 0 : n * 10) + (*(*p)++ - '0');
    return n;
}

/* "bytes=a-b", "bytes=a-" or "bytes=-n"; false when unreadable (then the
 * whole file is sent, as RFC 9110 allows). suffix: the "-n" form. */
static bool parse_range(api_slice_t h, int64_t *from, int64_t *to, int64_t *suffix)
{
    const char *p = h.p, *end = h.p + h.len;
    if (h.len < 7 || memcmp(p, "bytes=", 6) != 0)
        return false;
    p += 6;
    *from = number(&p, end);
    if (p >= end || *p++ != '-')
        return false;
    *to = number(&p, end);
    *suffix = *from < 0 ? *to : -1;
    return p == end && (*from >= 0 || *to > 0) && (*to < 0 || *from <= *to || *from < 0);
}

static int64_t next_piece(void *stream, uint8_t *buf, size_t cap, err_t *e)
{
    return media_stream_next(stream, buf, cap, e);
}

static void close_stream(void *stream)
{
    media_stream_close(stream);
}

int api_media_get(api_req_t *r)
{
    int64_t id;
    media_range_t m = {.from = 0, .to = -1};
    bool ranged = r->range.len > 0 && parse_range(r->range, &m.from, &m.to, &m.suffix);
    int rc = api_param_id(r, 0, &id);
    if (rc < 0)
        return rc;
    media_stream_t *stream;
    if ((rc = media_stream_open(r->ctx, r->session.user_id, id, &m, &stream, &r->err)) < 0) {
        if (rc == ERR_RANGE_NOT_SATISFIABLE) {
            snprintf(r->extra_header[0], sizeof(r->extra_header[0]), "content-range");
            snprintf(r->extra_header[1], sizeof(r->extra_header[1]), "bytes */%lld",
                     (long long)m.size);
        }
        return rc;
    }
    r->status = ranged ? 206 : 200;
    r->stream = stream;
    r->stream_next = next_piece;
    r->stream_close = close_stream;
    r->raw_len = (size_t)(m.to - m.from + 1);
    snprintf(r->raw_type_buf, sizeof(r->raw_type_buf), "%s", m.content_type);
    r->raw_type = r->raw_type_buf;
    if (ranged) {
        snprintf(r->extra_header[0], sizeof(r->extra_header[0]), "content-range");
        snprintf(r->extra_header[1], sizeof(r->extra_header[1]), "bytes %lld-%lld/%lld",
                 (long long)m.from, (long long)m.to, (long long)m.size);
    }
    return 0;
}
