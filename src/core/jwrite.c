/* jwrite.c - a compact JSON writer over jansson values. */
#include "core/jwrite.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out {
    char *p;
    size_t len, cap;
} out_t;

static void grow(out_t *o, size_t n)
{
    if (o->len + n + 1 <= o->cap)
        return;
    while (o->len + n + 1 > o->cap)
        o->cap = o->cap ? o->cap * 2 : 256;
    o->p = realloc(o->p, o->cap);
    if (o->p == NULL)
        abort();
}

static void put(out_t *o, const char *s, size_t n)
{
    grow(o, n);
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void put_c(out_t *o, char c)
{
    grow(o, 1);
    o->p[o->len++] = c;
}

static void put_string(out_t *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF"; /* as jansson writes them */
    grow(o, n + 2);
    put_c(o, '"');
    size_t run = 0; /* bytes copied as they are, in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(o, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0};
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            put(o, "\\u00", 4);
            put_c(o, hex[c >> 4]);
            put_c(o, hex[c & 15]);
            continue;
        }
        put(o, esc, 2);
    }
    put(o, s + run, n - run);
    put_c(o, '"');
}

static void put_real(out_t *o, double d)
{
    char buf[40];
    /* the shortest of 15 to 17 digits that reads back as d: 4.2, not
     * 4.2000000000000002 */
    int n = snprintf(buf, sizeof(buf), "%.15g", d);
    for (int digits = 16; digits <= 17 && n > 0 && strtod(buf, NULL) != d; digits++)
        n = snprintf(buf, sizeof(buf), "%.*g", digits, d);
    if (n < 0 || (size_t)n >= sizeof(buf))
        n = snprintf(buf, sizeof(buf), "null");
    else if (strpbrk(buf, ".eE") == NULL && strspn(buf, "-0123456789") == (size_t)n)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ".0"); /* stays a real, as jansson does */
    char *e = strchr(buf, 'e');
    if (e) { /* "e+07" -> "e7", "e-07" -> "e-7", as jansson writes exponents */
        char *to = e + 1, *src = e + 1;
        if (*src == '+')
            src++;
        else if (*src == '-')
            *to++ = *src++;
        while (*src == '0' && src[1])
            src++;
        memmove(to, src, strlen(src) + 1);
        n = (int)strlen(buf);
    }
    put(o, buf, (size_t)n);
}

static void put_value(out_t *o, const json_t *v)
{
    char num[24];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        int first = 1;
        put_c(o, '{');
        json_object_foreach((json_t *)v, key, item)
        {
            if (!first)
                put_c(o, ',');
            first = 0;
            put_string(o, key, strlen(key));
            put_c(o, ':');
            put_value(o, item);
        }
        put_c(o, '}');
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        put_c(o, '[');
        json_array_foreach(v, i, item)
        {
            if (i)
                put_c(o, ',');
            put_value(o, item);
        }
        put_c(o, ']');
        break;
    }
    case JSON_STRING:
        put_string(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        put(o, num, str_fmt_i64(num, json_integer_value(v)));
        break;
    case JSON_REAL:
        put_real(o, json_real_value(v));
        break;
    case JSON_TRUE:
        put(o, "true", 4);
        break;
    case JSON_FALSE:
        put(o, "false", 5);
        break;
    default:
        put(o, "null", 4);
        break;
    }
}

char *jwrite_dumps(const json_t *v, size_t *len)
{
    out_t o = {0};
    grow(&o, 0);
    put_value(&o, v);
    o.p[o.len] = '\0';
    *len = o.len;
    return o.p;
}
