/* admin.h - operator commands on a running server (issue 11, 2). `wlk
 * serve` listens on an admin socket of its data directory (a Linux
 * abstract socket named after the directory's real path; only its own
 * user may connect, checked with SO_PEERCRED) and runs each command it is
 * sent on a database connection of its own, one at a time, answering the
 * command's exit status, stdout and stderr. `wlk <command>` tries that
 * socket first, so every command works while the server runs with its
 * default exclusive lock; with no server it opens the database itself. */
#ifndef WLK_ADMIN_H
#define WLK_ADMIN_H

#include "app/app.h"
#include "cli/cli.h"
#include "core/err.h"

typedef struct admin admin_t;

/* Starts listening for app's data directory (a thread). Returns new
 * (admin_stop). Fails when another server already listens for it. */
int admin_start(app_t *app, admin_t **out, err_t *e) __attribute__((warn_unused_result));
/* Stops listening; waits for a command being run. NULL-safe. */
void admin_stop(admin_t *a);

/* The arguments of a command as the request carries them (a JSON array
 * of strings). Returns new (free()). */
char *admin_request_args(int argc, char **argv);
/* Runs cmd with args (from admin_request_args) and its file argument (an
 * absolute path, or NULL) on the server of data_dir,
 * reading its secret from our stdin when cmd takes one, and copies its
 * stdout and stderr to ours: 0 with its exit status in *status; -1 when
 * no server listens (run it here instead). */
int admin_call(const char *data_dir, const cli_command_t *cmd, const char *args, const char *file,
               int *status);
/* Whether a server listens for data_dir. */
bool admin_running(const char *data_dir);

#endif
