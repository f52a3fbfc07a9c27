/* cli_int.h - the commands, one file per subject. */
#ifndef WLK_CLI_INT_H
#define WLK_CLI_INT_H

#include "cli/cli.h"
#include "core/err.h"

/* Prints e's message to stderr and returns 1. */
int cli_fail(const cli_t *cli, const char *what, err_t *e);

int cli_staff_add(app_ctx_t *c, const cli_t *cli);
int cli_staff_disable(app_ctx_t *c, const cli_t *cli);
int cli_audit_verify(app_ctx_t *c, const cli_t *cli);
/* retention and policy (issue 4) */
int cli_purge(app_ctx_t *c, const cli_t *cli);
int cli_flag_unlawful(app_ctx_t *c, const cli_t *cli);
int cli_policy_publish(app_ctx_t *c, const cli_t *cli);
int cli_incident_notify(app_ctx_t *c, const cli_t *cli);
int cli_requests_overdue(app_ctx_t *c, const cli_t *cli);
/* backups and keys (issue 11) */
int cli_backup(app_ctx_t *c, const cli_t *cli);
int cli_restore(app_ctx_t *c, const cli_t *cli);
int cli_keys_rotate(app_ctx_t *c, const cli_t *cli);
/* the developments catalogue (issue 13) */
int cli_developments_import(app_ctx_t *c, const cli_t *cli);

#endif
