/* images.c - the catalogue's pictures (户型图, albums): JPEG or PNG by
 * their bytes, kept once per content, served to anyone. */
#include "catalog/catalog.h"
#include "core/ids.h"
#include "media/media.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int catalog_image_put(app_ctx_t *c, const uint8_t *p, size_t len, int64_t *id, err_t *e)
{
    if (len > CATALOG_IMAGE_MAX)
        return err_set(e, ERR_PAYLOAD_TOO_LARGE, NULL, "at most %d KiB", CATALOG_IMAGE_MAX / 1024);
    const char *type = len ? media_sniff(p, len) : NULL;
    if (!type || (strcmp(type, "image/jpeg") != 0 && strcmp(type, "image/png") != 0))
        return err_set(e, ERR_UNSUPPORTED_MEDIA_TYPE, NULL, "a JPEG or PNG picture");
    uint8_t h[32];
    char hex[65];
    crypto_hash_sha256(h, p, len);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    int64_t n = db_exec(c->db,
                        "INSERT INTO catalog_images (id, sha256, content_type, bytes, created_at) "
                        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
                        DB_ARGS(DB_I64(ids_next()), DB_TEXT(hex), DB_TEXT(type), DB_BLOB(p, len),
                                DB_I64(c->now_ms())),
                        e);
    if (n < 0)
        return (int)n;
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT id FROM catalog_images WHERE sha256 = $1",
                    DB_ARGS(DB_TEXT(hex)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : err_internal(e, "a catalogue image went missing");
    *id = db_i64(st, 0);
    db_done(st);
    return 0;
}

int catalog_image_get(app_ctx_t *c, int64_t id, char **bytes, size_t *len, char type[32], err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT content_type, bytes FROM catalog_images WHERE id = $1",
                    DB_ARGS(DB_I64(id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such picture");
    size_t tl;
    const char *t = db_bytes(st, 0, &tl);
    snprintf(type, 32, "%.*s", (int)(tl < 31 ? tl : 31), t);
    const void *b = db_bytes(st, 1, len);
    if (!(*bytes = malloc(*len ? *len : 1)))
        abort();
    memcpy(*bytes, b, *len);
    db_done(st);
    return 0;
}
