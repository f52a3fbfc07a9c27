/* commands.c - the operator commands as data: words, flags, handler. */
#include "cli/cli_int.h"

static const char *const staff_add_flags[] = {"name=", "role=", NULL};
static const char *const name_flag[] = {"name=", NULL};
static const char *const no_flags[] = {NULL};
static const char *const now_flag[] = {"now=", NULL};

/* clang-format off */
const cli_command_t cli_commands[] = {
    {"staff add",     staff_add_flags, cli_staff_add,     "add a staff member (password on stdin)"},
    {"staff disable", name_flag,       cli_staff_disable, "disable a staff member, end their sessions"},
    {"audit verify",  no_flags,        cli_audit_verify,  "check the audit trail's chain; non-zero if broken"},
    {"requests overdue", now_flag,     cli_requests_overdue, "list open requests past their 15-day deadline"},
};
/* clang-format on */
const size_t cli_commands_count = sizeof(cli_commands) / sizeof(cli_commands[0]);
