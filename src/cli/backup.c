/* backup.c - `wlk backup FILE`, `wlk restore FILE` and `wlk keys rotate`:
 * copies of the database and the custody of its keys (docs/OPERATIONS.md). */
#include "cli/cli_int.h"
#include "keys/keys.h"

#include <stdio.h>

#define PROGRESS_FROM 4096 /* pages: smaller databases are copied in silence */

static void progress(void *arg, int done, int total)
{
    const cli_t *cli = arg;
    if (total >= PROGRESS_FROM)
        fprintf(cli->out, "backup: %d%% (%d of %d pages)\n", (int)(100LL * done / total), done,
                total);
}

int cli_backup(app_ctx_t *c, const cli_t *cli)
{
    err_t e = {0};
    if (db_backup(c->db, cli->file, progress, (void *)cli, &e) < 0)
        return cli_fail(cli, "backup", &e);
    fprintf(cli->out,
            "backup written to %s (the database; uploaded files stay in <data-dir>/media).\n"
            "Not in it, keep them apart from it: the master key (%s) and the shredded-key list "
            "(%s).\n",
            cli->file, c->app->cfg.master_key_file, c->app->cfg.shredded_file);
    return 0;
}

/* The staged copy is a wlk database this build can run, of this
 * installation (its keys' fingerprint). */
static int check_staged(app_ctx_t *c, const char *staged, const char *file, int64_t *version,
                        err_t *e)
{
    app_ctx_t s = *c;
    int rc = db_open(staged, &s.db, e);
    if (rc == 0 && db_schema_version(s.db, version, e) < 0) {
        err_clear(e);
        rc =
            err_set(e, ERR_VALIDATION_FAILED, NULL, "%s is not a wlk backup (no migrations)", file);
    }
    if (rc == 0 && *version == 0)
        rc =
            err_set(e, ERR_VALIDATION_FAILED, NULL, "%s is not a wlk backup (no migrations)", file);
    else if (rc == 0 && *version > db_schema_latest())
        rc = err_set(e, ERR_VALIDATION_FAILED, NULL,
                     "%s was made by a newer wlk (schema %lld; this build knows %lld)", file,
                     (long long)*version, (long long)db_schema_latest());
    if (rc == 0)
        rc = keys_check_installation(&s, true, e);
    db_close(s.db);
    return rc;
}

int cli_restore(app_ctx_t *c, const cli_t *cli)
{
    err_t e = {0};
    char staged[1200];
    int64_t version = 0;
    if (db_restore_stage(c->app->db_dsn, cli->file, staged, sizeof(staged), &e) < 0)
        return cli_fail(cli, "restore", &e);
    if (check_staged(c, staged, cli->file, &version, &e) < 0) {
        db_restore_drop(staged);
        fprintf(cli->err, "wlk restore: refused, the database is untouched: %s\n", e.message);
        err_clear(&e);
        return 1;
    }
    db_close(c->db); /* the live file moves */
    c->db = NULL;
    if (db_restore_install(c->app->db_dsn, staged, &e) < 0) {
        db_restore_drop(staged);
        return cli_fail(cli, "restore", &e);
    }
    fprintf(cli->out,
            "restored %s (schema %lld); the database it replaced is kept as "
            "wlk.db.before-restore.\nAt the next start the server migrates it and erases again "
            "every account cancelled since the backup was made (%s).\n",
            cli->file, (long long)version, c->app->cfg.shredded_file);
    return 0;
}

int cli_keys_rotate(app_ctx_t *c, const cli_t *cli)
{
    err_t e = {0};
    keys_rotated_t r;
    if (keys_rotate(c, cli_has(cli, "retire-old"), &r, &e) < 0)
        return cli_fail(cli, "keys rotate", &e);
    fprintf(cli->out,
            "a new master key is current (%s); re-wrapped under it: %lld account keys, %lld "
            "conversation keys, %lld file keys\n",
            c->app->cfg.master_key_file, (long long)r.accounts, (long long)r.conversations,
            (long long)r.files);
    if (r.unreadable)
        fprintf(cli->out, "%lld keys no key opens were left as they were; the old keys stay\n",
                (long long)r.unreadable);
    fprintf(cli->out, "%d wrapping key%s in the key file%s\n", r.keys_kept,
            r.keys_kept == 1 ? "" : "s",
            r.keys_kept == 1 ? ""
                             : " (the older ones open backups made before; --retire-old drops "
                               "them)");
    return 0;
}
