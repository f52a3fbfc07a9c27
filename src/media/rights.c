/* rights.c - media's part of the user's rights: the uploads an export
 * lists (with a hash read from the sealed file, never stored) and what
 * cancellation does to them (files only the user held are deleted). */
#include "core/ids.h"
#include "core/log.h"
#include "media/media.h"
#include "media/media_int.h"
#include "sec/sec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_PIECE (256 * 1024)

static int file_sha256(app_ctx_t *c, int64_t owner, int64_t id, char hex[65], err_t *e)
{
    media_range_t r = {.from = 0, .to = -1};
    media_stream_t *m;
    int rc = media_stream_open(c, owner, id, &r, &m, e);
    if (rc < 0)
        return rc;
    uint8_t *buf = malloc(READ_PIECE), digest[32];
    if (buf == NULL)
        abort();
    sec_sha256_t *h = sec_sha256_begin();
    int64_t n;
    while ((n = media_stream_next(m, buf, READ_PIECE, e)) > 0)
        sec_sha256_update(h, buf, (size_t)n);
    sec_sha256_end(h, digest);
    free(buf);
    media_stream_close(m);
    if (n < 0)
        return (int)n;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

int media_export(app_ctx_t *c, int64_t owner, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT id, content_type, size, created_at FROM media WHERE owner_id = $1 "
                      "ORDER BY created_at, id",
                      DB_ARGS(DB_I64(owner)), e);
    json_t *items = json_array();
    while (rc >= 0 && (rc = db_step(st, e)) == DB_ROW) {
        size_t tl;
        const char *type = db_bytes(st, 1, &tl);
        char id[21];
        ids_format(db_i64(st, 0), id);
        json_array_append_new(items, json_pack("{s:s, s:s%, s:I, s:I}", "id", id, "content_type",
                                               type, tl, "size", (json_int_t)db_i64(st, 2),
                                               "created_at", (json_int_t)db_i64(st, 3)));
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        char hex[65];
        int64_t id;
        const char *s = json_string_value(json_object_get(item, "id"));
        if (rc < 0)
            break;
        if (!ids_parse(s, strlen(s), &id))
            continue;
        /* a file that cannot be read (gone, damaged) still leaves the row
         * in the export, without its hash; the rest goes on */
        err_t fe = {0};
        if (file_sha256(c, owner, id, hex, &fe) < 0) {
            log_msg(LOG_WARN, "export: media file unreadable", "%s", fe.cause);
            json_object_set_new(item, "sha256", json_null());
        } else {
            json_object_set_new(item, "sha256", json_string(hex));
        }
        err_clear(&fe);
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int media_forget_owner(app_ctx_t *c, int64_t owner, int64_t **gone, size_t *ngone,
                       int64_t *anonymised, err_t *e)
{
    db_stmt_t *st;
    size_t cap = 16;
    *ngone = 0;
    *anonymised = 0;
    *gone = malloc(cap * sizeof(**gone));
    /* not shown in a conversation someone is still in (the peer's copy) */
    const char *sql = "SELECT id FROM media WHERE owner_id = $1 AND NOT EXISTS (SELECT 1 FROM "
                      "messages m JOIN members b ON b.conversation_id = m.conversation_id WHERE "
                      "m.media_id = media.id)";
    int rc = db_query(c->db, &st, sql, DB_ARGS(DB_I64(owner)), e);
    while (rc >= 0 && (rc = db_step(st, e)) == DB_ROW) {
        if (*ngone == cap)
            *gone = realloc(*gone, (cap *= 2) * sizeof(**gone));
        if (*gone == NULL)
            abort();
        (*gone)[(*ngone)++] = db_i64(st, 0);
    }
    for (size_t i = 0; rc >= 0 && i < *ngone; i++)
        rc = (int)db_exec(c->db, "DELETE FROM media WHERE id = $1", DB_ARGS(DB_I64((*gone)[i])), e);
    int64_t n = rc < 0 ? rc
                       : db_exec(c->db, "UPDATE media SET owner_id = 0 WHERE owner_id = $1",
                                 DB_ARGS(DB_I64(owner)), e);
    if (n < 0) {
        free(*gone);
        *gone = NULL;
        *ngone = 0;
        return (int)n;
    }
    *anonymised = n;
    return 0;
}

void media_remove_files(app_ctx_t *c, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char path[700];
        media_path_of(c, ids[i], path, sizeof(path));
        if (unlink(path) != 0)
            log_msg(LOG_WARN, "cannot remove a media file", "media %lld", (long long)ids[i]);
    }
}
