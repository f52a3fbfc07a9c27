/* cli.c - flags, times and secrets of the operator commands, and the
 * command table. */
#include "cli/cli.h"
#include "core/config.h"

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
            fprintf(c->err, "--%s: '%s' is not like +25h, +16d or -1d\n", flag, v);
            return -1;
        }
        *out = now + (v[0] == '+' ? 1 : -1) * (int64_t)n * unit;
        return 0;
    }
    struct tm tm = {0};
    end = strptime(v, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0') {
        fprintf(c->err, "--%s: '%s' is not a UTC time like 2026-12-01T08:00:00Z\n", flag, v);
        return -1;
    }
    *out = (int64_t)timegm(&tm) * 1000;
    return 0;
}

int cli_read_secret(const cli_t *c, char *buf, size_t len)
{
    if (fgets(buf, (int)len, c->in) == NULL)
        return -1;
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

const cli_command_t *cli_command_named(const char *name)
{
    for (size_t i = 0; i < cli_commands_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

/* The flag cmd takes of this name: "name" (a switch) or "name=" (with a
 * value). */
static const char *takes(const cli_command_t *cmd, const char *name, size_t len, bool *value)
{
    for (const char *const *f = cmd->flags; *f; f++) {
        size_t n = strcspn(*f, "=");
        if (n == len && strncmp(name, *f, n) == 0) {
            *value = (*f)[n] == '=';
            return *f;
        }
    }
    return NULL;
}

int cli_parse(const cli_command_t *cmd, int argc, char **argv, cli_t *cli, char **rest, int cap,
              int *nrest)
{
    *nrest = 0;
    for (int i = 0; i < argc; i++) {
        bool value = false;
        const char *name, *inline_value;
        size_t len;
        const char *f =
            config_flag(argv[i], &name, &len, &inline_value) ? takes(cmd, name, len, &value) : NULL;
        if (f == NULL) {
            if (*nrest == cap)
                return 2;
            rest[(*nrest)++] = argv[i];
            continue;
        }
        char *flag = argv[i];
        const char *v = value ? config_flag_value(argc, argv, &i, inline_value) : NULL;
        if (cli->n == CLI_MAX_FLAGS || (value && !v) || (!value && inline_value)) {
            fprintf(cli->err, "wlk %s: --%.*s %s\n", cmd->name, (int)len, name,
                    value ? "needs a value" : "takes no value");
            return 2;
        }
        flag[2 + len] = '\0'; /* the name alone; an inline value follows the '=' */
        cli->flag[cli->n] = flag + 2;
        cli->value[cli->n++] = v;
    }
    return 0;
}
