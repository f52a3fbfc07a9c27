/* staff.c - `wlk staff add|disable`. */
#include "cli/cli_int.h"
#include "sec/sec.h"
#include "staff/staff.h"

#include <stdio.h>
#include <string.h>

int cli_fail(const cli_t *cli, const char *what, err_t *e)
{
    fprintf(cli->err, "wlk %s: %s%s%s\n", what, e->message, e->has_field ? " - field " : "",
            e->has_field ? e->field : "");
    if (e->cause[0])
        fprintf(cli->err, "wlk %s: %s\n", what, e->cause);
    err_clear(e);
    return 1;
}

int cli_staff_add(app_ctx_t *c, const cli_t *cli)
{
    const char *name = cli_get(cli, "name"), *role = cli_get(cli, "role");
    if (name == NULL || role == NULL) {
        fprintf(cli->err, "usage: wlk staff add --name N --role admin|reviewer|support|auditor "
                          "(password on stdin)\n");
        return 2;
    }
    char pw[1100];
    if (cli_read_secret(cli, pw, sizeof(pw)) < 0) {
        fprintf(cli->err, "wlk staff add: no password on stdin\n");
        return 2;
    }
    err_t e = {0};
    int64_t id;
    int rc = staff_add(c, "cli", name, role, pw, &id, &e);
    sec_wipe(pw, sizeof(pw));
    if (rc < 0)
        return cli_fail(cli, "staff add", &e);
    fprintf(cli->out, "staff member %s added with role %s\n", name, role);
    return 0;
}

int cli_staff_disable(app_ctx_t *c, const cli_t *cli)
{
    const char *name = cli_get(cli, "name");
    if (name == NULL) {
        fprintf(cli->err, "usage: wlk staff disable --name N\n");
        return 2;
    }
    err_t e = {0};
    if (staff_disable(c, "cli", name, &e) < 0)
        return cli_fail(cli, "staff disable", &e);
    fprintf(cli->out, "staff member %s disabled; their sessions ended\n", name);
    return 0;
}
