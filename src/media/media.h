/* media.h - chat media (F6): pictures, voice and video. Types are checked
 * from the bytes themselves, JPEG location tags are removed, and files are
 * sealed at rest in 64 KiB chunks under a per-file key (wrapped by the
 * vault), so Range reads decrypt only what they need. */
#ifndef WLK_MEDIA_H
#define WLK_MEDIA_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The content type the bytes are (image/jpeg, image/png, image/webp,
 * audio/aac, audio/mpeg, audio/ogg, audio/amr, video/mp4), or NULL. */
const char *media_sniff(const uint8_t *p, size_t len);
/* The largest upload allowed for a type. */
size_t media_limit(const char *type);
/* Copies a JPEG without its EXIF GPS tags and XMP packets into a new
 * buffer (*out, free()). Returns -1 if the JPEG is malformed. */
int media_jpeg_strip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len);

/* Stores an upload of owner: UNSUPPORTED_MEDIA_TYPE when the bytes are
 * not of an accepted type or not of the declared one, PAYLOAD_TOO_LARGE
 * over the type's limit. *out: {"id","content_type","size","sha256"}. */
int media_store(app_ctx_t *c, int64_t owner, const char *declared, const uint8_t *p, size_t len,
                json_t **out, err_t *e) __attribute__((warn_unused_result));

/* What a download asks for and gets: [from, to] inclusive (to = -1: to
 * the end), or the last `suffix` bytes when suffix > 0; adjusted to the
 * file. */
/* VALIDATION_FAILED (naming field) unless media id was uploaded by owner
 * with a content type starting with prefix ("image/"). */
int media_check_owned(app_ctx_t *c, int64_t owner, int64_t id, const char *prefix,
                      const char *field, err_t *e) __attribute__((warn_unused_result));

typedef struct media_range {
    char content_type[32];
    int64_t size;
    int64_t from, to, suffix;
} media_range_t;

/* Opens a range of media id for user, who must be its uploader or a
 * member of a conversation with a message that references it (else
 * NOT_FOUND; RANGE_NOT_SATISFIABLE outside the file). Downloads stream it
 * piece by piece instead of holding a whole video in memory. Returns new
 * in *out (media_stream_close). */
typedef struct media_stream media_stream_t;
int media_stream_open(app_ctx_t *c, int64_t user, int64_t id, media_range_t *r,
                      media_stream_t **out, err_t *e) __attribute__((warn_unused_result));
/* Decrypts the next bytes of the range into buf (up to cap); returns how
 * many (0 at the end) or an ERR_* code. */
int64_t media_stream_next(media_stream_t *m, uint8_t *buf, size_t cap, err_t *e);
void media_stream_close(media_stream_t *m);

/* The uploads of owner, for an export: [{"id","content_type","size",
 * "created_at","sha256"}], the hash computed by reading each sealed file
 * (it is never stored). *out is new. */
int media_export(app_ctx_t *c, int64_t owner, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Cancellation, inside the caller's transaction: owner's files that no
 * message of a conversation with a member references are deleted (their
 * ids in *gone, new, for media_remove_files after the commit); the others
 * stay for the peers, their owner cut (*anonymised). */
int media_forget_owner(app_ctx_t *c, int64_t owner, int64_t **gone, size_t *ngone,
                       int64_t *anonymised, err_t *e) __attribute__((warn_unused_result));
/* Removes the sealed files of ids (after their rows were deleted). */
void media_remove_files(app_ctx_t *c, const int64_t *ids, size_t n);

/* Re-wraps every file key under the vault's current key (after
 * sec_vault_rotate), a page per transaction, while the server serves.
 * *done: rewritten; *unreadable: keys no key of the ring opens. */
int media_keys_rewrap(app_ctx_t *c, int64_t *done, int64_t *unreadable, err_t *e)
    __attribute__((warn_unused_result));

#endif
