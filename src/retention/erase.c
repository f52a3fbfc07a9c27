/* erase.c - erasing one user's categories (七.二 5, unlawful processing)
 * and the two erasures the sweep shares: chat bodies like a recall, media
 * rows with their sealed files. */
#include "retention/retention_int.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/ids.h"
#include "privacy/privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 256

typedef struct ids {
    int64_t *v;
    size_t n, cap;
} ids_t;

static void ids_push(ids_t *a, int64_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = realloc(a->v, a->cap * sizeof(int64_t));
        if (a->v == NULL)
            abort();
    }
    a->v[a->n++] = x;
}

/* Up to BATCH pairs of (col0, col1) of rows matching sql. */
static int load(app_ctx_t *c, const char *sql, const db_arg_t *args, ids_t *out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st, sql, args, e);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st, e)) == DB_ROW) {
        ids_push(out, db_i64(st, 0));
        ids_push(out, db_is_null(st, 1) ? 0 : db_i64(st, 1));
    }
    if (rc < 0)
        return rc;
    db_done(st);
    return 0;
}

static int count(app_ctx_t *c, const char *table, const char *where, const db_arg_t *args,
                 int64_t *n, err_t *e)
{
    char sql[768];
    db_stmt_t *st;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s WHERE %s", table, where);
    int rc = db_one(c->db, &st, retention_sql(sql), args, e);
    if (rc < 0)
        return rc;
    *n = db_i64(st, 0);
    db_done(st);
    return 0;
}

/* Tells both members of conv that message id is gone. */
static int tell_members(app_ctx_t *c, stream_notify_t *n, int64_t conv, int64_t id, err_t *e)
{
    ids_t m = {0};
    int rc = load(c,
                  "SELECT user_id, conversation_id FROM members WHERE conversation_id = $1 "
                  "ORDER BY user_id", /* the streams locked in ascending order */
                  DB_ARGS(DB_I64(conv)), &m, e);
    for (size_t i = 0; rc >= 0 && i < m.n; i += 2)
        rc = stream_add(c, n, m.v[i], "message.recalled", conv, id, NULL, NULL, 0, e);
    free(m.v);
    return rc;
}

int64_t retention_erase_bodies(app_ctx_t *c, stream_notify_t *n, const char *where,
                               const db_arg_t *args, bool dry_run, err_t *e)
{
    int64_t total = 0;
    if (dry_run) {
        int rc = count(c, "messages", where, args, &total, e);
        return rc < 0 ? rc : total;
    }
    char sql[768];
    snprintf(sql, sizeof(sql), "SELECT id, conversation_id FROM messages WHERE %s LIMIT %d", where,
             BATCH);
    for (;;) {
        ids_t m = {0};
        int rc = load(c, retention_sql(sql), args, &m, e);
        for (size_t i = 0; rc >= 0 && i < m.n; i += 2) {
            int64_t x = db_exec(c->db,
                                "UPDATE messages SET body_enc = NULL, media_id = NULL, "
                                "recalled_at = COALESCE(recalled_at, $1) WHERE id = $2",
                                DB_ARGS(DB_I64(c->now_ms()), DB_I64(m.v[i])), e);
            rc = x < 0 ? (int)x : tell_members(c, n, m.v[i + 1], m.v[i], e);
        }
        size_t got = m.n / 2;
        free(m.v);
        if (rc < 0)
            return rc;
        total += (int64_t)got;
        if (got < BATCH)
            return total;
    }
}

/* Files of media rows deleted in the open transaction: unlinked once it
 * commits (retention_media_done), kept if it rolls back. Per thread: each
 * thread has its own connection and transaction. */
static __thread ids_t doomed;

void retention_media_done(app_ctx_t *c, bool committed)
{
    for (size_t i = 0; committed && i < doomed.n; i++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/media/%lld", c->app->cfg.data_dir, (long long)doomed.v[i]);
        unlink(path); /* its key went with the row: what a failed unlink leaves is unreadable */
    }
    free(doomed.v);
    memset(&doomed, 0, sizeof(doomed));
}

int64_t retention_drop_media(app_ctx_t *c, const char *where, const db_arg_t *args, bool dry_run,
                             err_t *e)
{
    int64_t total = 0;
    if (dry_run) {
        int rc = count(c, "media", where, args, &total, e);
        return rc < 0 ? rc : total;
    }
    char sql[768];
    ids_t m = {0};
    snprintf(sql, sizeof(sql), "SELECT id, size FROM media WHERE %s", where);
    int rc = load(c, retention_sql(sql), args, &m, e);
    for (size_t i = 0; rc >= 0 && i < m.n; i += 2) {
        int64_t x = db_exec(c->db, "DELETE FROM media WHERE id = $1", DB_ARGS(DB_I64(m.v[i])), e);
        rc = x < 0 ? (int)x : 0;
        if (rc == 0)
            ids_push(&doomed, m.v[i]);
        total += rc == 0;
    }
    free(m.v);
    return rc < 0 ? rc : total;
}

/* What erasing a category of one user does, store by store. */
typedef struct eraser {
    const char *category;
    const char *table, *where; /* $1 = the user */
    enum { E_DELETE, E_BODIES, E_MEDIA, E_CLEAR } how;
    const char *column; /* E_CLEAR: the column set to NULL */
} eraser_t;

static const eraser_t erasers[] = {
    {"nickname", "users", "id = $1 AND nickname_enc IS NOT NULL", E_CLEAR, "nickname_enc"},
    {"location", "messages", "sender_id = $1 AND kind = 'location' AND body_enc IS NOT NULL",
     E_BODIES, NULL},
    {"chat_content", "messages", "sender_id = $1 AND body_enc IS NOT NULL", E_BODIES, NULL},
    {"chat_content", "media",
     "owner_id = $1 AND id NOT IN (SELECT media_id FROM messages WHERE media_id IS NOT NULL)",
     E_MEDIA, NULL},
    {"device_info", "sessions", "user_id = $1", E_DELETE, NULL},
    {"device_info", "push_tokens", "user_id = $1", E_DELETE, NULL},
    {"device_info", "devices", "user_id = $1", E_DELETE, NULL},
    {"push_token", "push_tokens", "user_id = $1", E_DELETE, NULL},
    {"security_log", "security_events", "user_id = $1", E_DELETE, NULL},
    {"support_records", "requests", "user_id = $1", E_DELETE, NULL},
};
#define NERASERS (sizeof(erasers) / sizeof(erasers[0]))

static const char *const not_alone[] = {"phone", "consent_records", "disclosure_records"};

bool retention_erasable(const char *category)
{
    if (privacy_category_find(category) == NULL)
        return false;
    for (size_t i = 0; i < sizeof(not_alone) / sizeof(not_alone[0]); i++)
        if (strcmp(category, not_alone[i]) == 0)
            return false;
    return true;
}

static int64_t erase_one(app_ctx_t *c, stream_notify_t *n, const eraser_t *x, int64_t user,
                         err_t *e)
{
    char sql[512];
    const db_arg_t *args = DB_ARGS(DB_I64(user));
    switch (x->how) {
    case E_BODIES:
        return retention_erase_bodies(c, n, x->where, args, false, e);
    case E_MEDIA:
        return retention_drop_media(c, x->where, args, false, e);
    case E_CLEAR:
        snprintf(sql, sizeof(sql), "UPDATE %s SET %s = NULL WHERE %s", x->table, x->column,
                 x->where);
        return db_exec(c->db, retention_sql(sql), args, e);
    case E_DELETE:
    default:
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s", x->table, x->where);
        return db_exec(c->db, retention_sql(sql), args, e);
    }
}

static int check(app_ctx_t *c, int64_t user, const char *const *cats, int n, err_t *e)
{
    if (n <= 0)
        return err_set(e, ERR_VALIDATION_FAILED, "categories", "name at least one category");
    for (int i = 0; i < n; i++)
        if (!retention_erasable(cats[i]))
            return err_set(e, ERR_VALIDATION_FAILED, "categories",
                           "'%s' is not a category that can be erased alone", cats[i]);
    bool exists;
    int rc = auth_user_exists(c, user, &exists, e);
    return rc < 0 ? rc : exists ? 0 : err_set(e, ERR_NOT_FOUND, NULL, "no such user");
}

static int audit(app_ctx_t *c, int64_t user, const char *const *cats, int n, const char *actor,
                 const char *reason, int64_t rows, err_t *e)
{
    char list[512] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? " " : "", cats[i]);
    json_t *d = json_pack("{s:I}", "rows", (json_int_t)rows);
    audit_entry_t a = {.actor = actor,
                       .action = "personal_data.erase_unlawful",
                       .subject_id = user,
                       .categories = list,
                       .reason = reason,
                       .detail = d};
    int rc = audit_append(c, &a, e);
    json_decref(d);
    return rc;
}

int retention_erase(app_ctx_t *c, int64_t user, const char *const *cats, int n, const char *actor,
                    const char *reason, int64_t *rows, err_t *e)
{
    stream_notify_t notify = {0};
    *rows = 0;
    if (reason == NULL || reason[0] == '\0')
        return err_set(e, ERR_VALIDATION_FAILED, "reason", "state the reason");
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    if ((rc = check(c, user, cats, n, e)) < 0)
        goto out_rollback;
    for (int i = 0; i < n; i++)
        for (size_t k = 0; k < NERASERS; k++) {
            if (strcmp(erasers[k].category, cats[i]) != 0)
                continue;
            int64_t x = erase_one(c, &notify, &erasers[k], user, e);
            if (x < 0) {
                rc = (int)x;
                goto out_rollback;
            }
            *rows += x;
        }
    if ((rc = audit(c, user, cats, n, actor, reason, *rows, e)) < 0)
        goto out_rollback;
    rc = stream_commit(c, &notify, e);
    retention_media_done(c, rc == 0);
    return rc;
out_rollback:
    db_rollback(c->db);
    retention_media_done(c, false);
    return rc;
}

int retention_categories_parse(char *buf, const char **out, int max)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        if (*t == '\0')
            continue;
        if (n == max)
            return -1;
        out[n++] = t;
    }
    return n > 0 ? n : -1;
}
