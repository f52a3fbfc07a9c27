/* store.c - media files sealed at rest: <data-dir>/media/<id> holds
 * 64 KiB chunks, each sealed with the file's key and bound to its index
 * and to whether it is the last one (no reordering, no truncation). */
#include "core/ids.h"
#include "media/media.h"
#include "media/media_int.h"
#include "sec/sec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK        65536
#define SEALED_CHUNK (CHUNK + SEC_SEAL_OVERHEAD)

void media_path_of(app_ctx_t *c, int64_t id, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%lld", c->app->cfg.media_dir, (long long)id);
}

static void chunk_ad(char *ad, size_t len, int64_t id, size_t i, bool last)
{
    snprintf(ad, len, "media:%lld:%zu:%d", (long long)id, i, last);
}

static int write_sealed(app_ctx_t *c, int64_t id, const sec_key_t *key, const uint8_t *p,
                        size_t len, err_t *e)
{
    char path[700], tmp[720], ad[64];
    snprintf(path, sizeof(path), "%s", c->app->cfg.media_dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return err_internal(e, "mkdir %s: %s", path, strerror(errno));
    media_path_of(c, id, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_internal(e, "open %s: %s", tmp, strerror(errno));
    uint8_t *sealed = malloc(SEALED_CHUNK);
    size_t chunks = (len + CHUNK - 1) / CHUNK;
    bool ok = sealed != NULL;
    for (size_t i = 0; ok && i < chunks; i++) {
        size_t n = i + 1 < chunks ? CHUNK : len - i * CHUNK;
        chunk_ad(ad, sizeof(ad), id, i, i + 1 == chunks);
        sec_seal(key, ad, p + i * CHUNK, n, sealed);
        ok = write(fd, sealed, n + SEC_SEAL_OVERHEAD) == (ssize_t)(n + SEC_SEAL_OVERHEAD);
    }
    free(sealed);
    ok = ok && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return err_internal(e, "cannot write media %lld", (long long)id);
    }
    return 0;
}

static int check_type(const char *declared, const uint8_t *p, size_t len, const char **type,
                      err_t *e)
{
    *type = media_sniff(p, len);
    size_t dl = strcspn(declared ? declared : "", "; ");
    if (*type == NULL || strlen(*type) != dl || strncasecmp(declared, *type, dl) != 0)
        return err_set(e, ERR_UNSUPPORTED_MEDIA_TYPE, NULL,
                       "send a JPEG, PNG, WebP, AAC, MP3, Ogg, AMR or MP4 file with its type");
    if (len > media_limit(*type))
        return err_set(e, ERR_PAYLOAD_TOO_LARGE, NULL, "the file is too large for its type");
    return 0;
}

int media_store(app_ctx_t *c, int64_t owner, const char *declared, const uint8_t *p, size_t len,
                json_t **out, err_t *e)
{
    const char *type;
    uint8_t *clean = NULL, digest[32], wrapped[SEC_WRAPPED_LEN];
    char hex[65];
    int rc = check_type(declared, p, len, &type, e);
    if (rc < 0)
        return rc;
    if (strcmp(type, "image/jpeg") == 0) {
        if (media_jpeg_strip(p, len, &clean, &len) != 0)
            return err_set(e, ERR_UNSUPPORTED_MEDIA_TYPE, NULL, "a malformed JPEG");
        p = clean;
    }
    int64_t id = ids_next();
    sec_key_t key;
    sec_dek_create(c->app->vault, id, &key, wrapped);
    sec_sha256(p, len, digest);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    rc = write_sealed(c, id, &key, p, len, e);
    sec_wipe(&key, sizeof(key));
    free(clean);
    if (rc < 0)
        return rc;
    rc = (int)db_exec(c->db,
                      "INSERT INTO media (id, owner_id, content_type, size, key_wrapped, "
                      "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                      DB_ARGS(DB_I64(id), DB_I64(owner), DB_TEXT(type), DB_I64((int64_t)len),
                              DB_BLOB(wrapped, SEC_WRAPPED_LEN), DB_I64(c->now_ms())),
                      e);
    if (rc < 0) {
        char path[700];
        media_path_of(c, id, path, sizeof(path));
        unlink(path);
        return rc;
    }
    char ids[21];
    ids_format(id, ids);
    *out = json_pack("{s:s, s:s, s:I, s:s}", "id", ids, "content_type", type, "size",
                     (json_int_t)len, "sha256", hex);
    return 0;
}

int media_check_owned(app_ctx_t *c, int64_t owner, int64_t id, const char *prefix,
                      const char *field, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT content_type FROM media WHERE id = $1 AND owner_id = $2",
                    DB_ARGS(DB_I64(id), DB_I64(owner)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_VALIDATION_FAILED, field, "no such media");
    size_t tl;
    const char *type = db_bytes(st, 0, &tl);
    bool ok = tl >= strlen(prefix) && memcmp(type, prefix, strlen(prefix)) == 0;
    db_done(st);
    return ok ? 0 : err_set(e, ERR_VALIDATION_FAILED, field, "wrong media type");
}

/* The uploader, a member of a conversation with a message using it, or a
 * member of a conversation with the user whose profile picture it is. */
static int may_read(app_ctx_t *c, int64_t user, int64_t id, media_range_t *r, sec_key_t *key,
                    err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT content_type, size, key_wrapped FROM media WHERE id = $1 AND "
                    "(owner_id = $2 OR EXISTS (SELECT 1 FROM messages m JOIN members b ON "
                    "b.conversation_id = m.conversation_id WHERE m.media_id = $1 AND "
                    "b.user_id = $2) OR EXISTS (SELECT 1 FROM users u JOIN members a ON "
                    "a.user_id = u.id JOIN members b ON b.conversation_id = a.conversation_id "
                    "WHERE u.avatar_media_id = $1 AND b.user_id = $2))",
                    DB_ARGS(DB_I64(id), DB_I64(user)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such media");
    size_t tl, wl;
    const char *type = db_bytes(st, 0, &tl);
    const void *wrapped = db_bytes(st, 2, &wl);
    snprintf(r->content_type, sizeof(r->content_type), "%.*s", (int)tl, type);
    r->size = db_i64(st, 1);
    rc = sec_dek_unwrap(c->app->vault, id, wrapped, wl, key);
    db_done(st);
    return rc == 0 ? 0 : err_internal(e, "key of media %lld unreadable", (long long)id);
}

struct media_stream {
    int fd;
    int64_t id, size, pos, end; /* pos..end inclusive still to send */
    sec_key_t key;
    uint8_t sealed[SEALED_CHUNK], plain[CHUNK];
};

void media_stream_close(media_stream_t *m)
{
    if (m == NULL)
        return;
    if (m->fd >= 0)
        close(m->fd);
    sec_wipe(m, sizeof(*m));
    free(m);
}

int media_stream_open(app_ctx_t *c, int64_t user, int64_t id, media_range_t *r,
                      media_stream_t **out, err_t *e)
{
    media_stream_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        abort();
    m->fd = -1;
    int rc = may_read(c, user, id, r, &m->key, e);
    if (rc == 0 && r->suffix > 0) {
        r->from = r->size > r->suffix ? r->size - r->suffix : 0;
        r->to = -1;
    }
    if (rc == 0 && (r->to < 0 || r->to >= r->size))
        r->to = r->size - 1;
    if (rc == 0 && (r->from < 0 || r->from > r->to))
        rc = err_set(e, ERR_RANGE_NOT_SATISFIABLE, NULL, NULL);
    if (rc == 0) {
        char path[700];
        media_path_of(c, id, path, sizeof(path));
        if ((m->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            rc = err_internal(e, "open %s: %s", path, strerror(errno));
    }
    if (rc < 0) {
        media_stream_close(m);
        return rc;
    }
    m->id = id;
    m->size = r->size;
    m->pos = r->from;
    m->end = r->to;
    *out = m;
    return 0;
}

int64_t media_stream_next(media_stream_t *m, uint8_t *buf, size_t cap, err_t *e)
{
    size_t nchunks = ((size_t)m->size + CHUNK - 1) / CHUNK, o = 0;
    char ad[64];
    while (o < cap && m->pos <= m->end) {
        size_t i = (size_t)m->pos / CHUNK, got;
        size_t n = i + 1 < nchunks ? CHUNK : (size_t)m->size - i * CHUNK;
        chunk_ad(ad, sizeof(ad), m->id, i, i + 1 == nchunks);
        if (pread(m->fd, m->sealed, n + SEC_SEAL_OVERHEAD, (off_t)(i * SEALED_CHUNK)) !=
                (ssize_t)(n + SEC_SEAL_OVERHEAD) ||
            sec_open(&m->key, ad, m->sealed, n + SEC_SEAL_OVERHEAD, m->plain, &got) != 0 ||
            got != n)
            return err_internal(e, "media %lld chunk %zu unreadable", (long long)m->id, i);
        size_t lo = (size_t)m->pos % CHUNK;
        size_t hi = i == (size_t)m->end / CHUNK ? (size_t)m->end % CHUNK : n - 1;
        size_t take = hi - lo + 1 < cap - o ? hi - lo + 1 : cap - o;
        memcpy(buf + o, m->plain + lo, take);
        o += take;
        m->pos += (int64_t)take;
    }
    return (int64_t)o;
}

int media_keys_rewrap(app_ctx_t *c, int64_t *done, int64_t *unreadable, err_t *e)
{
    return db_rewrite_blobs(c->db,
                            "SELECT id, key_wrapped FROM media WHERE id > $1 ORDER BY id LIMIT 256",
                            "UPDATE media SET key_wrapped = $1 WHERE id = $2 AND key_wrapped = $3",
                            sec_dek_rewrap, c->app->vault, done, unreadable, e);
}
