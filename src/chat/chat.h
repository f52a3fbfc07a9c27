/* chat.h - real-time chat (F6): conversations between two users, messages
 * with a gapless per-conversation seq, read receipts, recall, call
 * signalling, and the per-user event stream every device syncs from.
 * Bodies are sealed under a per-conversation key. Plain C: no sockets. */
#ifndef WLK_CHAT_H
#define WLK_CHAT_H

#include "app/app.h"
#include "core/err.h"
#include "stream/stream.h"

#include <stdbool.h>
#include <jansson.h>

/* Opens the conversation of user and peer: *created tells whether it is
 * new. *out is the Conversation view (new). */
int chat_conv_open(app_ctx_t *c, int64_t user, int64_t peer, bool *created, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* {"items":[Conversation],"next_cursor"}: most recent first. */
int chat_conv_list(app_ctx_t *c, int64_t user, int limit, const char *cursor, json_t **out,
                   err_t *e) __attribute__((warn_unused_result));
int chat_conv_get(app_ctx_t *c, int64_t user, int64_t conv, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

typedef struct chat_send {
    const char *client_id;
    const char *kind;
    const json_t *body; /* borrowed */
} chat_send_t;

/* Stores a message (idempotent on client_id: *created false and the
 * stored message). Errors: NOT_FOUND, VALIDATION_FAILED, CONSENT_REQUIRED. */
int chat_send(app_ctx_t *c, int64_t user, int64_t conv, const chat_send_t *in, bool *created,
              json_t **out, err_t *e) __attribute__((warn_unused_result));

/* Group commit in two halves. chat_send_store, on the writer: many sends
 * in one transaction (one fsync), each in its own savepoint so one bad
 * message fails alone; each item gets rc (0 or < 0 with err) and created.
 * chat_send_finish, on any thread afterwards: wakes the readers of the
 * item's events and builds msg (new) when rc is 0. */
typedef struct chat_send_item {
    int64_t user, conv;
    chat_send_t in;
    int rc;
    bool created;
    json_t *msg;
    err_t err;
    stream_notify_t notify; /* internal */
    int64_t id, seq, at;    /* internal */
    int64_t last_seq;       /* internal */
} chat_send_item_t;
void chat_send_store(app_ctx_t *c, chat_send_item_t **items, int n);
void chat_send_finish(app_ctx_t *c, chat_send_item_t *it);
/* {"items":[Message],"has_more"}: the first `limit` after `after` when
 * after >= 0, else the last `limit` before `before` (0: the newest). */
int chat_history(app_ctx_t *c, int64_t user, int64_t conv, int64_t before, int64_t after, int limit,
                 json_t **out, err_t *e) __attribute__((warn_unused_result));
int chat_read(app_ctx_t *c, int64_t user, int64_t conv, int64_t seq, err_t *e)
    __attribute__((warn_unused_result));
/* Erases a message's content for everyone, within the recall window. */
int chat_recall(app_ctx_t *c, int64_t user, int64_t message, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* {"events":[Event],"next_cursor","has_more"}. CURSOR_EXPIRED when cursor
 * is below what is still kept. */
int chat_sync(app_ctx_t *c, int64_t user, int64_t cursor, int limit, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The live path of a connected device: up to limit events after cursor
 * (*events new), *more when there are others. No cursor checks: the
 * connection's cursor was checked when it opened. */
int chat_events_after(app_ctx_t *c, int64_t user, int64_t cursor, int limit, json_t **events,
                      bool *more, err_t *e) __attribute__((warn_unused_result));

/* One call-signalling action from user (see docs/openapi.yaml). */
int chat_call(app_ctx_t *c, int64_t user, int64_t conv, const char *call_id, const char *action,
              const json_t *data, err_t *e) __attribute__((warn_unused_result));
/* Ends calls that rang longer than --call-ring-timeout; returns how many. */
int chat_call_expire(app_ctx_t *c, err_t *e);
/* How a cancelled account is shown to its peers: its messages and the
 * conversation stay, with no link to the old account (七.四). */
#define CHAT_CANCELLED_NAME "已注销用户"

/* Everything user can see in chat, for an export: [{"id","peer":{"id",
 * "nickname"},"created_at","messages":[Message]}] oldest first. The peer
 * appears only as id and nickname. *out is new. */
int chat_export(app_ctx_t *c, int64_t user, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* Cancellation, inside the caller's transaction: the user leaves every
 * conversation (the peer keeps it, shown with a cancelled peer), their
 * messages lose their sender, calls their caller, the peers' events their
 * reference to the user; conversations nobody is left in go with their
 * messages. *left: memberships removed; *anonymised: messages whose
 * sender was cut; *gone: messages deleted with an empty conversation. */
int chat_forget_user(app_ctx_t *c, int64_t user, int64_t *left, int64_t *anonymised, int64_t *gone,
                     err_t *e) __attribute__((warn_unused_result));
/* Re-wraps every conversation key under the vault's current key (after
 * sec_vault_rotate), a page per transaction, while the server serves.
 * *done: rewritten; *unreadable: keys no key of the ring opens. */
int chat_keys_rewrap(app_ctx_t *c, int64_t *done, int64_t *unreadable, err_t *e)
    __attribute__((warn_unused_result));

#endif
