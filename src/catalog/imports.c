/* imports.c - the record of each catalogue import (catalog_imports): the
 * CLI opens one, updates its progress after every batch and closes it;
 * the staff console reads them. A run that stops updating without
 * closing (killed, the machine gone) reads as stalled. */
#include "catalog/catalog.h"
#include "core/ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STALLED_MS  (10 * 60 * 1000LL)
#define PROBLEMS_AT 100 /* refused lines kept with the run */

int catalog_import_begin(app_ctx_t *c, const char *source, const char *actor, int64_t bytes,
                         int64_t *id, err_t *e)
{
    int64_t now = c->now_ms();
    *id = ids_next();
    int64_t n = db_exec(
        c->db,
        "INSERT INTO catalog_imports (id, source, actor, started_at, updated_at, "
        "status, bytes_total, bytes_read, lines, created, updated, unchanged, "
        "refused, problems) VALUES ($1, $2, $3, $4, $4, 'running', $5, 0, 0, 0, "
        "0, 0, 0, '[]')",
        DB_ARGS(DB_I64(*id), DB_TEXT(source), DB_TEXT(actor), DB_I64(now), DB_I64(bytes)), e);
    return n < 0 ? (int)n : 0;
}

void catalog_import_problem(catalog_import_t *t, long line, const err_t *err)
{
    t->refused++;
    if (!t->problems)
        t->problems = json_array();
    if (json_array_size(t->problems) < PROBLEMS_AT)
        json_array_append_new(
            t->problems, json_pack("{s:I, s:s, s:s?, s:s}", "line", (json_int_t)line, "code",
                                   err_string(err->code), "field",
                                   err->has_field ? err->field : NULL, "message", err->message));
}

int catalog_import_update(app_ctx_t *c, int64_t id, const catalog_import_t *t, const char *status,
                          err_t *e)
{
    char *problems = t->problems ? json_dumps(t->problems, JSON_COMPACT) : strdup("[]");
    int64_t now = c->now_ms();
    bool done = strcmp(status, "running") != 0;
    int64_t n = db_exec(c->db,
                        "UPDATE catalog_imports SET updated_at = $2, finished_at = $3, status = "
                        "$4, bytes_read = $5, lines = $6, created = $7, updated = $8, unchanged = "
                        "$9, refused = $10, problems = $11 WHERE id = $1",
                        DB_ARGS(DB_I64(id), DB_I64(now), done ? DB_I64(now) : DB_NULL,
                                DB_TEXT(status), DB_I64(t->bytes_read), DB_I64(t->lines),
                                DB_I64(t->created), DB_I64(t->updated), DB_I64(t->unchanged),
                                DB_I64(t->refused), DB_TEXT(problems)),
                        e);
    free(problems);
    return n < 0 ? (int)n : 0;
}

int catalog_imports_list(app_ctx_t *c, int limit, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT id, source, actor, started_at, updated_at, finished_at, status, "
                      "bytes_total, bytes_read, lines, created, updated, unchanged, refused, "
                      "problems FROM catalog_imports ORDER BY started_at DESC, id DESC LIMIT $1",
                      DB_ARGS(DB_I64(limit)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    int64_t now = c->now_ms();
    while ((rc = db_step(st, e)) == DB_ROW) {
        const char *status = (const char *)db_bytes(st, 6, &(size_t){0});
        if (strcmp(status, "running") == 0 && now - db_i64(st, 4) > STALLED_MS)
            status = "stalled";
        int64_t total = db_i64(st, 7), read = db_i64(st, 8);
        size_t plen;
        const char *ptext = (const char *)db_bytes(st, 14, &plen);
        json_t *problems = json_loadb(ptext, plen, 0, NULL);
        json_array_append_new(
            items,
            json_pack("{s:o, s:s, s:s, s:I, s:I, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                      "s:o}",
                      "id", ids_json(db_i64(st, 0)), "source",
                      (const char *)db_bytes(st, 1, &(size_t){0}), "actor",
                      (const char *)db_bytes(st, 2, &(size_t){0}), "started_at",
                      (json_int_t)db_i64(st, 3), "updated_at", (json_int_t)db_i64(st, 4),
                      "finished_at", db_is_null(st, 5) ? json_null() : json_integer(db_i64(st, 5)),
                      "status", status, "percent",
                      (json_int_t)(total > 0 ? (read >= total ? 100 : 100 * read / total) : 100),
                      "lines", (json_int_t)db_i64(st, 9), "created", (json_int_t)db_i64(st, 10),
                      "updated", (json_int_t)db_i64(st, 11), "unchanged",
                      (json_int_t)db_i64(st, 12), "refused", (json_int_t)db_i64(st, 13),
                      "bytes_total", (json_int_t)total, "problems",
                      problems ? problems : json_array()));
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    db_done(st);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}
