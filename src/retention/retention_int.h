/* retention_int.h - what the sweep and the erasure share. */
#ifndef WLK_RETENTION_INT_H
#define WLK_RETENTION_INT_H

#include "retention/retention.h"
#include "db/db.h"
#include "stream/stream.h"

/* A lasting copy of a statement's text, one per distinct text (the
 * statement cache is keyed by address). Thread-safe. Returns borrowed. */
const char *retention_sql(const char *text);

/* Erases the bodies of the messages matching where (args bound to it)
 * like a recall: body and media gone, recalled_at set, a
 * message.recalled event to each member. dry_run only counts. Returns the
 * number of messages or ERR_*. Inside the caller's transaction. */
int64_t retention_erase_bodies(app_ctx_t *c, stream_notify_t *n, const char *where,
                               const db_arg_t *args, bool dry_run, err_t *e);
/* Deletes the media rows matching where; their sealed files go when the
 * transaction commits: call retention_media_done(c, committed) after it. */
int64_t retention_drop_media(app_ctx_t *c, const char *where, const db_arg_t *args, bool dry_run,
                             err_t *e);

void retention_media_done(app_ctx_t *c, bool committed);

#endif
