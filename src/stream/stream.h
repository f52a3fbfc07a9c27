/* stream.h - every change a user must see is an event in that user's
 * stream, with a seq that only grows (the sync cursor). Events are
 * appended in the transaction of the change; after the commit the
 * real-time hub is told (app->notify) and pushes go out through the outbox
 * to users with no live connection. */
#ifndef WLK_STREAM_H
#define WLK_STREAM_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>

#define STREAM_MAX_NOTIFY 4

/* Users whose streams got events in the current transaction. */
typedef struct stream_notify {
    int64_t users[STREAM_MAX_NOTIFY];
    int n;
    bool outbox; /* pushes were queued */
} stream_notify_t;

/* Commits, then notifies the streams and wakes the outbox. On a failed
 * commit nothing is notified. */
int stream_commit(app_ctx_t *c, stream_notify_t *n, err_t *e) __attribute__((warn_unused_result));
/* The notification half of stream_commit, for callers that commit several
 * changes at once. */
void stream_publish(app_ctx_t *c, const stream_notify_t *n);

/* Appends an event to user's stream (inside a transaction). data (may be
 * NULL, borrowed) holds ids only; sealed (may be NULL) holds content sealed
 * under the conversation key. A user who no longer exists gets nothing. */
int stream_add(app_ctx_t *c, stream_notify_t *n, int64_t user, const char *type, int64_t conv,
               int64_t ref, const json_t *data, const uint8_t *sealed, size_t sealed_len, err_t *e)
    __attribute__((warn_unused_result));
/* The same event appended to the streams of a and of b (the two members
 * of a conversation), taking their locks in one order for every caller. */
int stream_add_pair(app_ctx_t *c, stream_notify_t *n, int64_t a, int64_t b, const char *type,
                    int64_t conv, int64_t ref, const json_t *data, const uint8_t *sealed,
                    size_t sealed_len, err_t *e) __attribute__((warn_unused_result));
/* The last seq of user's stream and the pruned floor below which a cursor
 * is too old. */
int stream_head(app_ctx_t *c, int64_t user, int64_t *head, int64_t *floor, err_t *e)
    __attribute__((warn_unused_result));
/* Prunes events older than --event-retention-days; returns how many. */
int stream_prune(app_ctx_t *c, err_t *e);

#endif
