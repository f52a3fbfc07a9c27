/* staff.c - `wlk staff add|disable`. */
#include "audit/audit.h"
#include "cli/cli_int.h"
#include "sec/sec.h"
#include "staff/staff.h"

#include <stdio.h>
#include <string.h>

int cli_fail(const char *what, err_t *e)
{
    fprintf(stderr, "wlk %s: %s%s%s\n", what, e->message, e->has_field ? " - field " : "",
            e->has_field ? e->field : "");
    if (e->cause[0])
        fprintf(stderr, "wlk %s: %s\n", what, e->cause);
    err_clear(e);
    return 1;
}

int cli_staff_add(app_ctx_t *c, const cli_t *cli)
{
    const char *name = cli_get(cli, "name"), *role = cli_get(cli, "role");
    if (name == NULL || role == NULL) {
        fprintf(stderr, "usage: wlk staff add --name N --role admin|reviewer|support|auditor "
                        "(password on stdin)\n");
        return 2;
    }
    char pw[1100];
    if (cli_read_secret(pw, sizeof(pw)) < 0) {
        fprintf(stderr, "wlk staff add: no password on stdin\n");
        return 2;
    }
    err_t e = {0};
    int64_t id;
    int rc = db_begin(c->db, &e);
    if (rc == 0 && (rc = staff_add(c, name, role, pw, &id, &e)) == 0) {
        json_t *d = json_pack("{s:s, s:s}", "name", name, "role", role);
        audit_entry_t a = {.actor = "cli", .action = "staff.add", .detail = d};
        rc = audit_append(c, &a, &e);
        json_decref(d);
    }
    sec_wipe(pw, sizeof(pw));
    if (rc == 0)
        rc = db_commit(c->db, &e);
    else
        db_rollback(c->db);
    if (rc < 0)
        return cli_fail("staff add", &e);
    printf("staff member %s added with role %s\n", name, role);
    return 0;
}

int cli_staff_disable(app_ctx_t *c, const cli_t *cli)
{
    const char *name = cli_get(cli, "name");
    if (name == NULL) {
        fprintf(stderr, "usage: wlk staff disable --name N\n");
        return 2;
    }
    err_t e = {0};
    int rc = staff_disable(c, name, &e);
    if (rc == 0) {
        json_t *d = json_pack("{s:s}", "name", name);
        audit_entry_t a = {.actor = "cli", .action = "staff.disable", .detail = d};
        rc = audit_append(c, &a, &e);
        json_decref(d);
    }
    if (rc < 0)
        return cli_fail("staff disable", &e);
    printf("staff member %s disabled; their sessions ended\n", name);
    return 0;
}
