/* str.c - growable buffer; allocation failure aborts (no OOM branches). */
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(str_t *s, size_t extra)
{
    if (s->len + extra + 1 <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + extra + 1)
        cap *= 2;
    s->buf = realloc(s->buf, cap);
    if (s->buf == NULL)
        abort();
    s->cap = cap;
}

void str_append(str_t *s, const char *p, size_t n)
{
    reserve(s, n);
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

void str_puts(str_t *s, const char *p)
{
    str_append(s, p, strlen(p));
}

void str_printf(str_t *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    reserve(s, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

char *str_take(str_t *s)
{
    if (s->buf == NULL)
        str_append(s, "", 0);
    char *p = s->buf;
    memset(s, 0, sizeof(*s));
    return p;
}

void str_free(str_t *s)
{
    free(s->buf);
    memset(s, 0, sizeof(*s));
}

size_t str_fmt_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

size_t str_fmt_i64(char *out, int64_t v)
{
    if (v >= 0)
        return str_fmt_u64(out, (uint64_t)v);
    out[0] = '-';
    return 1 + str_fmt_u64(out + 1, (uint64_t)0 - (uint64_t)v);
}

size_t str_hex16(char *out, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, v >>= 4)
        out[i] = digits[v & 15];
    out[16] = '\0';
    return 16;
}

size_t str_fmt_ms3(char *out, int64_t ns)
{
    uint64_t us = ns > 0 ? ((uint64_t)ns + 500) / 1000 : 0;
    size_t n = str_fmt_u64(out, us / 1000);
    out[n] = '.';
    out[n + 1] = (char)('0' + us / 100 % 10);
    out[n + 2] = (char)('0' + us / 10 % 10);
    out[n + 3] = (char)('0' + us % 10);
    out[n + 4] = '\0';
    return n + 4;
}
