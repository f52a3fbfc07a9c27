/* chat_int.h - shared between the files of chat/. */
#ifndef WLK_CHAT_INT_H
#define WLK_CHAT_INT_H

#include "chat/chat.h"
#include "sec/sec.h"
#include "stream/stream.h"

/* The conversation key (wrapped in conversations.key_wrapped). */
int chat_conv_key(app_ctx_t *c, int64_t conv, sec_key_t *key, err_t *e);
/* The member's peer in conv; NOT_FOUND when user is not a member. */
int chat_member_peer(app_ctx_t *c, int64_t conv, int64_t user, int64_t *peer, err_t *e);
/* What never changes of a conversation: {"id","peer":{"id","nickname"},
 * "created_at"} (events carry this; the full view changes with time);
 * picture adds the peer's "avatar_media_id" (the app's views, not the
 * export, which names a peer only by id and nickname). */
int chat_conv_brief(app_ctx_t *c, int64_t user, int64_t conv, bool picture, json_t **out, err_t *e);

/* Seals/opens JSON under the conversation key for a place (e.g.
 * "messages.body", row id). chat_open returns new, or NULL. */
uint8_t *chat_seal(const sec_key_t *key, const char *place, int64_t row, const json_t *v,
                   size_t *len);
json_t *chat_open(const sec_key_t *key, const char *place, int64_t row, const void *sealed,
                  size_t len);

/* The Message view of message id (NOT_FOUND if gone). key may be NULL
 * (then it is looked up). */
int chat_message_view(app_ctx_t *c, int64_t id, const sec_key_t *key, json_t **out, err_t *e);
/* The columns a message view reads (of messages m), and the view of the
 * row of st whose columns start at col (key NULL: the conversation's). */
#define CHAT_MESSAGE_COLS                                                                          \
    "m.conversation_id, m.seq, m.sender_id, m.client_id, m.kind, m.body_enc, m.created_at, "       \
    "m.recalled_at"
int chat_message_from_row(app_ctx_t *c, db_stmt_t *st, int col, int64_t id, const sec_key_t *key,
                          json_t **out, err_t *e);
/* Takes the lock that orders the messages of conv across processes (held
 * to the end of the transaction; waits for nothing itself): the last seq
 * read after it is the conversation's. */
int chat_conv_lock(app_ctx_t *c, int64_t conv, err_t *e) __attribute__((warn_unused_result));
/* Inside a transaction, under chat_conv_lock: the conversation's last seq
 * (NOT_FOUND: no such conversation). */
int chat_conv_last_seq(app_ctx_t *c, int64_t conv, int64_t *last, err_t *e)
    __attribute__((warn_unused_result));
/* Inserts message seq (the last seq read under the lock + 1) and makes it
 * the conversation's last; body is sealed. Returns its id in *id. Waits
 * for nothing (db_exec_later). */
int chat_message_insert(app_ctx_t *c, int64_t conv, int64_t seq, int64_t sender,
                        const char *client_id, const char *kind, const json_t *body,
                        int64_t media_id, int64_t *id, int64_t *at, err_t *e);

#endif
