/* wsutil.c - SHA-1, base64, latency histogram and a minimal JSON field
 * scanner for the chat load generator (see wsutil.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "wsutil.h"

#include <string.h>

/* ------------------------------------------------------------------ SHA-1 */

static uint32_t rol32(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(uint32_t h[5], const uint8_t *b)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | (uint32_t)b[4 * i + 3];
    }
    for (int i = 16; i < 80; i++) {
        w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (bb & c) | (~bb & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = bb ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (bb & c) | (bb & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = bb ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        uint32_t t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol32(bb, 30);
        bb = a;
        a = t;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void wsu_sha1(const void *data, size_t len, uint8_t out[20])
{
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const uint8_t *p = data;
    size_t left = len;
    while (left >= 64) {
        sha1_block(h, p);
        p += 64;
        left -= 64;
    }
    uint8_t tail[128];
    memset(tail, 0, sizeof(tail));
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tlen = (left + 1 + 8 <= 64) ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) {
        tail[tlen - 1 - i] = (uint8_t)(bits >> (8 * i));
    }
    sha1_block(h, tail);
    if (tlen == 128) {
        sha1_block(h, tail + 64);
    }
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

/* ----------------------------------------------------------------- base64 */

size_t wsu_b64(const uint8_t *in, size_t len, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = tab[(v >> 6) & 63];
        out[o++] = tab[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = (i + 1 < len) ? tab[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

void wsu_accept(const char *key, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char buf[128];
    size_t kl = strlen(key);
    if (kl > sizeof(buf) - sizeof(guid)) {
        kl = sizeof(buf) - sizeof(guid);
    }
    memcpy(buf, key, kl);
    memcpy(buf + kl, guid, sizeof(guid) - 1);
    uint8_t d[20];
    wsu_sha1(buf, kl + sizeof(guid) - 1, d);
    wsu_b64(d, sizeof(d), out);
}

/* -------------------------------------------------------------- histogram */

static unsigned hist_idx(uint64_t v)
{
    if (v < 128) {
        return (unsigned)v;
    }
    if (v >= (1ull << 40)) {
        v = (1ull << 40) - 1;
    }
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= 7 */
    unsigned shift = e - 6;
    return shift * 64 + (unsigned)(v >> shift);
}

static uint64_t hist_val(unsigned idx)
{
    if (idx < 128) {
        return idx;
    }
    unsigned shift = idx / 64 - 1;
    uint64_t m = idx - shift * 64;
    uint64_t lo = m << shift, hi = ((m + 1) << shift) - 1;
    return lo + (hi - lo) / 2;
}

void wsu_hist_add(wsu_hist_t *h, uint64_t us)
{
    h->counts[hist_idx(us)]++;
    h->n++;
    if (us > h->max) {
        h->max = us;
    }
}

void wsu_hist_merge(wsu_hist_t *dst, const wsu_hist_t *src)
{
    for (unsigned i = 0; i < WSU_HIST_BUCKETS; i++) {
        dst->counts[i] += src->counts[i];
    }
    dst->n += src->n;
    if (src->max > dst->max) {
        dst->max = src->max;
    }
}

uint64_t wsu_hist_pct(const wsu_hist_t *h, double p)
{
    if (h->n == 0) {
        return 0;
    }
    uint64_t want = (uint64_t)(p / 100.0 * (double)h->n + 0.999999);
    if (want < 1) {
        want = 1;
    }
    if (want > h->n) {
        want = h->n;
    }
    uint64_t cum = 0;
    for (unsigned i = 0; i < WSU_HIST_BUCKETS; i++) {
        cum += h->counts[i];
        if (cum >= want) {
            uint64_t v = hist_val(i);
            return v > h->max ? h->max : v;
        }
    }
    return h->max;
}

/* ------------------------------------------------------------ JSON fields */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Next occurrence of "key": followed by a string value, from *pos on. */
static bool next_str(const char *p, size_t n, const char *key, size_t *pos, const char **val,
                     size_t *vlen)
{
    char pat[64];
    size_t kl = strlen(key);
    if (kl + 2 > sizeof(pat)) {
        return false;
    }
    pat[0] = '"';
    memcpy(pat + 1, key, kl);
    pat[kl + 1] = '"';
    size_t pl = kl + 2;
    while (*pos < n) {
        const char *hit = memmem(p + *pos, n - *pos, pat, pl);
        if (hit == NULL) {
            *pos = n;
            return false;
        }
        size_t i = (size_t)(hit - p) + pl;
        *pos = i;
        while (i < n && is_ws(p[i])) {
            i++;
        }
        if (i >= n || p[i] != ':') {
            continue; /* a value equal to key, not a key */
        }
        i++;
        while (i < n && is_ws(p[i])) {
            i++;
        }
        if (i >= n || p[i] != '"') {
            continue;
        }
        size_t s = ++i;
        while (i < n && p[i] != '"') {
            i += (p[i] == '\\') ? 2 : 1;
        }
        if (i > n) {
            i = n;
        }
        *val = p + s;
        *vlen = i - s;
        *pos = i;
        return true;
    }
    return false;
}

bool wsu_json_str(const char *p, size_t n, const char *key, const char **val, size_t *vlen)
{
    size_t pos = 0;
    return next_str(p, n, key, &pos, val, vlen);
}

bool wsu_json_has(const char *p, size_t n, const char *key, const char *val)
{
    size_t pos = 0, want = strlen(val), vl;
    const char *v;
    while (next_str(p, n, key, &pos, &v, &vl)) {
        if (vl == want && memcmp(v, val, want) == 0) {
            return true;
        }
    }
    return false;
}
