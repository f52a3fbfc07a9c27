/* log.c - JSON lines on stderr; each line goes out in a single write(2) so
 * lines from several threads never interleave. */
#include "core/log.h"
#include "core/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static log_level_t min_level = LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

void log_set_level(log_level_t level)
{
    min_level = level;
}

log_level_t log_get_level(void)
{
    return min_level;
}

int log_level_parse(const char *s, log_level_t *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (log_level_t)i;
            return 0;
        }
    }
    return -1;
}

/* Loop threads buffer their lines and flush at most every 50 ms: one
 * write(2) for many requests instead of one per request. */
#define TBUF_SIZE 32768
static __thread char *tbuf;
static __thread size_t tlen;

void log_thread_buffer(void)
{
    if (tbuf == NULL)
        tbuf = malloc(TBUF_SIZE);
}

static void write_all(const char *line, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, line, len);
        if (n <= 0)
            return;
        line += n;
        len -= (size_t)n;
    }
}

static __thread int64_t tflushed;

void log_flush(void)
{
    if (tlen > 0)
        write_all(tbuf, tlen);
    tlen = 0;
    tflushed = clock_mono_ns();
}

void log_flush_due(void)
{
    if (tlen >= TBUF_SIZE / 2 || (tlen > 0 && clock_mono_ns() - tflushed > 50000000))
        log_flush();
}

void log_line(const char *line, size_t len)
{
    if (tbuf == NULL) {
        write_all(line, len);
        return;
    }
    if (tlen + len > TBUF_SIZE)
        log_flush();
    if (len > TBUF_SIZE) {
        write_all(line, len);
        return;
    }
    memcpy(tbuf + tlen, line, len);
    tlen += len;
}

void log_thread_release(void)
{
    log_flush();
    free(tbuf);
    tbuf = NULL;
}

void log_json(log_level_t level, const char *msg, json_t *fields)
{
    if (level < min_level) {
        json_decref(fields);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "ts", json_integer(clock_now_ms()));
    json_object_set_new(o, "level", json_string(names[level]));
    json_object_set_new(o, "msg", json_string(msg));
    if (fields)
        json_object_update(o, fields);
    json_decref(fields);
    char buf[4096];
    size_t n = json_dumpb(o, buf, sizeof(buf) - 1, JSON_COMPACT);
    json_decref(o);
    if (n == 0 || n > sizeof(buf) - 1)
        return;
    buf[n++] = '\n';
    log_line(buf, n);
}

void log_msg(log_level_t level, const char *msg, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    json_t *f = json_object();
    json_object_set_new(f, "detail", json_string(detail));
    log_json(level, msg, f);
}

void log_mask_phone(const char *d, char out[12])
{
    memcpy(out, d, 3);
    memcpy(out + 3, "****", 4);
    memcpy(out + 7, d + 7, 4);
    out[11] = '\0';
}

size_t log_escape(char *buf, size_t cap, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            if (o + 2 > cap)
                break;
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            if (o + 6 > cap)
                break;
            memcpy(buf + o, "\\u00", 4);
            buf[o + 4] = hex[c >> 4];
            buf[o + 5] = hex[c & 15];
            o += 6;
        } else {
            if (o + 1 > cap)
                break;
            buf[o++] = (char)c;
        }
    }
    return o;
}
