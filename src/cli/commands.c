/* commands.c - the operator commands as data: words, flags, handler. */
#include "cli/cli_int.h"

static const char *const staff_add_flags[] = {"name=", "role=", NULL};
static const char *const name_flag[] = {"name=", NULL};
static const char *const no_flags[] = {NULL};
/* retention and policy (issue 4) */
static const char *const purge_flags[] = {"now=", "dry-run", NULL};
static const char *const unlawful_flags[] = {"user=", "categories=", "reason=", NULL};
static const char *const publish_flags[] = {"material", "note=", "force", NULL};
static const char *const incident_flags[] = {
    "categories=", "cause=", "harm=", "remedies=", "actions=", "contact=", "users=", NULL};
static const char *const now_flag[] = {"now=", NULL};

/* clang-format off */
const cli_command_t cli_commands[] = {
    {"staff add",     staff_add_flags, cli_staff_add,     "add a staff member (password on stdin)", true},
    {"staff disable", name_flag,       cli_staff_disable, "disable a staff member, end their sessions", false},
    {"audit verify",  no_flags,        cli_audit_verify,  "check the audit trail's chain; non-zero if broken", false},
    /* retention and policy (issue 4) */
    {"purge",                  purge_flags,    cli_purge,           "run the retention sweeper now (or as of --now); print rows per rule", false},
    {"privacy flag-unlawful",  unlawful_flags, cli_flag_unlawful,   "erase categories of a user whose processing was unlawful (audited)", false},
    {"policy publish",         publish_flags,  cli_policy_publish,  "publish the policy rendered from the data map as a new version", false},
    {"incident notify",        incident_flags, cli_incident_notify, "record a security incident and notify the affected users", false},
    {"requests overdue", now_flag,     cli_requests_overdue, "list open requests past their 15-day deadline", false},
};
/* clang-format on */
const size_t cli_commands_count = sizeof(cli_commands) / sizeof(cli_commands[0]);
