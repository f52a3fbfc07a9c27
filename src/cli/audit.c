/* audit.c - `wlk audit verify`. */
#include "audit/audit.h"
#include "cli/cli_int.h"

#include <stdio.h>

int cli_audit_verify(app_ctx_t *c, const cli_t *cli)
{
    (void)cli;
    err_t e = {0};
    int64_t bad, count;
    char head[65];
    if (audit_verify(c, &bad, &count, head, &e) < 0)
        return cli_fail(cli, "audit verify", &e);
    if (bad) {
        fprintf(cli->out,
                "audit trail BROKEN at record %lld (changed, or a record before it removed); "
                "%lld records checked\n",
                (long long)bad, (long long)count);
        return 1;
    }
    fprintf(cli->out,
            "audit trail intact: %lld records; head %s (keep it elsewhere: removing the newest "
            "records shows only against it)\n",
            (long long)count, head);
    return 0;
}
