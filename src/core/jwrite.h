/* jwrite.h - compact JSON output for responses and WebSocket frames: the
 * same text as jansson's json_dumps(v, JSON_COMPACT) (keys in insertion
 * order, UTF-8 passed through, control characters escaped), at a fraction
 * of its cost (a hot path: it was a quarter of GET /v1/me, profiled). */
#ifndef WLK_JWRITE_H
#define WLK_JWRITE_H

#include <jansson.h>
#include <stddef.h>

/* v as compact JSON text, NUL-terminated, its length in *len. Returns new
 * (free()); never NULL (aborts on out-of-memory, like xmalloc). */
char *jwrite_dumps(const json_t *v, size_t *len);

#endif
