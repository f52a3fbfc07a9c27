/* wsutil.h - small helpers of the chat load generator: SHA-1 and base64 for
 * the WebSocket handshake, a log-linear latency histogram, and a tolerant
 * scanner for the few JSON fields the generator looks at. Plain C, libc only. */
#ifndef WLK_BENCH_WSUTIL_H
#define WLK_BENCH_WSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SHA-1 of data (FIPS 180-4). Only for the handshake check. */
void wsu_sha1(const void *data, size_t len, uint8_t out[20]);

/* Standard base64 with padding; out needs 4 * ((len + 2) / 3) + 1 bytes.
 * Returns the length written (without the terminating NUL). */
size_t wsu_b64(const uint8_t *in, size_t len, char *out);

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(sha1(key + GUID)). */
void wsu_accept(const char *key, char out[29]);

/* Latency histogram in microseconds: 64 sub-buckets per power of two
 * (error < 1.6 %), exact below 128 us, up to 2^40 us. */
#define WSU_HIST_BUCKETS (36 * 64)
typedef struct wsu_hist {
    uint64_t n;
    uint64_t max;
    uint64_t counts[WSU_HIST_BUCKETS];
} wsu_hist_t;

void wsu_hist_add(wsu_hist_t *h, uint64_t us);
void wsu_hist_merge(wsu_hist_t *dst, const wsu_hist_t *src);
/* Value (us) at percentile p (0..100]; 0 when empty. */
uint64_t wsu_hist_pct(const wsu_hist_t *h, double p);

/* The string value of "key" (no unescaping) at or after the first
 * occurrence of that key in p[0..n): whitespace around ':' is allowed.
 * Returns false when absent or not a string. */
bool wsu_json_str(const char *p, size_t n, const char *key, const char **val, size_t *vlen);
/* True when some occurrence of "key" has the string value val. */
bool wsu_json_has(const char *p, size_t n, const char *key, const char *val);

#endif
