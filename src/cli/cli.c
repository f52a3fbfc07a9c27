/* cli.c - flags, times and secrets of the operator commands, and the
 * command table. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *cli_get(const cli_t *c, const char *flag)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->flag[i], flag) == 0)
            return c->value[i];
    return NULL;
}

bool cli_has(const cli_t *c, const char *flag)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->flag[i], flag) == 0)
            return true;
    return false;
}

int cli_time(const cli_t *c, const char *flag, int64_t now, int64_t def, int64_t *out)
{
    const char *v = cli_get(c, flag);
    if (v == NULL) {
        *out = def;
        return 0;
    }
    char *end;
    if (v[0] == '+' || v[0] == '-') {
        long long n = strtoll(v + 1, &end, 10);
        int64_t unit = *end == 'd'   ? 86400000LL
                       : *end == 'h' ? 3600000LL
                       : *end == 'm' ? 60000LL
                                     : 0;
        if (end == v + 1 || unit == 0 || end[1] != '\0' || n < 0 || n > 100000) {
            fprintf(stderr, "--%s: '%s' is not like +25h, +16d or -1d\n", flag, v);
            return -1;
        }
        *out = now + (v[0] == '+' ? 1 : -1) * (int64_t)n * unit;
        return 0;
    }
    struct tm tm = {0};
    end = strptime(v, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0') {
        fprintf(stderr, "--%s: '%s' is not a UTC time like 2026-12-01T08:00:00Z\n", flag, v);
        return -1;
    }
    *out = (int64_t)timegm(&tm) * 1000;
    return 0;
}

int cli_read_secret(char *buf, size_t len)
{
    if (fgets(buf, (int)len, stdin) == NULL)
        return -1;
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}
