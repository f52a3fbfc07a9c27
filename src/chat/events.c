/* events.c - the per-user event stream: append inside the transaction of
 * the change, read with a cursor (sync and WebSocket), render at read time
 * (so a recalled message never reappears), prune by age. */
#include "auth/auth.h"
#include "chat/chat_int.h"
#include "core/ids.h"

#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

typedef struct row {
    int64_t seq, conv, ref, at;
    char type[32];
    json_t *data;
    json_t *message; /* message.* events: the message's view, read with the event */
    uint8_t *sealed;
    size_t sealed_len;
} row_t;

/* The event's data as it reads now. A subject that is gone (NOT_FOUND:
 * erased) becomes a well-formed placeholder {"gone": true}; any other
 * failure fails the read, so a sync never moves its cursor past an event
 * it could not deliver. */
static int render_data(app_ctx_t *c, int64_t user, row_t *r, json_t **data, err_t *e)
{
    json_t *out = NULL, *v = NULL;
    int rc = 0;
    if (strncmp(r->type, "message.", 8) == 0) {
        if (r->message)
            out = json_pack("{s:O}", "message", r->message);
        else
            rc = ERR_NOT_FOUND; /* erased */
    } else if (strcmp(r->type, "conversation.created") == 0) {
        if ((rc = chat_conv_brief(c, user, r->conv, true, &v, e)) == 0)
            out = json_pack("{s:o}", "conversation", v);
    } else if (r->sealed) {
        sec_key_t key;
        if ((rc = chat_conv_key(c, r->conv, &key, e)) == 0 &&
            (out = chat_open(&key, "events.data", r->conv, r->sealed, r->sealed_len)) == NULL)
            rc = err_internal(e, "event %lld: its sealed data does not open", (long long)r->seq);
        sec_wipe(&key, sizeof(key));
    } else {
        out = json_incref(r->data);
    }
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        rc = 0;
        out = json_pack("{s:b}", "gone", 1);
    }
    if (rc < 0)
        return rc;
    if (out == NULL)
        out = json_object();
    if (r->conv && json_object_get(out, "conversation_id") == NULL) {
        char buf[21];
        ids_format(r->conv, buf);
        json_object_set_new(out, "conversation_id", json_string(buf));
    }
    *data = out;
    return 0;
}

static int load_rows(app_ctx_t *c, int64_t user, int64_t cursor, int limit, row_t *rows, int *n,
                     err_t *e)
{
    db_stmt_t *st;
    /* a message event's message comes with it: one query per page */
    int rc =
        db_query(c->db, &st,
                 "SELECT e.seq, e.type, e.conversation_id, e.ref_id, e.data, e.data_enc, e.at, "
                 "m.id, " CHAT_MESSAGE_COLS " FROM events e LEFT JOIN messages m ON "
                 "m.id = e.ref_id AND e.type LIKE 'message.%' "
                 "WHERE e.user_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3",
                 DB_ARGS(DB_I64(user), DB_I64(cursor), DB_I64(limit)), e);
    if (rc < 0)
        return rc;
    *n = 0;
    while (*n < limit && (rc = db_step(st, e)) == DB_ROW) {
        row_t *r = &rows[(*n)++];
        size_t tl, dl;
        const char *type = db_bytes(st, 1, &tl), *data = db_bytes(st, 4, &dl);
        const void *sealed = db_bytes(st, 5, &r->sealed_len);
        r->seq = db_i64(st, 0);
        r->conv = db_is_null(st, 2) ? 0 : db_i64(st, 2);
        r->ref = db_is_null(st, 3) ? 0 : db_i64(st, 3);
        r->at = db_i64(st, 6);
        snprintf(r->type, sizeof(r->type), "%.*s", (int)tl, type);
        r->data = data ? json_loadb(data, dl, 0, NULL) : NULL;
        r->sealed = NULL;
        if (sealed) {
            r->sealed = malloc(r->sealed_len);
            memcpy(r->sealed, sealed, r->sealed_len);
        }
        r->message = NULL;
        if (!db_is_null(st, 7) &&
            (rc = chat_message_from_row(c, st, 8, db_i64(st, 7), NULL, &r->message, e)) < 0) {
            db_done(st);
            return rc;
        }
    }
    if (rc >= 0)
        db_done(st);
    return rc < 0 ? rc : 0;
}

/* Renders up to limit events after cursor into *events (new array). */
static int read_events(app_ctx_t *c, int64_t user, int64_t cursor, int limit, json_t **events,
                       err_t *e)
{
    row_t *rows = calloc((size_t)limit, sizeof(row_t));
    int n = 0;
    int rc = load_rows(c, user, cursor, limit, rows, &n, e);
    *events = json_array();
    for (int i = 0; i < n; i++) {
        json_t *data;
        if (rc >= 0 && (rc = render_data(c, user, &rows[i], &data, e)) == 0)
            json_array_append_new(*events, json_pack("{s:I, s:s, s:I, s:o}", "seq",
                                                     (json_int_t)rows[i].seq, "type", rows[i].type,
                                                     "at", (json_int_t)rows[i].at, "data", data));
        json_decref(rows[i].data);
        json_decref(rows[i].message);
        free(rows[i].sealed);
    }
    free(rows);
    return rc;
}

int chat_events_after(app_ctx_t *c, int64_t user, int64_t cursor, int limit, json_t **events,
                      bool *more, err_t *e)
{
    int rc = read_events(c, user, cursor, limit + 1, events, e);
    if (rc < 0) {
        json_decref(*events);
        return rc;
    }
    *more = json_array_size(*events) > (size_t)limit;
    if (*more)
        json_array_remove(*events, (size_t)limit);
    return 0;
}

int chat_sync(app_ctx_t *c, int64_t user, int64_t cursor, int limit, json_t **out, err_t *e)
{
    int64_t head, floor;
    int rc = stream_head(c, user, &head, &floor, e);
    if (rc < 0)
        return rc;
    if (cursor < floor) {
        /* where a reader that has reloaded everything may start reading */
        err_extra(e, "oldest_cursor", json_integer(floor));
        return err_set(e, ERR_CURSOR_EXPIRED, "cursor", NULL);
    }
    if (cursor > head)
        return err_set(e, ERR_VALIDATION_FAILED, "cursor", "beyond the head of the stream");
    json_t *events;
    if ((rc = read_events(c, user, cursor, limit, &events, e)) < 0) {
        json_decref(events);
        return rc;
    }
    size_t n = json_array_size(events);
    int64_t next =
        n ? json_integer_value(json_object_get(json_array_get(events, n - 1), "seq")) : cursor;
    *out = json_pack("{s:o, s:I, s:b}", "events", events, "next_cursor", (json_int_t)next,
                     "has_more", next < head);
    return 0;
}
