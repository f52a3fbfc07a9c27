/* ids.c - the id generator: one atomic word holds the last id handed out. */
#include "core/ids.h"
#include "core/str.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

static unsigned node_id;
static int64_t last_id;

void ids_set_node(unsigned node)
{
    node_id = node & IDS_MAX_NODE;
}

int64_t ids_next_at(int64_t now_ms)
{
    int64_t ms = now_ms - IDS_EPOCH_MS;
    if (ms < 0)
        ms = 0;
    int64_t cand = (ms << 22) | ((int64_t)node_id << 12);
    int64_t prev = __atomic_load_n(&last_id, __ATOMIC_RELAXED);
    for (;;) {
        int64_t next = cand;
        if (next <= prev) {
            /* Same millisecond or clock went back: continue from the last id,
             * carrying into the time bits when the sequence overflows and
             * keeping our node bits. */
            next = prev + 1;
            if ((next & 0xfff) == 0 || ((next >> 12) & IDS_MAX_NODE) != node_id)
                next = (((prev >> 22) + 1) << 22) | ((int64_t)node_id << 12);
        }
        if (__atomic_compare_exchange_n(&last_id, &prev, next, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            return next;
    }
}

int64_t ids_next(void)
{
    return ids_next_at(clock_now_ms());
}

size_t ids_format(int64_t id, char *buf)
{
    return str_fmt_i64(buf, id);
}

bool ids_parse(const char *s, size_t len, int64_t *out)
{
    if (len == 0 || len > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v == 0 || v > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)v;
    return true;
}

json_t *ids_json(int64_t id)
{
    char buf[21];
    ids_format(id, buf);
    return json_string(buf);
}

bool ids_cursor_parse(const char *s, int64_t *at, int64_t *id)
{
    const char *dot = s ? strchr(s, '.') : NULL;
    return dot && ids_parse(s, (size_t)(dot - s), at) && ids_parse(dot + 1, strlen(dot + 1), id);
}

json_t *ids_cursor_json(int64_t at, int64_t id)
{
    char buf[48];
    snprintf(buf, sizeof(buf), "%lld.%lld", (long long)at, (long long)id);
    return json_string(buf);
}
