/* err.c - lookup in the error table and the err_t helpers. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef err_info_t row_t;

static const row_t rows[] = {
#define X(name, status, code, msg, zh) {ERR_##name, status, code, msg, zh},
    ERR_TABLE(X)
#undef X
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const row_t *find(int code)
{
    if (code > ERR_BASE_ && code < ERR_BASE_ + 1 + (int)NROWS)
        return &rows[code - ERR_BASE_ - 1];
    return &rows[ERR_INTERNAL - ERR_BASE_ - 1];
}

int err_status(int code)
{
    return find(code)->status;
}

const char *err_string(int code)
{
    return find(code)->str;
}

const char *err_default_message(int code)
{
    return find(code)->msg;
}

void err_foreach(void (*fn)(const err_info_t *, void *), void *arg)
{
    for (size_t i = 0; i < NROWS; i++)
        fn(&rows[i], arg);
}

int err_set(err_t *e, int code, const char *field, const char *fmt, ...)
{
    if (e->code != 0)
        return e->code;
    e->code = code;
    e->has_field = field != NULL;
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    if (fmt == NULL) {
        snprintf(e->message, sizeof(e->message), "%s", err_default_message(code));
    } else {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

bool err_is_outage(const err_t *e)
{
    return e->code == ERR_UNAVAILABLE;
}

int err_internal(err_t *e, const char *fmt, ...)
{
    if (e->code != 0)
        return e->code;
    e->code = ERR_INTERNAL;
    snprintf(e->message, sizeof(e->message), "%s", err_default_message(ERR_INTERNAL));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->cause, sizeof(e->cause), fmt, ap);
    va_end(ap);
    return ERR_INTERNAL;
}

void err_retry_in(err_t *e, int64_t wait_ms)
{
    e->retry_after = wait_ms > 1000 ? (int)((wait_ms + 999) / 1000) : 1;
}

void err_extra(err_t *e, const char *key, json_t *v)
{
    if (e->extra == NULL)
        e->extra = json_object();
    json_object_set_new(e->extra, key, v);
}

void err_clear(err_t *e)
{
    json_decref(e->extra);
    memset(e, 0, sizeof(*e));
}
