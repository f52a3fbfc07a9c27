/* cli.h - the operator commands of `wlk` beyond serve (staff, audit,
 * purge, policy, requests, incidents): each parses its own flags from
 * cli_t and works on an opened app context. Output goes to stdout, errors
 * to stderr; exit status 0 on success, 1 on failure, 2 on bad usage. */
#ifndef WLK_CLI_H
#define WLK_CLI_H

#include "app/app.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#define CLI_MAX_FLAGS 16

typedef struct cli {
    FILE *in, *out, *err; /* the command's stdin, stdout and stderr (the
                             terminal, or a running server's admin socket) */
    int n;
    const char *flag[CLI_MAX_FLAGS];  /* without the leading "--" */
    const char *value[CLI_MAX_FLAGS]; /* NULL for a flag given without value */
    const char *file;                 /* the command's FILE argument (absolute), or NULL */
} cli_t;

/* The value of --flag, or NULL. */
const char *cli_get(const cli_t *c, const char *flag);
bool cli_has(const cli_t *c, const char *flag);
/* --flag as a time in ms: "2026-12-01T08:00:00Z", or relative to now as
 * "+25h", "+16d", "-1d"; def when absent. -1 (with a message on stderr)
 * when it cannot be read. */
int cli_time(const cli_t *c, const char *flag, int64_t now, int64_t def, int64_t *out);
/* Reads one line (a password) from the command's stdin without its newline. -1 on EOF. */
int cli_read_secret(const cli_t *c, char *buf, size_t len);

/* A command: its words ("staff add"), the flags it takes (each "name" or
 * "name=" when it takes a value), and what it runs. */
typedef struct cli_command {
    const char *name;
    const char *const *flags;
    int (*run)(app_ctx_t *c, const cli_t *cli);
    const char *help;
    bool reads_stdin;     /* takes a secret on stdin (sent along to a running server) */
    const char *file_arg; /* the name of its one positional argument ("FILE"), or NULL */
    bool offline;         /* runs only with the server stopped (never sent to it) */
} cli_command_t;

extern const cli_command_t cli_commands[];
extern const size_t cli_commands_count;

/* The command of this name ("staff add"), or NULL. */
const cli_command_t *cli_command_named(const char *name);
/* Splits argv into cmd's own flags (into *cli: --flag value or
 * --flag=value) and the rest (the settings, at most cap, into rest).
 * Cuts "--a=b" apart in place. 0, or 2 after a message on cli->err. */
int cli_parse(const cli_command_t *cmd, int argc, char **argv, cli_t *cli, char **rest, int cap,
              int *nrest);

#endif
