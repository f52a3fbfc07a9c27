/* retention.c - `wlk purge` (the retention sweeper, on demand) and
 * `wlk privacy flag-unlawful` (erasure after a finding of unlawful
 * processing). */
#include "cli/cli_int.h"
#include "core/ids.h"
#include "retention/retention.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t fixed_now;

static int64_t now_fixed(void)
{
    return fixed_now;
}

static void row(void *arg, const char *category, const char *table, const char *trigger,
                const char *rule, int64_t rows)
{
    fprintf(arg, "%-18s %-16s %-10s %8lld  %s\n", category, table, trigger, (long long)rows, rule);
}

int cli_purge(app_ctx_t *c, const cli_t *cli)
{
    if (cli_time(cli, "now", c->now_ms(), c->now_ms(), &fixed_now) < 0)
        return 2;
    bool dry = cli_has(cli, "dry-run");
    c->now_ms = now_fixed;
    time_t t = (time_t)(fixed_now / 1000);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    fprintf(cli->out, "retention sweep as of %s%s\n%-18s %-16s %-10s %8s  %s\n", when,
            dry ? " (dry run: nothing is changed)" : "", "category", "table", "trigger", "rows",
            "rule");
    err_t e = {0};
    int64_t n = retention_sweep(c, RETENTION_ALL, dry, row, cli->out, &e);
    if (n < 0)
        return cli_fail(cli, "purge", &e);
    fprintf(cli->out, "%lld rows %s\n", (long long)n,
            dry ? "would be removed or anonymised" : "removed or anonymised");
    return 0;
}

int cli_flag_unlawful(app_ctx_t *c, const cli_t *cli)
{
    const char *user = cli_get(cli, "user"), *list = cli_get(cli, "categories");
    const char *reason = cli_get(cli, "reason");
    int64_t id;
    char buf[512];
    const char *cats[RETENTION_MAX_CATEGORIES];
    int n = -1;
    if (user && list && strlen(list) < sizeof(buf)) {
        snprintf(buf, sizeof(buf), "%s", list);
        n = retention_categories_parse(buf, cats, RETENTION_MAX_CATEGORIES);
    }
    if (user == NULL || !ids_parse(user, strlen(user), &id) || n < 0 || reason == NULL) {
        fprintf(cli->err, "usage: wlk privacy flag-unlawful --user ID --categories a,b "
                          "--reason TEXT\n");
        return 2;
    }
    err_t e = {0};
    int64_t rows;
    if (retention_erase(c, id, cats, n, "cli", reason, &rows, &e) < 0) {
        int code = e.code == ERR_VALIDATION_FAILED || e.code == ERR_NOT_FOUND ? 2 : 1;
        cli_fail(cli, "privacy flag-unlawful", &e);
        return code;
    }
    fprintf(cli->out, "erased %lld rows of user %s (%s); audited\n", (long long)rows, user, list);
    return 0;
}
