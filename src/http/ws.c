/* ws.c - WebSocket sessions on the loop threads: upgrade, per-thread
 * index of sessions by user, delivery of a user's new events (read from
 * the session's own cursor, so no gap and no duplicate), client frames,
 * heartbeat, idle timeout and the cut of slow consumers. h2o rules of
 * 2.2.5 (notes/h2o-2.2.5.md): proceed only once the socket exists, close
 * only from a NULL callback or outside callbacks. */
#include "api/ws.h"
#include "chat/chat.h"
#include "core/clock.h"
#include "core/jwrite.h"
#include "core/log.h"
#include "http/server_int.h"
#include "hub/hub.h"
#include "privacy/privacy.h"
#include "stream/stream.h"
#include "core/str.h"

#include <h2o/websocket.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS     4096
#define MAX_FRAME   65536
#define PUMP_BATCH  100
#define PUMP_ROUNDS 20

typedef struct ws_session {
    h2o_websocket_conn_t *conn;
    str_t out;      /* encoded frames not yet handed to the socket */
    char *inflight; /* the buffer being written (ours, not wslay's) */
    size_t inflight_len;
    bool dirty; /* in the thread's list of sessions to write */
    ws_thread_t *wt;
    auth_session_t auth;
    int64_t cursor, last_rx, last_ping;
    struct ws_session *next, *prev;         /* in the user's bucket */
    struct ws_session *all_next, *all_prev; /* every session of the thread */
} ws_session_t;

typedef struct pending {
    ws_session_t *s; /* NULL once the session closed */
    api_ws_pending_t p;
} pending_t;

/* Sends of one loop iteration with the committer. */
typedef struct job {
    http_commit_job_t super;
    struct job *next, *prev; /* the thread's jobs in flight */
    ws_session_t **sessions; /* NULL once a session closed */
} job_t;

struct ws_thread {
    http_thread_t *t;
    ws_session_t **dirty; /* sessions with output, written after the iteration */
    int ndirty, dirty_cap;
    pending_t *pending; /* sends of this loop iteration: one job */
    int npending, cap;
    job_t *jobs; /* with the committer */
    int index;
    hub_t *hub;
    h2o_multithread_receiver_t recv, done;
    ws_session_t *buckets[BUCKETS];
    ws_session_t *all;
    int64_t last_tick;
};

typedef struct notice {
    h2o_multithread_message_t super;
    int64_t user;
    bool recheck;
} notice_t;

static ws_session_t **bucket(ws_thread_t *wt, int64_t user)
{
    return &wt->buckets[(uint64_t)user % BUCKETS];
}

static void link_session(ws_session_t *s)
{
    ws_session_t **b = bucket(s->wt, s->auth.user_id);
    s->next = *b;
    if (*b)
        (*b)->prev = s;
    *b = s;
    s->all_next = s->wt->all;
    if (s->wt->all)
        s->wt->all->all_prev = s;
    s->wt->all = s;
    hub_join(s->wt->hub, s->wt->index, s->auth.user_id);
}

static void unlink_session(ws_session_t *s)
{
    for (int i = 0; i < s->wt->ndirty; i++)
        if (s->wt->dirty[i] == s)
            s->wt->dirty[i] = NULL;
    for (int i = 0; i < s->wt->npending; i++)
        if (s->wt->pending[i].s == s)
            s->wt->pending[i].s = NULL;
    for (job_t *j = s->wt->jobs; j; j = j->next)
        for (int i = 0; i < j->super.n; i++)
            if (j->sessions[i] == s)
                j->sessions[i] = NULL;
    ws_session_t **b = bucket(s->wt, s->auth.user_id);
    if (s->prev)
        s->prev->next = s->next;
    else
        *b = s->next;
    if (s->next)
        s->next->prev = s->prev;
    if (s->all_prev)
        s->all_prev->all_next = s->all_next;
    else
        s->wt->all = s->all_next;
    if (s->all_next)
        s->all_next->all_prev = s->all_prev;
    hub_leave(s->wt->hub, s->wt->index, s->auth.user_id);
}

static void mark_dirty(ws_session_t *s)
{
    ws_thread_t *wt = s->wt;
    if (s->dirty)
        return;
    if (wt->ndirty == wt->dirty_cap) {
        wt->dirty_cap = wt->dirty_cap ? wt->dirty_cap * 2 : 64;
        wt->dirty = realloc(wt->dirty, sizeof(*wt->dirty) * (size_t)wt->dirty_cap);
        if (wt->dirty == NULL)
            abort();
    }
    wt->dirty[wt->ndirty++] = s;
    s->dirty = true;
}

/* Server frames are unmasked: opcode, length, payload. Ours bypass wslay
 * (h2o 2.2.5 writes one wslay frame per system call): every frame queued
 * in a loop iteration leaves in one write. */
static void queue_frame(ws_session_t *s, uint8_t opcode, const char *p, size_t len)
{
    uint8_t h[10];
    size_t n = 2;
    h[0] = 0x80 | opcode;
    if (len < 126) {
        h[1] = (uint8_t)len;
    } else if (len < 65536) {
        h[1] = 126;
        h[2] = (uint8_t)(len >> 8);
        h[3] = (uint8_t)len;
        n = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
        n = 10;
    }
    str_append(&s->out, (const char *)h, n);
    str_append(&s->out, p, len);
    mark_dirty(s);
}

static void queue_json(ws_session_t *s, json_t *frame)
{
    size_t n;
    char *text = jwrite_dumps(frame, &n);
    queue_frame(s, WSLAY_TEXT_FRAME, text, n);
    free(text);
    json_decref(frame);
}

static void free_session(ws_session_t *s)
{
    str_free(&s->out);
    free(s->inflight);
    free(s);
}

/* Outside callbacks only: forgets the session and closes at once. */
static void kill_session(ws_session_t *s)
{
    h2o_websocket_conn_t *conn = s->conn;
    unlink_session(s);
    free_session(s);
    h2o_websocket_close(conn);
}

static void drain(ws_session_t *s);

static void on_out_done(h2o_socket_t *sock, const char *err)
{
    h2o_websocket_conn_t *conn = sock->data;
    ws_session_t *s = conn->data;
    free(s->inflight);
    s->inflight = NULL;
    s->inflight_len = 0;
    if (err != NULL) {
        conn->cb(conn, NULL); /* closes and frees the session */
        return;
    }
    drain(s);
}

/* Outside wslay callbacks: hands our frames to the socket, or lets wslay
 * send its own (pongs, close) and resume reading. The session may be gone
 * afterwards. Returns false when it could not write yet (try again). */
static bool drain_step(ws_session_t *s)
{
    h2o_socket_t *sock = s->conn->sock;
    if (sock == NULL || h2o_socket_is_writing(sock))
        return s->out.len == 0;
    if (s->out.len > 0) {
        s->inflight_len = s->out.len;
        s->inflight = str_take(&s->out);
        h2o_iovec_t buf = h2o_iovec_init(s->inflight, s->inflight_len);
        h2o_socket_write(sock, &buf, 1, on_out_done);
        return true;
    }
    h2o_websocket_proceed(s->conn);
    return true;
}

static void drain(ws_session_t *s)
{
    (void)drain_step(s);
}

/* After each loop iteration: every session with output writes it. */
void http_ws_write_dirty(ws_thread_t *wt)
{
    int n = wt->ndirty;
    ws_session_t **list = wt->dirty;
    wt->dirty = NULL;
    wt->ndirty = wt->dirty_cap = 0;
    for (int i = 0; i < n; i++) { /* a session already written: NULL */
        ws_session_t *s = list[i];
        if (s == NULL)
            continue;
        s->dirty = false;
        for (int j = i + 1; j < n; j++)
            if (list[j] == s)
                list[j] = NULL;
        if (s->conn->sock == NULL ||
            (h2o_socket_is_writing(s->conn->sock) && s->inflight == NULL)) {
            mark_dirty(s); /* not upgraded yet, or wslay is writing: next time */
            continue;
        }
        drain(s);
    }
    free(list);
}

static bool too_slow(ws_session_t *s)
{
    app_t *app = http_thread_ctx(s->wt->t)->app;
    size_t unsent =
        s->out.len + s->inflight_len + wslay_event_get_queued_msg_length(s->conn->ws_ctx);
    return unsent > (size_t)app->cfg.ws_max_queue;
}

/* {"type":"event","event":<ev>} without building another JSON tree. */
static void queue_event(ws_session_t *s, const json_t *ev)
{
    static const char head[] = "{\"type\":\"event\",\"event\":";
    size_t n;
    char *text = jwrite_dumps(ev, &n);
    char *frame = malloc(sizeof(head) + n + 1);
    if (frame == NULL)
        abort();
    memcpy(frame, head, sizeof(head) - 1);
    memcpy(frame + sizeof(head) - 1, text, n);
    frame[sizeof(head) - 1 + n] = '}';
    queue_frame(s, WSLAY_TEXT_FRAME, frame, sizeof(head) + n);
    free(frame);
    free(text);
}

/* The first read after the upgrade checks the cursor against the kept
 * stream (410 when it is too old). */
static int sync_events(app_ctx_t *ctx, ws_session_t *s, json_t **events, bool *more, err_t *e)
{
    json_t *out;
    int rc = chat_sync(ctx, s->auth.user_id, s->cursor, PUMP_BATCH, &out, e);
    if (rc < 0)
        return rc;
    *events = json_incref(json_object_get(out, "events"));
    *more = json_is_true(json_object_get(out, "has_more"));
    json_decref(out);
    return 0;
}

/* Queues the user's events after the session's cursor. Returns false when
 * the session was killed. */
static bool pump(ws_session_t *s, bool may_kill)
{
    app_ctx_t *ctx = http_thread_ctx(s->wt->t);
    for (int round = 0; round < PUMP_ROUNDS; round++) {
        json_t *events;
        bool more;
        err_t e = {0};
        int rc = may_kill ? chat_events_after(ctx, s->auth.user_id, s->cursor, PUMP_BATCH, &events,
                                              &more, &e)
                          : sync_events(ctx, s, &events, &more, &e);
        if (rc < 0) {
            if (e.code == ERR_INTERNAL) /* the cursor stays: nothing is skipped */
                log_msg(LOG_ERROR, "websocket sync failed", "user %lld: %s",
                        (long long)s->auth.user_id, e.cause);
            queue_json(s, api_ws_error(&e, NULL));
            if (e.code == ERR_CURSOR_EXPIRED)
                queue_frame(s, WSLAY_CONNECTION_CLOSE, "\x03\xf0", 2); /* 1008 */
            err_clear(&e);
            return true;
        }
        size_t i;
        json_t *ev;
        json_array_foreach(events, i, ev)
        {
            s->cursor = json_integer_value(json_object_get(ev, "seq"));
            queue_event(s, ev);
        }
        json_decref(events);
        if (may_kill && too_slow(s)) {
            log_msg(LOG_INFO, "slow websocket consumer cut", "user %lld",
                    (long long)s->auth.user_id);
            kill_session(s);
            return false;
        }
        if (!more)
            break;
    }
    return true;
}

static void on_frame(h2o_websocket_conn_t *conn, const struct wslay_event_on_msg_recv_arg *arg)
{
    ws_session_t *s = conn->data;
    if (arg == NULL) { /* closed, or the upgrade failed */
        if (s) {
            unlink_session(s);
            free_session(s);
        }
        h2o_websocket_close(conn);
        return;
    }
    s->last_rx = clock_now_ms();
    if (wslay_is_ctrl_frame(arg->opcode))
        return;
    app_ctx_t *ctx = http_thread_ctx(s->wt->t);
    if (arg->opcode != WSLAY_TEXT_FRAME) {
        err_t e = {0};
        err_set(&e, ERR_INVALID_JSON, NULL, "frames are JSON text");
        queue_json(s, api_ws_error(&e, NULL));
        err_clear(&e);
        return;
    }
    ws_thread_t *wt = s->wt;
    if (wt->npending == wt->cap) {
        wt->cap = wt->cap ? wt->cap * 2 : 64;
        wt->pending = realloc(wt->pending, sizeof(pending_t) * (size_t)wt->cap);
        if (wt->pending == NULL)
            abort();
    }
    pending_t *p = &wt->pending[wt->npending];
    json_t *reply = api_ws_frame(ctx, &s->auth, (const char *)arg->msg, arg->msg_length, &p->p);
    if (reply) {
        queue_json(s, reply);
        return;
    }
    p->s = s;
    wt->npending++;
}

/* After each loop iteration: the sends it read go to the committer as one
 * job; the loop goes on serving meanwhile. */
void http_ws_flush_sends(ws_thread_t *wt)
{
    int n = wt->npending;
    if (n == 0)
        return;
    job_t *j = calloc(1, sizeof(*j));
    if (j == NULL)
        abort();
    j->super.p = malloc(sizeof(*j->super.p) * (size_t)n);
    j->sessions = malloc(sizeof(*j->sessions) * (size_t)n);
    if (j->super.p == NULL || j->sessions == NULL)
        abort();
    for (int i = 0; i < n; i++) {
        j->super.p[i] = wt->pending[i].p;
        j->sessions[i] = wt->pending[i].s;
    }
    j->super.n = n;
    j->super.reply_to = &wt->done;
    wt->npending = 0;
    j->next = wt->jobs;
    if (wt->jobs)
        wt->jobs->prev = j;
    wt->jobs = j;
    http_commit_submit(&j->super);
}

/* The committer answered: each ack to its session, if still open. */
static void on_done(h2o_multithread_receiver_t *recv, h2o_linklist_t *messages)
{
    ws_thread_t *wt = (ws_thread_t *)((char *)recv - offsetof(ws_thread_t, done));
    while (!h2o_linklist_is_empty(messages)) {
        job_t *j = H2O_STRUCT_FROM_MEMBER(job_t, super.super.link, messages->next);
        h2o_linklist_unlink(&j->super.super.link);
        if (j->prev)
            j->prev->next = j->next;
        else
            wt->jobs = j->next;
        if (j->next)
            j->next->prev = j->prev;
        app_ctx_t *ctx = http_thread_ctx(wt->t);
        for (int i = 0; i < j->super.n; i++) {
            json_t *reply = api_ws_finish(ctx, &j->super.p[i]);
            if (j->sessions[i])
                queue_json(j->sessions[i], reply);
            else
                json_decref(reply);
        }
        free(j->sessions);
        free(j->super.p);
        free(j);
    }
}

static void deliver_user(ws_thread_t *wt, const int64_t *users, int n)
{
    for (int i = 0; i < n; i++)
        for (ws_session_t *s = *bucket(wt, users[i]), *next; s; s = next) {
            next = s->next;
            if (s->auth.user_id == users[i])
                (void)pump(s, true);
        }
}

/* The user signed out a device, withdrew the policy, cancelled the
 * account ...: each of their connections here whose session is gone or
 * whose account no longer passes the policy gate is closed at once (the
 * client learns why when it reconnects: 401 or 403). */
static void recheck_user(ws_thread_t *wt, int64_t user)
{
    app_ctx_t *ctx = http_thread_ctx(wt->t);
    for (ws_session_t *s = *bucket(wt, user), *next; s; s = next) {
        next = s->next;
        if (s->auth.user_id != user)
            continue;
        err_t e = {0};
        if (auth_session_check(ctx, &s->auth, &e) < 0 ||
            privacy_gate(ctx, s->auth.policy_version, s->auth.policy_withdrawn, &e) < 0) {
            if (e.cause[0])
                log_msg(LOG_WARN, "websocket recheck failed", "%s", e.cause);
            kill_session(s);
        }
        err_clear(&e);
    }
}

static void on_notice(h2o_multithread_receiver_t *recv, h2o_linklist_t *messages)
{
    ws_thread_t *wt = (ws_thread_t *)((char *)recv - offsetof(ws_thread_t, recv));
    /* many notices for one user in a batch need one read of their stream */
    int64_t users[256];
    int n = 0;
    while (!h2o_linklist_is_empty(messages)) {
        notice_t *msg = H2O_STRUCT_FROM_MEMBER(notice_t, super.link, messages->next);
        h2o_linklist_unlink(&msg->super.link);
        if (msg->recheck) {
            recheck_user(wt, msg->user);
            free(msg);
            continue;
        }
        int i = 0;
        while (i < n && users[i] != msg->user)
            i++;
        if (i == n && n == (int)(sizeof(users) / sizeof(users[0]))) {
            deliver_user(wt, users, n); /* full: deliver what we have */
            n = i = 0;
        }
        if (i == n)
            users[n++] = msg->user;
        free(msg);
    }
    deliver_user(wt, users, n);
}

void http_ws_notify(ws_thread_t *wt, int64_t user, bool recheck)
{
    notice_t *n = calloc(1, sizeof(*n));
    if (n == NULL)
        abort();
    n->user = user;
    n->recheck = recheck;
    h2o_multithread_send_message(&wt->recv, &n->super);
}

ws_thread_t *http_ws_thread_create(http_thread_t *t, int index, hub_t *hub, h2o_context_t *ctx)
{
    ws_thread_t *wt = calloc(1, sizeof(*wt));
    if (wt == NULL)
        abort();
    wt->t = t;
    wt->index = index;
    wt->hub = hub;
    h2o_multithread_register_receiver(ctx->queue, &wt->recv, on_notice);
    h2o_multithread_register_receiver(ctx->queue, &wt->done, on_done);
    return wt;
}

/* Heartbeat and idle timeout, about once a second. */
void http_ws_tick(ws_thread_t *wt)
{
    int64_t now = clock_now_ms();
    if (now - wt->last_tick < 1000)
        return;
    wt->last_tick = now;
    const config_t *cfg = &http_thread_ctx(wt->t)->app->cfg;
    for (ws_session_t *s = wt->all, *next; s; s = next) {
        next = s->all_next;
        if (s->conn->sock == NULL)
            continue;
        if (now - s->last_rx > (int64_t)cfg->ws_idle_timeout * 1000) {
            kill_session(s);
        } else if (now - s->last_ping >= (int64_t)cfg->ws_ping_interval * 1000) {
            s->last_ping = now;
            queue_frame(s, WSLAY_PING, "", 0);
        }
    }
}

/* Closes every session (shutdown). */
void http_ws_close_all(ws_thread_t *wt)
{
    while (wt->all)
        kill_session(wt->all);
}

int http_ws_upgrade(ws_thread_t *wt, h2o_req_t *req, const auth_session_t *auth, int64_t cursor,
                    bool protocol, err_t *e)
{
    const char *key;
    if (h2o_is_websocket_handshake(req, &key) != 0 || key == NULL)
        return err_set(e, ERR_UPGRADE_REQUIRED, NULL, NULL);
    app_ctx_t *ctx = http_thread_ctx(wt->t);
    ws_session_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        abort();
    s->wt = wt;
    s->auth = *auth;
    s->last_rx = s->last_ping = clock_now_ms();
    link_session(s); /* first, so no event committed from now on is missed */
    int64_t head, floor;
    int rc = stream_head(ctx, auth->user_id, &head, &floor, e);
    if (rc < 0) {
        unlink_session(s);
        free(s);
        return rc;
    }
    if (cursor > head) {
        unlink_session(s);
        free(s);
        return err_set(e, ERR_VALIDATION_FAILED, "cursor", "beyond the head of the stream");
    }
    s->cursor = cursor >= 0 ? cursor : head;
    if (protocol)
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("sec-websocket-protocol"),
                              0, NULL, H2O_STRLIT("wlk"));
    s->conn = h2o_upgrade_to_websocket(req, key, s, on_frame);
    wslay_event_config_set_max_recv_msg_length(s->conn->ws_ctx, MAX_FRAME);
    queue_json(s, json_pack("{s:s, s:I}", "type", "hello", "cursor", (json_int_t)s->cursor));
    (void)pump(s, false); /* the backlog after a given cursor; sent once the 101 is out */
    return 0;
}

bool http_ws_settled(const ws_thread_t *wt)
{
    return wt->jobs == NULL && wt->npending == 0;
}
