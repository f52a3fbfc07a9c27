/* main.c - wiring only: subcommand -> settings -> app -> run. */
#include "admin/admin.h"
#include "app/app.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/netaddr.h"
#include "db/db.h"
#include "http/http.h"
#include "identity/identity.h"
#include "keys/keys.h"
#include "rights/rights.h"
#include "chat/chat.h"
#include "outbox/outbox.h"
#include "retention/retention.h"
#include "worker/worker.h"
#include "privacy/privacy.h"
#include "sec/sec.h"

#include <curl/curl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifndef WLK_VERSION
#define WLK_VERSION "0.1.0"
#endif

typedef struct command {
    const char *name;
    int (*run)(app_t *app);
    bool needs_app; /* opens the data directory, vault and database */
    const char *help;
} command_t;

static int fail(const char *what, err_t *e)
{
    fprintf(stderr, "wlk: %s: %s\n", what, e->cause[0] ? e->cause : e->message);
    if (strstr(e->cause, "sqlite busy") != NULL)
        fprintf(stderr,
                "wlk: %s: another process holds the database (a running `wlk serve`?): "
                "stop it, or run both with --sqlite-lock shared\n",
                what);
    err_clear(e);
    return 1;
}

static void kick(app_t *app)
{
    worker_kick(app->worker);
}

/* The periodic work of a running server: one table, one thread (worker/). */
static int job_checkpoint(void *arg, app_ctx_t *c, err_t *e)
{
    (void)arg;
    int64_t t0 = clock_mono_ns();
    int rc = db_checkpoint(c->db, e); /* the log is restarted when it grows (db_sqlite.c) */
    if (clock_mono_ns() - t0 > 10000000)
        log_msg(LOG_DEBUG, "slow checkpoint", "%.1f ms", (double)(clock_mono_ns() - t0) / 1e6);
    return rc;
}

static int job_calls(void *arg, app_ctx_t *c, err_t *e)
{
    (void)arg;
    return chat_call_expire(c, e) < 0 ? -1 : 0;
}

/* The retention sweeper: passes (RETENTION_TIMED, RETENTION_ORPHANS). */
static int job_sweep(void *arg, app_ctx_t *c, err_t *e)
{
    int64_t n = retention_sweep(c, *(const unsigned *)arg, false, NULL, NULL, e);
    db_trim(c->db); /* the sweep's pages are not needed until the next one */
    return n < 0 ? (int)n : 0;
}

static const unsigned timed = RETENTION_TIMED, orphans = RETENTION_ORPHANS;

/* Opens the data directory, the vault and a database connection, applies
 * migrations and, with publish (serve), publishes the policy if the
 * rendered text changed: material when the map's categories, purposes or
 * recipients did. Operator commands never publish behind the operator's
 * back (`wlk policy publish` does it with their note). */
static int open_app(app_t *app, app_ctx_t *ctx, bool publish, err_t *e)
{
    log_level_t lvl;
    if (log_level_parse(app->cfg.log_level, &lvl) != 0)
        return err_internal(e, "--log-level must be debug, info, warn or error");
    log_set_level(lvl);
    ids_set_node((unsigned)app->cfg.node_id);
    if (mkdir(app->cfg.data_dir, 0700) != 0 && errno != EEXIST)
        return err_internal(e, "cannot create %s: %s", app->cfg.data_dir, strerror(errno));
    int rc;
    if (app->cfg.database[0]) {
        if (!db_is_postgres(app->cfg.database))
            return err_internal(e, "--database must be a postgres:// or postgresql:// URL");
        if (strlen(app->cfg.database) >= sizeof(app->db_dsn))
            return err_internal(e, "--database: too long");
        strcpy(app->db_dsn, app->cfg.database);
    } else if ((rc =
                    db_sqlite_dsn(app->cfg.data_dir, strcmp(app->cfg.sqlite_lock, "exclusive") == 0,
                                  app->db_dsn, sizeof(app->db_dsn))) < 0) {
        return err_internal(e, "--data-dir: path too long");
    }
    if (strcmp(app->cfg.sqlite_lock, "exclusive") != 0 && strcmp(app->cfg.sqlite_lock, "shared"))
        return err_internal(e, "--sqlite-lock must be exclusive or shared");
    const char *bad;
    if (!netaddr_list_valid(app->cfg.trusted_proxy, &bad))
        return err_internal(e, "--trusted-proxy: '%.*s' is not an address or CIDR",
                            (int)strcspn(bad, ","), bad);
    if ((rc = sec_init()) < 0)
        return err_internal(e, "libsodium failed to initialise");
    if ((rc = sec_vault_open(app->cfg.master_key_file, &app->vault, e)) < 0 ||
        (rc = sec_vault_shred_open(app->vault, app->cfg.shredded_file, e)) < 0)
        return rc;
    ctx->app = app;
    ctx->now_ms = clock_now_ms;
    if ((rc = db_open(app->db_dsn, &ctx->db, e)) < 0 || (rc = db_migrate(ctx->db, e)) < 0 ||
        (rc = keys_check_installation(ctx, false, e)) < 0)
        return rc;
    if (!publish)
        return 0;
    int64_t replayed;
    if ((rc = rights_replay_cancellations(ctx, &replayed, e)) < 0)
        return rc;
    if (replayed > 0)
        log_msg(LOG_WARN, "cancellations replayed",
                "%lld accounts cancelled after the database's backup was made are erased again",
                (long long)replayed);
    return privacy_policy_ensure_published(ctx, e);
}

/* The node's id lease: held while the node runs (worker.h, owned). */
static int job_node_id(void *arg, app_ctx_t *c, err_t *e)
{
    (void)arg, (void)c, (void)e;
    return 0;
}

static int cmd_serve(app_t *app)
{
    err_t e = {0};
    outbox_t *ob = NULL;
    /* signals go to the thread that waits for them (http_serve), never to
     * one of the threads started below */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    char node_lease[32];
    snprintf(node_lease, sizeof(node_lease), "node-id %d", app->cfg.node_id);
    if (outbox_open(app, &ob, &e) < 0)
        return fail("outbox", &e);
    /* clang-format off */
    const worker_job_t jobs[] = {
        /* name               period ms       lease  at_stop  run             arg               owned */
        {"outbox",            0,              false, true,    outbox_deliver, ob,               false},
        {"checkpoint",        250,            false, false,   job_checkpoint, NULL,             false},
        {"call-expiry",       1000,           true,  false,   job_calls,      NULL,             false},
        {"retention",         10 * 60000,     true,  false,   job_sweep,      (void *)&timed,   false},
        {"retention-orphans", 24 * 3600000LL, true,  false,   job_sweep,      (void *)&orphans, false},
        {node_lease,          2000,           true,  false,   job_node_id,    NULL,             true},
    };
    /* clang-format on */
    worker_t *w = NULL;
    admin_t *admin = NULL;
    if (worker_start(app, jobs, sizeof(jobs) / sizeof(jobs[0]), &w, &e) < 0) {
        outbox_close(ob);
        return fail("worker", &e);
    }
    app->worker = w;
    app->outbox_kick = kick;
    if (admin_start(app, &admin, &e) < 0) {
        worker_stop(w);
        outbox_close(ob);
        return fail("admin", &e);
    }
    int rc = http_serve(app, &e);
    admin_stop(admin);
    worker_stop(w);
    outbox_close(ob);
    app->worker = NULL;
    app->outbox_kick = NULL;
    if (rc < 0)
        return fail("serve", &e);
    log_msg(LOG_INFO, "stopped", "clean shutdown");
    return 0;
}

static int cmd_migrate(app_t *app)
{
    (void)app; /* open_app has migrated */
    printf("migrations applied\n");
    return 0;
}

static int cmd_version(app_t *app)
{
    (void)app;
    printf("wlk %s\n", WLK_VERSION);
    return 0;
}

static void error_row(const err_info_t *row, void *arg)
{
    (void)arg;
    printf("| `%s` | %d | %s | %s |\n", row->str, row->status, row->msg, row->zh);
}

static int cmd_errors(app_t *app)
{
    (void)app;
    printf("# Error codes\n\nGenerated by `wlk errors` from `src/core/err.h`. Codes are stable "
           "public API: never renamed, only added. The zh-CN text is what the web client shows "
           "(`GET /v1/errors`).\n\n| code | HTTP status | meaning | 提示 (zh-CN) |\n"
           "|---|---|---|---|\n");
    err_foreach(error_row, NULL);
    return 0;
}

static int cmd_help(app_t *app);

static const command_t commands[] = {
    {"serve", cmd_serve, true,
     "run the web client and the HTTP API (migrates, publishes the policy)"},
    {"migrate", cmd_migrate, true, "apply database migrations and exit"},
    {"version", cmd_version, false, "print the version"},
    {"errors", cmd_errors, false, "print the error table as Markdown (docs/ERRORS.md)"},
    {"help", cmd_help, false, "this text"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int cmd_help(app_t *app)
{
    (void)app;
    printf("wlk - the Weiliaoke platform server\n\nUsage: wlk <command> [settings]\n\n"
           "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        printf("  %-16s %s\n", commands[i].name, commands[i].help);
    printf("\nOperator commands (sent to the running server of --data-dir when there is one):\n");
    for (size_t i = 0; i < cli_commands_count; i++) {
        char words[64];
        snprintf(words, sizeof(words), "%s%s%s", cli_commands[i].name,
                 cli_commands[i].file_arg ? " " : "",
                 cli_commands[i].file_arg ? cli_commands[i].file_arg : "");
        printf("  %-16s %s\n", words, cli_commands[i].help);
        for (const char *const *f = cli_commands[i].flags; *f; f++)
            printf("  %-16s   --%s%s\n", "", *f, strchr(*f, '=') ? "..." : "");
    }
    printf("\n");
    config_usage(stdout);
    return 0;
}

/* `wlk <word> [<word>] [own flags] [settings]`: on the running server of
 * the data directory when there is one (its admin socket), else here on
 * the database. */
static int run_operator(app_t *app, const cli_command_t *cmd, int argc, char **argv)
{
    cli_t cli = {.in = stdin, .out = stdout, .err = stderr};
    char *rest[128], file[PATH_MAX];
    int nrest = 0;
    char errbuf[256];
    if (cmd->file_arg) { /* `wlk backup FILE ...`: absolute, for a server elsewhere */
        if (argc < 1 || strncmp(argv[0], "--", 2) == 0) {
            fprintf(stderr, "wlk %s: needs %s: wlk %s %s [settings]\n", cmd->name, cmd->file_arg,
                    cmd->name, cmd->file_arg);
            return 2;
        }
        char cwd[PATH_MAX];
        if (argv[0][0] == '/'
                ? snprintf(file, sizeof(file), "%s", argv[0]) >= (int)sizeof(file)
                : getcwd(cwd, sizeof(cwd)) == NULL ||
                      snprintf(file, sizeof(file), "%s/%s", cwd, argv[0]) >= (int)sizeof(file)) {
            fprintf(stderr, "wlk %s: %s: path too long\n", cmd->name, cmd->file_arg);
            return 2;
        }
        cli.file = file;
        argc--;
        argv++;
    }
    char *sent = admin_request_args(argc, argv); /* before cli_parse cuts "--a=b" apart */
    int rc = cli_parse(cmd, argc, argv, &cli, rest, 128, &nrest);
    if (rc == 0 && (rc = config_load(&app->cfg, nrest, rest, errbuf, sizeof(errbuf))) != 0) {
        fprintf(stderr, "wlk %s: %s\n", cmd->name, rc == 1 ? "see wlk --help" : errbuf);
        rc = 2;
    }
    if (rc != 0) {
        free(sent);
        return rc;
    }
    int status;
    if (cmd->offline && admin_running(app->cfg.data_dir)) {
        fprintf(stderr, "wlk %s: a server is running on %s: stop it first\n", cmd->name,
                app->cfg.data_dir);
        free(sent);
        return 1;
    }
    if (!cmd->offline && admin_call(app->cfg.data_dir, cmd, sent, cli.file, &status) == 0) {
        free(sent);
        return status;
    }
    free(sent);
    err_t e = {0};
    app_ctx_t ctx = {0};
    rc = open_app(app, &ctx, false, &e) < 0 ? fail("start", &e) : cmd->run(&ctx, &cli);
    db_close(ctx.db);
    sec_vault_destroy(app->vault);
    return rc;
}

int main(int argc, char **argv)
{
    static app_t app;
    char errbuf[256];
    const char *name = argc > 1 ? argv[1] : "help";
    identity_init(); /* the outbox's verify hooks, wherever it delivers */
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    for (size_t i = 0; i < cli_commands_count; i++) {
        size_t n = strlen(name);
        const char *cn = cli_commands[i].name;
        if (strncmp(cn, name, n) != 0)
            continue;
        if (cn[n] == '\0') /* one word: `wlk purge` */
            return run_operator(&app, &cli_commands[i], argc - 2, argv + 2);
        if (argc > 2 && cn[n] == ' ' && strcmp(cn + n + 1, argv[2]) == 0)
            return run_operator(&app, &cli_commands[i], argc - 3, argv + 3);
    }
    const command_t *cmd = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            cmd = &commands[i];
    if (cmd == NULL) {
        fprintf(stderr, "wlk: unknown command '%s' (try 'wlk --help')\n", name);
        return 2;
    }
    int rc = config_load(&app.cfg, argc > 2 ? argc - 2 : 0, argv + 2, errbuf, sizeof(errbuf));
    if (rc == 1)
        return cmd_help(&app);
    if (rc < 0) {
        fprintf(stderr, "wlk %s: %s\n", cmd->name, errbuf);
        return 2;
    }
    if (!cmd->needs_app)
        return cmd->run(&app);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    err_t e = {0};
    app_ctx_t ctx = {0};
    rc = open_app(&app, &ctx, cmd->run == cmd_serve, &e) < 0 ? fail("start", &e) : 0;
    db_close(ctx.db);
    if (rc == 0)
        rc = cmd->run(&app);
    sec_vault_destroy(app.vault);
    curl_global_cleanup();
    return rc;
}
