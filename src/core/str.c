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
