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
static const char *const rotate_flags[] = {"retire-old", NULL};
static const char *const import_flags[] = {"if-empty", NULL};

/* clang-format off */
const cli_command_t cli_commands[] = {
    {"staff add",     staff_add_flags, cli_staff_add,     "add a staff member (password on stdin)", true, NULL, false},
    {"staff disable", name_flag,       cli_staff_disable, "disable a staff member, end their sessions", false, NULL, false},
    {"audit verify",  no_flags,        cli_audit_verify,  "check the audit trail's chain; non-zero if broken", false, NULL, false},
    /* retention and policy (issue 4) */
    {"purge",                  purge_flags,    cli_purge,           "run the retention sweeper now (or as of --now); print rows per rule", false, NULL, false},
    {"privacy flag-unlawful",  unlawful_flags, cli_flag_unlawful,   "erase categories of a user whose processing was unlawful (audited)", false, NULL, false},
    {"policy publish",         publish_flags,  cli_policy_publish,  "publish the policy rendered from the data map as a new version", false, NULL, false},
    {"incident notify",        incident_flags, cli_incident_notify, "record a security incident and notify the affected users", false, NULL, false},
    {"requests overdue", now_flag,     cli_requests_overdue, "list open requests past their 15-day deadline", false, NULL, false},
    /* backups and keys (issue 11) */
    {"backup",      no_flags,     cli_backup,      "write a consistent copy of the database to FILE while serving", false, "FILE", false},
    {"restore",     no_flags,     cli_restore,     "put the backup FILE back (server stopped), after checks", false, "FILE", true},
    {"keys rotate", rotate_flags, cli_keys_rotate, "make a new master key current and re-wrap every data key under it", false, NULL, false},
    /* the developments catalogue (issue 13) */
    {"developments import", import_flags, cli_developments_import, "load developments from FILE (JSON lines, each with an ext_id); --if-empty: only into an empty one", false, "FILE", false},
};
/* clang-format on */
const size_t cli_commands_count = sizeof(cli_commands) / sizeof(cli_commands[0]);
