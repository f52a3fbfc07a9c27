/* chat.c - WebSocket chat load generator for `wlk serve` (GET /v1/ws).
 *
 * Opens one WebSocket per bearer token (tokens[2k] and tokens[2k+1] are the
 * two members of conversation k), sends text messages whose body is
 * "t=<CLOCK_MONOTONIC ns>" and measures, on the peer's connection, the
 * end-to-end latency of the `message.created` event, plus acks. Optional
 * idle connections are only opened and held.
 *
 * Few-threaded (--threads, default 1): each thread owns an epoll set, the
 * two connections of a pair always live in the same thread, writes are
 * batched per loop iteration, and frames are scanned, not parsed.
 *
 * Usage: chat --url 127.0.0.1:8080 --tokens FILE --conversations FILE
 *             [--connections N] [--rate R | --window W] [--duration S]
 *             [--warmup S] [--idle N] ...  (see usage())
 *
 * Plain C (gnu17), libc + pthreads only. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "wsutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S 1000000000LL
#define MAX_FRAME (16u << 20)  /* we close a connection sending more */
#define MAX_HEADER (16u << 10) /* HTTP response header of the upgrade */
#define ACTIVE_RBUF 65536
#define IDLE_RBUF 2048
#define MAX_ERRKINDS 24
#define MAX_ATTEMPTS 3

/* ---------------------------------------------------------------- options */

static struct {
    struct sockaddr_in addr, addr2; /* addr2: odd tokens' node (--url2) */
    char host[320], host2[320];     /* Host headers */
    bool two;                       /* --url2 given: pair members on two nodes */
    const char *path;
    char **tokens;
    int ntokens;
    char **convs;
    int nconvs;
    int connections; /* active connections; -1: default */
    double rate;     /* msgs/s in total, 0: window mode */
    int window;      /* outstanding sends per connection (window mode) */
    double duration, warmup, drain, connect_timeout;
    int idle;
    int threads;
    int source_addrs; /* bind to 127.0.0.2.. round-robin; 0: no bind */
    int connect_batch;
    bool oneway;
    bool proto_header;
} O = {
    .path = "/v1/ws",
    .connections = -1,
    .window = 16,
    .duration = 10,
    .warmup = 0,
    .drain = 3,
    .connect_timeout = 60,
    .threads = 1,
    .connect_batch = 256,
};

/* ------------------------------------------------------------ shared state */

static char g_runid[24];
static size_t g_runid_len;
static _Atomic int64_t g_go;   /* traffic starts (0: not yet) */
static _Atomic int64_t g_meas; /* measurement window [g_meas, g_end) */
static _Atomic int64_t g_end;
static atomic_int g_quit;
static volatile sig_atomic_t g_sig;
static atomic_long g_active_done; /* active conns with hello, or given up */
static atomic_long g_active_ok;
static atomic_long g_idle_up, g_idle_hello, g_idle_failed, g_idle_open;
static _Atomic int64_t g_idle_last;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* ------------------------------------------------------------- structures */

typedef struct errkind {
    char name[64];
    uint64_t n;
} errkind_t;

typedef struct stats {
    uint64_t sent;       /* sends with t in the window */
    uint64_t acked;      /* acks of those */
    uint64_t delivered;  /* peer events of those */
    uint64_t echoes;     /* own message.created events (sender's device) */
    uint64_t rx_window;  /* peer events received during the window */
    uint64_t err_frames; /* {"type":"error"} frames */
    uint64_t conn_fail;  /* TCP connect failures (after retries) */
    uint64_t hs_fail;    /* upgrade answered with something else than 101 */
    uint64_t closed;     /* open connections that closed under us */
    uint64_t idle_closed;
    uint64_t not_sent; /* rate mode: no open sender when due */
    uint64_t stale;    /* events of messages from another run */
    wsu_hist_t e2e, ack;
    errkind_t errs[MAX_ERRKINDS];
} stats_t;

enum { C_NEW, C_CONNECTING, C_HANDSHAKE, C_OPEN, C_CLOSED };

struct thr;

typedef struct conn {
    struct thr *t;
    int fd;
    uint8_t state;
    bool idle, sender, ready, counted, dirty, want_out;
    uint8_t attempts;
    int idx;  /* active: token index; idle: -1 */
    int peer; /* active: token index of the peer */
    int tok;
    const char *conv;
    int64_t started; /* connect start, for the timeout */
    char key[28];
    char *rbuf;
    size_t rlen, rcap;
    char *wbuf;
    size_t woff, wlen, wcap;
    char *frag; /* fragmented message being assembled */
    size_t fraglen, fragcap;
    uint8_t fragop;
    uint64_t nreq;
    uint32_t outstanding;
} conn_t;

typedef struct thr {
    int id;
    int ep;
    pthread_t tid;
    conn_t *conns; /* active first, then idle */
    int nconns, nactive;
    conn_t **senders;
    int nsenders;
    int next_start; /* next conn to connect */
    int inflight;
    conn_t **dirty;
    int ndirty;
    double rate;
    uint64_t scheduled;
    uint64_t rr;
    bool started;
    int64_t last_rx;
    int64_t last_sweep;
    uint64_t rng;
    atomic_int drained;
    stats_t st;
} thr_t;

/* ------------------------------------------------------------------ utils */

static void die(const char *msg)
{
    fprintf(stderr, "chat: %s\n", msg);
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) {
        die("out of memory");
    }
    return q;
}

static uint64_t rnd(thr_t *t)
{
    uint64_t x = t->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t->rng = x;
    return x;
}

static void err_add(stats_t *st, const char *name, size_t len, uint64_t count)
{
    if (len >= sizeof(st->errs[0].name)) {
        len = sizeof(st->errs[0].name) - 1;
    }
    for (int i = 0; i < MAX_ERRKINDS; i++) {
        errkind_t *k = &st->errs[i];
        if (k->n == 0) {
            memcpy(k->name, name, len);
            k->name[len] = '\0';
            k->n = count;
            return;
        }
        if (strlen(k->name) == len && memcmp(k->name, name, len) == 0) {
            k->n += count;
            return;
        }
    }
}

static void err_note(stats_t *st, const char *name, size_t len)
{
    err_add(st, name, len, 1);
}

static void err_notef_errno(stats_t *st, const char *what, int e)
{
    char b[64];
    int n = snprintf(b, sizeof(b), "%s:%s", what, strerrorname_np(e) ? strerrorname_np(e) : "?");
    err_note(st, b, n > 0 ? (size_t)n : 0);
}

/* ------------------------------------------------------------------ write */

static void mark_dirty(conn_t *c)
{
    if (!c->dirty) {
        c->dirty = true;
        c->t->dirty[c->t->ndirty++] = c;
    }
}

static char *wreserve(conn_t *c, size_t n)
{
    if (c->woff > 0 && c->woff == c->wlen) {
        c->woff = c->wlen = 0;
    }
    if (c->wlen + n > c->wcap) {
        if (c->woff > 0) {
            memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
            c->wlen -= c->woff;
            c->woff = 0;
        }
        if (c->wlen + n > c->wcap) {
            size_t cap = c->wcap ? c->wcap : 4096;
            while (cap < c->wlen + n) {
                cap *= 2;
            }
            c->wbuf = xrealloc(c->wbuf, cap);
            c->wcap = cap;
        }
    }
    return c->wbuf + c->wlen;
}

/* Appends one masked frame (client to server). */
static void ws_put(conn_t *c, int op, const void *payload, size_t len)
{
    char *w = wreserve(c, len + 14);
    size_t h = 0;
    w[h++] = (char)(0x80 | op);
    if (len < 126) {
        w[h++] = (char)(0x80 | len);
    } else if (len < 65536) {
        w[h++] = (char)(0x80 | 126);
        w[h++] = (char)(len >> 8);
        w[h++] = (char)len;
    } else {
        w[h++] = (char)(0x80 | 127);
        for (int i = 7; i >= 0; i--) {
            w[h++] = (char)((uint64_t)len >> (8 * i));
        }
    }
    uint32_t k32 = (uint32_t)rnd(c->t);
    uint8_t mask[4];
    memcpy(mask, &k32, 4);
    memcpy(w + h, mask, 4);
    h += 4;
    const uint8_t *s = payload;
    uint8_t *d = (uint8_t *)w + h;
    for (size_t i = 0; i < len; i++) {
        d[i] = s[i] ^ mask[i & 3];
    }
    c->wlen += h + len;
    mark_dirty(c);
}

static void set_out(conn_t *c, bool on)
{
    if (c->want_out == on || c->fd < 0) {
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(c->t->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0) {
        c->want_out = on;
    }
}

static void conn_close(conn_t *c, bool unexpected);

static void flush(conn_t *c)
{
    while (c->state != C_CLOSED && c->woff < c->wlen) {
        ssize_t n = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
        if (n > 0) {
            c->woff += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            set_out(c, true);
            return;
        }
        err_notef_errno(&c->t->st, "write", errno);
        conn_close(c, true);
        return;
    }
    if (c->state != C_CLOSED) {
        c->woff = c->wlen = 0;
        set_out(c, false);
    }
}

/* ------------------------------------------------------------- lifecycle */

static void conn_start(conn_t *c);

static void conn_release(conn_t *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    free(c->rbuf);
    free(c->wbuf);
    free(c->frag);
    c->rbuf = c->wbuf = c->frag = NULL;
    c->rlen = c->rcap = c->woff = c->wlen = c->wcap = c->fraglen = c->fragcap = 0;
    c->want_out = false;
}

static void mark_active_done(conn_t *c, bool ok)
{
    if (!c->idle && !c->counted) {
        c->counted = true;
        atomic_fetch_add(&g_active_done, 1);
        if (ok) {
            atomic_fetch_add(&g_active_ok, 1);
        }
    }
}

/* The connection attempt failed before the upgrade (may retry). */
static void conn_fail(conn_t *c, const char *what, int e)
{
    thr_t *t = c->t;
    bool was_inflight = c->state == C_CONNECTING || c->state == C_HANDSHAKE;
    conn_release(c);
    c->state = C_CLOSED;
    if (was_inflight) {
        t->inflight--;
    }
    if (c->attempts < MAX_ATTEMPTS && e != 0) {
        conn_start(c);
        return;
    }
    t->st.conn_fail++;
    err_notef_errno(&t->st, what, e ? e : ETIMEDOUT);
    mark_active_done(c, false);
    if (c->idle) {
        atomic_fetch_add(&g_idle_failed, 1);
    }
}

static void conn_close(conn_t *c, bool unexpected)
{
    if (c->state == C_CLOSED) {
        return;
    }
    thr_t *t = c->t;
    if (c->state == C_CONNECTING || c->state == C_HANDSHAKE) {
        t->inflight--;
    }
    if (c->state == C_OPEN) {
        if (c->idle) {
            atomic_fetch_sub(&g_idle_open, 1);
            if (unexpected) {
                t->st.idle_closed++;
            }
        } else if (unexpected) {
            t->st.closed++;
        }
    }
    mark_active_done(c, false);
    conn_release(c);
    c->state = C_CLOSED;
    c->outstanding = 0;
}

static void conn_start(conn_t *c)
{
    thr_t *t = c->t;
    c->attempts++;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        c->attempts = MAX_ATTEMPTS;
        c->state = C_NEW;
        t->inflight++;
        c->state = C_CONNECTING;
        conn_fail(c, "socket", errno);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (O.source_addrs > 0) {
        int slot = (int)((c - t->conns) * O.threads + t->id) % O.source_addrs;
#ifdef IP_BIND_ADDRESS_NO_PORT
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
#endif
        struct sockaddr_in src = {.sin_family = AF_INET};
        src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)slot);
        if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0) {
            int e = errno;
            close(fd);
            c->attempts = MAX_ATTEMPTS;
            t->inflight++;
            c->state = C_CONNECTING;
            conn_fail(c, "bind", e);
            return;
        }
    }
    c->fd = fd;
    c->state = C_CONNECTING;
    c->started = mono_ns();
    t->inflight++;
    const struct sockaddr_in *to = O.two && c->tok % 2 ? &O.addr2 : &O.addr;
    int r = connect(fd, (const struct sockaddr *)to, sizeof(*to));
    if (r != 0 && errno != EINPROGRESS) {
        int e = errno;
        if (e == EADDRNOTAVAIL) {
            c->attempts = MAX_ATTEMPTS; /* out of ports: no point retrying */
        }
        conn_fail(c, "connect", e);
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        int e = errno;
        c->attempts = MAX_ATTEMPTS;
        conn_fail(c, "epoll", e);
        return;
    }
    c->want_out = true;
}

/* TCP is up: send the upgrade request. */
static void conn_connected(conn_t *c)
{
    uint8_t raw[16];
    for (int i = 0; i < 16; i += 8) {
        uint64_t r = rnd(c->t);
        memcpy(raw + i, &r, 8);
    }
    wsu_b64(raw, sizeof(raw), c->key);
    const char *tok = O.tokens[c->tok];
    char req[1024];
    int n;
    if (O.proto_header) {
        n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: wlk, %s\r\n\r\n",
                     O.path, O.two && c->tok % 2 ? O.host2 : O.host, c->key, tok);
    } else {
        n = snprintf(req, sizeof(req),
                     "GET %s?token=%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     O.path, tok, O.two && c->tok % 2 ? O.host2 : O.host, c->key);
    }
    if (n <= 0 || (size_t)n >= sizeof(req)) {
        die("upgrade request too long");
    }
    c->state = C_HANDSHAKE;
    size_t cap = c->idle ? IDLE_RBUF : ACTIVE_RBUF;
    c->rbuf = xrealloc(c->rbuf, cap);
    c->rcap = cap;
    c->rlen = 0;
    memcpy(wreserve(c, (size_t)n), req, (size_t)n);
    c->wlen += (size_t)n;
    mark_dirty(c);
}

/* ------------------------------------------------------------ sending */

static void send_msg(conn_t *c, int64_t now)
{
    char buf[512];
    uint64_t n = ++c->nreq;
    int len = snprintf(buf, sizeof(buf),
                       "{\"type\":\"send\",\"req_id\":\"%" PRIu64 "\",\"conversation_id\":\"%s\","
                       "\"client_id\":\"%s-%d-%" PRIu64 "\",\"kind\":\"text\","
                       "\"body\":{\"text\":\"t=%" PRId64 "\"}}",
                       n, c->conv, g_runid, c->idx, n, now);
    ws_put(c, 1, buf, (size_t)len);
    c->outstanding++;
    if (now >= atomic_load_explicit(&g_meas, memory_order_relaxed) &&
        now < atomic_load_explicit(&g_end, memory_order_relaxed)) {
        c->t->st.sent++;
    }
}

static bool running(int64_t now)
{
    int64_t go = atomic_load_explicit(&g_go, memory_order_relaxed);
    return go != 0 && now >= go && now < atomic_load_explicit(&g_end, memory_order_relaxed);
}

static void top_up(conn_t *c, int64_t now)
{
    if (O.rate > 0 || !c->sender || c->state != C_OPEN || !running(now)) {
        return;
    }
    while (c->outstanding < (uint32_t)O.window) {
        send_msg(c, now);
    }
}

/* ------------------------------------------------------------ receiving */

static int64_t parse_t(const char *p, size_t n)
{
    const char *v;
    size_t vl;
    if (!wsu_json_str(p, n, "text", &v, &vl) || vl < 3 || v[0] != 't' || v[1] != '=') {
        return -1;
    }
    int64_t t = 0;
    for (size_t i = 2; i < vl; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return -1;
        }
        t = t * 10 + (v[i] - '0');
    }
    return t;
}

static bool in_window(int64_t t)
{
    return t >= atomic_load_explicit(&g_meas, memory_order_relaxed) &&
           t < atomic_load_explicit(&g_end, memory_order_relaxed);
}

static void on_text(conn_t *c, const char *p, size_t n, int64_t now)
{
    thr_t *t = c->t;
    if (!c->ready && wsu_json_has(p, n, "type", "hello")) {
        c->ready = true;
        if (c->idle) {
            atomic_fetch_add(&g_idle_hello, 1);
        } else {
            mark_active_done(c, true);
        }
        return;
    }
    if (c->idle) {
        return;
    }
    if (wsu_json_has(p, n, "type", "event")) {
        if (!wsu_json_has(p, n, "type", "message.created")) {
            return;
        }
        const char *v;
        size_t vl;
        if (!wsu_json_str(p, n, "client_id", &v, &vl) || vl <= g_runid_len + 1 ||
            memcmp(v, g_runid, g_runid_len) != 0 || v[g_runid_len] != '-') {
            t->st.stale++;
            return;
        }
        int from = 0;
        for (size_t i = g_runid_len + 1; i < vl && v[i] != '-'; i++) {
            from = from * 10 + (v[i] - '0');
        }
        if (from == c->idx) {
            int64_t ts = parse_t(p, n);
            if (ts > 0 && in_window(ts)) {
                t->st.echoes++;
            }
            return;
        }
        if (from != c->peer) {
            t->st.stale++;
            return;
        }
        t->last_rx = now;
        if (in_window(now)) {
            t->st.rx_window++;
        }
        int64_t ts = parse_t(p, n);
        if (ts > 0 && in_window(ts)) {
            t->st.delivered++;
            wsu_hist_add(&t->st.e2e, (uint64_t)(now > ts ? now - ts : 0) / 1000);
        }
        return;
    }
    if (wsu_json_has(p, n, "type", "ack")) {
        if (c->outstanding > 0) {
            c->outstanding--;
        }
        int64_t ts = parse_t(p, n);
        if (ts > 0 && in_window(ts)) {
            t->st.acked++;
            wsu_hist_add(&t->st.ack, (uint64_t)(now > ts ? now - ts : 0) / 1000);
        }
        return;
    }
    if (wsu_json_has(p, n, "type", "error")) {
        const char *v;
        size_t vl;
        t->st.err_frames++;
        if (wsu_json_str(p, n, "code", &v, &vl)) {
            char b[64];
            int bl = snprintf(b, sizeof(b), "ws:%.*s", (int)(vl > 40 ? 40 : vl), v);
            err_note(&t->st, b, (size_t)bl);
        } else {
            err_note(&t->st, "ws:?", 4);
        }
        if (wsu_json_str(p, n, "req_id", &v, &vl) && c->outstanding > 0) {
            c->outstanding--;
        }
    }
}

/* Handles the complete frames in rbuf; false when the connection closed. */
static bool parse_frames(conn_t *c, int64_t now)
{
    size_t pos = 0;
    while (c->state == C_OPEN && c->rlen - pos >= 2) {
        const uint8_t *b = (const uint8_t *)c->rbuf + pos;
        size_t avail = c->rlen - pos;
        bool fin = b[0] & 0x80;
        int op = b[0] & 0x0f;
        bool masked = b[1] & 0x80;
        uint64_t len = b[1] & 0x7f;
        size_t h = 2;
        if (len == 126) {
            if (avail < 4) {
                break;
            }
            len = (uint64_t)b[2] << 8 | b[3];
            h = 4;
        } else if (len == 127) {
            if (avail < 10) {
                break;
            }
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = len << 8 | b[2 + i];
            }
            h = 10;
        }
        if (masked) {
            h += 4;
        }
        if (len > MAX_FRAME) {
            err_note(&c->t->st, "frame_too_large", 15);
            conn_close(c, true);
            return false;
        }
        if (avail < h + len) {
            if (h + len > c->rcap) {
                /* make room for the whole frame */
                memmove(c->rbuf, c->rbuf + pos, avail);
                c->rlen = avail;
                pos = 0;
                size_t cap = c->rcap;
                while (cap < h + len) {
                    cap *= 2;
                }
                c->rbuf = xrealloc(c->rbuf, cap);
                c->rcap = cap;
            }
            break;
        }
        char *pl = c->rbuf + pos + h;
        if (masked) {
            const uint8_t *m = b + h - 4;
            for (uint64_t i = 0; i < len; i++) {
                pl[i] ^= (char)m[i & 3];
            }
        }
        pos += h + (size_t)len;
        switch (op) {
        case 0x9: /* ping -> pong */
            ws_put(c, 0xA, pl, (size_t)len);
            break;
        case 0xA:
            break;
        case 0x8: /* close: answer and drop */
            ws_put(c, 0x8, pl, len >= 2 ? 2 : 0);
            flush(c);
            if (len >= 2) {
                char nm[32];
                int nl = snprintf(nm, sizeof(nm), "close_%u",
                                  (unsigned)((uint8_t)pl[0] << 8 | (uint8_t)pl[1]));
                err_note(&c->t->st, nm, (size_t)nl);
            } else {
                err_note(&c->t->st, "close", 5);
            }
            conn_close(c, true);
            return false;
        case 0x0:
        case 0x1:
        case 0x2:
            if (op != 0 || !fin) {
                if (op != 0) {
                    c->fragop = (uint8_t)op;
                    c->fraglen = 0;
                }
                if (c->fraglen + len > c->fragcap) {
                    size_t cap = c->fragcap ? c->fragcap : 4096;
                    while (cap < c->fraglen + len) {
                        cap *= 2;
                    }
                    c->frag = xrealloc(c->frag, cap);
                    c->fragcap = cap;
                }
                memcpy(c->frag + c->fraglen, pl, (size_t)len);
                c->fraglen += (size_t)len;
                if (fin && c->fragop == 1) {
                    on_text(c, c->frag, c->fraglen, now);
                }
                if (fin) {
                    c->fraglen = 0;
                }
            } else if (op == 1) {
                on_text(c, pl, (size_t)len, now);
            }
            break;
        default:
            break;
        }
    }
    if (c->state != C_OPEN) {
        return false;
    }
    if (pos > 0) {
        memmove(c->rbuf, c->rbuf + pos, c->rlen - pos);
        c->rlen -= pos;
    }
    return true;
}

static bool header_has(const char *hdr, const char *name, const char *want)
{
    size_t nl = strlen(name);
    for (const char *l = strstr(hdr, "\r\n"); l != NULL; l = strstr(l + 2, "\r\n")) {
        const char *s = l + 2;
        if (strncasecmp(s, name, nl) == 0 && s[nl] == ':') {
            s += nl + 1;
            while (*s == ' ' || *s == '\t') {
                s++;
            }
            size_t wl = strlen(want);
            return strncmp(s, want, wl) == 0 && (s[wl] == '\r' || s[wl] == ' ');
        }
    }
    return false;
}

/* Upgrade response; false when the connection closed. */
static bool parse_handshake(conn_t *c, int64_t now)
{
    thr_t *t = c->t;
    char *end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
    if (end == NULL) {
        if (c->rlen >= MAX_HEADER) {
            t->st.hs_fail++;
            err_note(&t->st, "http_header_too_long", 20);
            c->attempts = MAX_ATTEMPTS;
            conn_close(c, false);
            if (c->idle) {
                atomic_fetch_add(&g_idle_failed, 1);
            }
            return false;
        }
        return true;
    }
    size_t hlen = (size_t)(end - c->rbuf) + 4;
    char save = c->rbuf[hlen - 2];
    c->rbuf[hlen - 2] = '\0'; /* headers end with one "\r\n" */
    int status = 0;
    sscanf(c->rbuf, "HTTP/%*d.%*d %d", &status);
    char accept[32];
    wsu_accept(c->key, accept);
    bool ok = status == 101 && header_has(c->rbuf, "Sec-WebSocket-Accept", accept);
    c->rbuf[hlen - 2] = save;
    if (!ok) {
        char nm[48];
        int nl = status == 101 ? snprintf(nm, sizeof(nm), "bad_accept_header")
                               : snprintf(nm, sizeof(nm), "http_%d", status);
        t->st.hs_fail++;
        err_note(&t->st, nm, (size_t)nl);
        conn_close(c, false);
        if (c->idle) {
            atomic_fetch_add(&g_idle_failed, 1);
        }
        return false;
    }
    memmove(c->rbuf, c->rbuf + hlen, c->rlen - hlen);
    c->rlen -= hlen;
    c->state = C_OPEN;
    t->inflight--;
    if (c->idle) {
        atomic_fetch_add(&g_idle_up, 1);
        atomic_fetch_add(&g_idle_open, 1);
        atomic_store(&g_idle_last, now);
    }
    return parse_frames(c, now);
}

static void on_readable(conn_t *c, int64_t now)
{
    for (int round = 0; round < 8 && c->state != C_CLOSED; round++) {
        if (c->rcap - c->rlen < 512) {
            size_t cap = c->rcap * 2;
            c->rbuf = xrealloc(c->rbuf, cap);
            c->rcap = cap;
        }
        size_t room = c->rcap - c->rlen;
        ssize_t n = read(c->fd, c->rbuf + c->rlen, room);
        if (n > 0) {
            c->rlen += (size_t)n;
            bool alive = c->state == C_HANDSHAKE ? parse_handshake(c, now) : parse_frames(c, now);
            if (!alive) {
                return;
            }
            if ((size_t)n < room) {
                break;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        int e = n == 0 ? ECONNRESET : errno;
        if (c->state == C_HANDSHAKE) {
            conn_fail(c, "handshake", e);
        } else {
            err_notef_errno(&c->t->st, n == 0 ? "eof" : "read", e);
            conn_close(c, true);
        }
        return;
    }
    top_up(c, now);
}

static void on_event(conn_t *c, uint32_t ev, int64_t now)
{
    if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t l = sizeof(err);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) != 0) {
            err = errno;
        }
        if (err != 0) {
            conn_fail(c, "connect", err);
            return;
        }
        if (!(ev & EPOLLOUT)) {
            return;
        }
        conn_connected(c);
        return; /* flushed with the dirty list */
    }
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        on_readable(c, now);
    }
    if (c->state != C_CLOSED && (ev & EPOLLOUT)) {
        flush(c);
    }
}

/* --------------------------------------------------------------- thread */

static void sweep_timeouts(thr_t *t, int64_t now)
{
    int64_t limit = (int64_t)(O.connect_timeout * NS_PER_S);
    for (int i = 0; i < t->next_start; i++) {
        conn_t *c = &t->conns[i];
        if ((c->state == C_CONNECTING || c->state == C_HANDSHAKE) && now - c->started > limit) {
            c->attempts = MAX_ATTEMPTS;
            conn_fail(c, c->state == C_CONNECTING ? "connect" : "handshake", ETIMEDOUT);
        }
    }
}

static void schedule_rate(thr_t *t, int64_t now)
{
    int64_t go = atomic_load(&g_go);
    int64_t end = atomic_load(&g_end);
    if (t->rate <= 0 || go == 0 || now < go || t->nsenders == 0) {
        return;
    }
    int64_t upto = now < end ? now : end;
    uint64_t due = (uint64_t)((double)(upto - go) * t->rate / 1e9);
    while (t->scheduled < due) {
        t->scheduled++;
        conn_t *c = NULL;
        for (int k = 0; k < t->nsenders; k++) {
            conn_t *x = t->senders[t->rr++ % (uint64_t)t->nsenders];
            if (x->state == C_OPEN) {
                c = x;
                break;
            }
        }
        if (c == NULL) {
            if (in_window(now)) {
                t->st.not_sent++;
            }
            continue;
        }
        send_msg(c, now);
    }
}

static int64_t next_due(thr_t *t)
{
    int64_t go = atomic_load(&g_go);
    return go + (int64_t)((double)(t->scheduled + 1) * 1e9 / t->rate);
}

static void check_drained(thr_t *t, int64_t now)
{
    int64_t end = atomic_load(&g_end);
    int64_t go = atomic_load(&g_go);
    if (go == 0 || now < end || atomic_load(&t->drained)) {
        return;
    }
    uint64_t outstanding = 0;
    for (int i = 0; i < t->nactive; i++) {
        if (t->conns[i].state == C_OPEN) {
            outstanding += t->conns[i].outstanding;
        }
    }
    bool quiet = now - t->last_rx > NS_PER_S / 2 && now - end > NS_PER_S / 2;
    if ((outstanding == 0 && (t->st.delivered >= t->st.sent || quiet)) ||
        now - end >= (int64_t)(O.drain * NS_PER_S) || t->nactive == 0) {
        atomic_store(&t->drained, 1);
    }
}

static void *thr_main(void *arg)
{
    thr_t *t = arg;
    struct epoll_event evs[512];
    int batch = O.connect_batch / O.threads;
    if (batch < 8) {
        batch = 8;
    }
    bool pwait2 = true;
    while (!atomic_load(&g_quit)) {
        /* start connections, a batch at a time */
        while (t->inflight < batch && t->next_start < t->nconns) {
            conn_start(&t->conns[t->next_start++]);
        }
        for (int i = 0; i < t->ndirty; i++) {
            t->dirty[i]->dirty = false;
            if (t->dirty[i]->state != C_CLOSED) {
                flush(t->dirty[i]);
            }
        }
        t->ndirty = 0;

        int64_t now = mono_ns();
        int64_t wait_ns = 20 * 1000000LL;
        int64_t go = atomic_load(&g_go), end = atomic_load(&g_end);
        if (go != 0 && now < go) {
            wait_ns = go - now;
        } else if (go != 0 && now < end) {
            if (t->rate > 0) {
                wait_ns = next_due(t) - now;
            }
            if (end - now < wait_ns) {
                wait_ns = end - now;
            }
        }
        if (wait_ns < 0) {
            wait_ns = 0;
        }
        if (wait_ns > 20 * 1000000LL) {
            wait_ns = 20 * 1000000LL;
        }
        int n;
        if (pwait2) {
            struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)wait_ns};
            n = epoll_pwait2(t->ep, evs, 512, &ts, NULL);
            if (n < 0 && errno == ENOSYS) {
                pwait2 = false;
                continue;
            }
        } else {
            n = epoll_wait(t->ep, evs, 512, (int)((wait_ns + 999999) / 1000000));
        }
        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            break;
        }
        now = mono_ns();
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            if (c->state != C_CLOSED) {
                on_event(c, evs[i].events, now);
            }
        }
        go = atomic_load(&g_go);
        if (go != 0 && now >= go && !t->started) {
            t->started = true;
            for (int i = 0; i < t->nsenders; i++) {
                top_up(t->senders[i], now);
            }
        }
        schedule_rate(t, now);
        check_drained(t, now);
        if (now - t->last_sweep > NS_PER_S) {
            t->last_sweep = now;
            sweep_timeouts(t, now);
        }
    }
    for (int i = 0; i < t->nconns; i++) {
        conn_t *c = &t->conns[i];
        if (c->state == C_OPEN && c->idle) {
            atomic_fetch_sub(&g_idle_open, 1);
        }
        conn_release(c);
        c->state = C_CLOSED;
    }
    return NULL;
}

/* ------------------------------------------------------------------ setup */

static char **read_lines(const char *path, int *count)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "chat: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    char **v = NULL;
    int n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t l;
    while ((l = getline(&line, &lcap, f)) >= 0) {
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' ' ||
                         line[l - 1] == '\t')) {
            line[--l] = '\0';
        }
        char *s = line;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (*s == '\0') {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            v = xrealloc(v, sizeof(*v) * (size_t)cap);
        }
        v[n] = strdup(s);
        if (v[n] == NULL) {
            die("out of memory");
        }
        n++;
    }
    free(line);
    fclose(f);
    *count = n;
    return v;
}

static bool url_safe(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) {
        return false;
    }
    for (; *s; s++) {
        char ch = *s;
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.' || ch == '~')) {
            return false;
        }
    }
    return true;
}

static void parse_url(const char *url, struct sockaddr_in *addr, char *host, size_t host_len)
{
    const char *s = url;
    if (strncmp(s, "ws://", 5) == 0) {
        s += 5;
    } else if (strncmp(s, "http://", 7) == 0) {
        s += 7;
    }
    char hp[256];
    snprintf(hp, sizeof(hp), "%s", s);
    char *slash = strchr(hp, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    char *colon = strrchr(hp, ':');
    if (colon == NULL) {
        die("--url must be host:port");
    }
    *colon = '\0';
    const char *port = colon + 1;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int r = getaddrinfo(hp, port, &hints, &res);
    if (r != 0 || res == NULL) {
        fprintf(stderr, "chat: cannot resolve %s: %s\n", url, gai_strerror(r));
        exit(2);
    }
    memcpy(addr, res->ai_addr, sizeof(*addr));
    freeaddrinfo(res);
    snprintf(host, host_len, "%s:%s", hp, port);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: chat --url HOST:PORT --tokens FILE [--conversations FILE] [options]\n"
            "  --url HOST:PORT        wlk server (IPv4); the path is --path (default /v1/ws)\n"
            "  --url2 HOST:PORT       a second node: odd tokens (the second member of each\n"
            "                         pair, every other idle connection) connect there\n"
            "  --tokens FILE          one bearer token per line; tokens 2k and 2k+1 are pair k\n"
            "  --conversations FILE   one conversation id per line, line k for pair k\n"
            "  --connections N        active connections, even, <= tokens (default: all tokens\n"
            "                         when --conversations is given, else 0)\n"
            "  --rate R               messages/s in total; 0 = window mode (default 0)\n"
            "  --window W             outstanding sends per connection in window mode (16)\n"
            "  --duration S           measured seconds (default 10); with only idle\n"
            "                         connections: how long to hold them, 0 = until SIGTERM\n"
            "  --warmup S             seconds of traffic before measuring (default 0)\n"
            "  --drain S              max seconds to wait for acks/events after the end (3)\n"
            "  --idle N               extra idle connections (tokens round-robin), held open\n"
            "  --threads T            threads (default 1); a pair stays on one thread\n"
            "  --oneway               only tokens 2k send (default: both members send)\n"
            "  --source-addrs K       bind sockets to 127.0.0.2 .. 127.0.0.(K+1) round-robin\n"
            "  --connect-batch N      connection attempts in flight (default 256)\n"
            "  --connect-timeout S    per connection attempt (default 60)\n"
            "  --proto-header         token in Sec-WebSocket-Protocol: wlk, <token>\n"
            "  --path PATH            WebSocket path (default /v1/ws)\n");
}

static double num_arg(const char *name, const char *v, double lo, double hi)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || d < lo || d > hi) {
        fprintf(stderr, "chat: bad value for --%s: %s\n", name, v);
        exit(2);
    }
    return d;
}

static void on_signal(int sig)
{
    (void)sig;
    g_sig++;
}

static void merge(stats_t *d, const stats_t *s)
{
    d->sent += s->sent;
    d->acked += s->acked;
    d->delivered += s->delivered;
    d->echoes += s->echoes;
    d->rx_window += s->rx_window;
    d->err_frames += s->err_frames;
    d->conn_fail += s->conn_fail;
    d->hs_fail += s->hs_fail;
    d->closed += s->closed;
    d->idle_closed += s->idle_closed;
    d->not_sent += s->not_sent;
    d->stale += s->stale;
    wsu_hist_merge(&d->e2e, &s->e2e);
    wsu_hist_merge(&d->ack, &s->ack);
    for (int i = 0; i < MAX_ERRKINDS && s->errs[i].n; i++) {
        err_add(d, s->errs[i].name, strlen(s->errs[i].name), s->errs[i].n);
    }
}

static void print_lat(const char *name, const wsu_hist_t *h)
{
    printf("%-18s p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  (n %" PRIu64 ")\n", name,
           (double)wsu_hist_pct(h, 50) / 1000.0, (double)wsu_hist_pct(h, 90) / 1000.0,
           (double)wsu_hist_pct(h, 99) / 1000.0, (double)h->max / 1000.0, h->n);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    const char *tokens_path = NULL, *convs_path = NULL, *url = NULL, *url2 = NULL;
    enum {
        OPT_URL = 1000,
        OPT_URL2,
        OPT_TOKENS,
        OPT_CONVS,
        OPT_CONNS,
        OPT_RATE,
        OPT_WINDOW,
        OPT_DURATION,
        OPT_WARMUP,
        OPT_DRAIN,
        OPT_IDLE,
        OPT_THREADS,
        OPT_ONEWAY,
        OPT_SRC,
        OPT_BATCH,
        OPT_CTIMEOUT,
        OPT_PROTO,
        OPT_PATH,
        OPT_HELP,
    };
    static const struct option longopts[] = {
        {"url", required_argument, NULL, OPT_URL},
        {"url2", required_argument, NULL, OPT_URL2},
        {"tokens", required_argument, NULL, OPT_TOKENS},
        {"conversations", required_argument, NULL, OPT_CONVS},
        {"connections", required_argument, NULL, OPT_CONNS},
        {"rate", required_argument, NULL, OPT_RATE},
        {"window", required_argument, NULL, OPT_WINDOW},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"drain", required_argument, NULL, OPT_DRAIN},
        {"idle", required_argument, NULL, OPT_IDLE},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"oneway", no_argument, NULL, OPT_ONEWAY},
        {"source-addrs", required_argument, NULL, OPT_SRC},
        {"connect-batch", required_argument, NULL, OPT_BATCH},
        {"connect-timeout", required_argument, NULL, OPT_CTIMEOUT},
        {"proto-header", no_argument, NULL, OPT_PROTO},
        {"path", required_argument, NULL, OPT_PATH},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case OPT_URL: url = optarg; break;
        case OPT_URL2: url2 = optarg; break;
        case OPT_TOKENS: tokens_path = optarg; break;
        case OPT_CONVS: convs_path = optarg; break;
        case OPT_CONNS: O.connections = (int)num_arg("connections", optarg, 0, 1e6); break;
        case OPT_RATE: O.rate = num_arg("rate", optarg, 0, 1e9); break;
        case OPT_WINDOW: O.window = (int)num_arg("window", optarg, 1, 1e6); break;
        case OPT_DURATION: O.duration = num_arg("duration", optarg, 0, 1e7); break;
        case OPT_WARMUP: O.warmup = num_arg("warmup", optarg, 0, 1e6); break;
        case OPT_DRAIN: O.drain = num_arg("drain", optarg, 0, 1e6); break;
        case OPT_IDLE: O.idle = (int)num_arg("idle", optarg, 0, 1e7); break;
        case OPT_THREADS: O.threads = (int)num_arg("threads", optarg, 1, 256); break;
        case OPT_ONEWAY: O.oneway = true; break;
        case OPT_SRC: O.source_addrs = (int)num_arg("source-addrs", optarg, 0, 250); break;
        case OPT_BATCH: O.connect_batch = (int)num_arg("connect-batch", optarg, 1, 1e6); break;
        case OPT_CTIMEOUT: O.connect_timeout = num_arg("connect-timeout", optarg, 0.1, 1e6); break;
        case OPT_PROTO: O.proto_header = true; break;
        case OPT_PATH: O.path = optarg; break;
        case 'h':
        case OPT_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || url == NULL || tokens_path == NULL) {
        usage(stderr);
        return 2;
    }
    parse_url(url, &O.addr, O.host, sizeof(O.host));
    if (url2 != NULL) {
        parse_url(url2, &O.addr2, O.host2, sizeof(O.host2));
        O.two = true;
    }
    O.tokens = read_lines(tokens_path, &O.ntokens);
    if (O.ntokens == 0) {
        die("no tokens");
    }
    for (int i = 0; i < O.ntokens; i++) {
        if (!url_safe(O.tokens[i], 512)) {
            die("a token has characters outside [A-Za-z0-9._~-]");
        }
    }
    if (O.connections < 0) {
        O.connections = convs_path != NULL ? (O.ntokens & ~1) : 0;
    }
    if (O.connections % 2 != 0 || O.connections > O.ntokens) {
        die("--connections must be even and at most the number of tokens");
    }
    int pairs = O.connections / 2;
    if (pairs > 0) {
        if (convs_path == NULL) {
            die("--conversations is required for active connections");
        }
        O.convs = read_lines(convs_path, &O.nconvs);
        if (O.nconvs < pairs) {
            die("fewer conversation ids than pairs");
        }
        for (int i = 0; i < pairs; i++) {
            if (!url_safe(O.convs[i], 64)) {
                die("bad conversation id");
            }
        }
        if (O.duration <= 0) {
            die("--duration must be > 0 with active connections");
        }
    }
    if (pairs == 0 && O.idle == 0) {
        die("nothing to do: no active and no idle connections");
    }
    if (O.threads > pairs && pairs > 0) {
        O.threads = pairs;
    }

    /* descriptors: as many as the hard limit allows */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
        rl.rlim_cur < (rlim_t)(O.connections + O.idle + 64)) {
        fprintf(stderr, "chat: warning: RLIMIT_NOFILE %llu is below %d connections\n",
                (unsigned long long)rl.rlim_cur, O.connections + O.idle);
    }

    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    snprintf(g_runid, sizeof(g_runid), "b%08" PRIx32,
             (uint32_t)((uint64_t)rt.tv_sec * 1000003u ^ (uint64_t)rt.tv_nsec ^
                        ((uint64_t)getpid() << 16)));
    g_runid_len = strlen(g_runid);
    atomic_store(&g_end, INT64_MAX);
    atomic_store(&g_meas, INT64_MAX);

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* threads and their connections */
    thr_t *th = calloc((size_t)O.threads, sizeof(*th));
    if (th == NULL) {
        die("out of memory");
    }
    for (int i = 0; i < O.threads; i++) {
        thr_t *t = &th[i];
        t->id = i;
        t->ep = epoll_create1(EPOLL_CLOEXEC);
        if (t->ep < 0) {
            die("epoll_create1 failed");
        }
        int npairs = pairs / O.threads + (i < pairs % O.threads ? 1 : 0);
        int nidle = O.idle / O.threads + (i < O.idle % O.threads ? 1 : 0);
        t->nactive = 2 * npairs;
        t->nconns = t->nactive + nidle;
        t->conns = calloc((size_t)(t->nconns ? t->nconns : 1), sizeof(conn_t));
        t->senders = calloc((size_t)(t->nactive ? t->nactive : 1), sizeof(conn_t *));
        t->dirty = calloc((size_t)(t->nconns ? t->nconns : 1), sizeof(conn_t *));
        if (t->conns == NULL || t->senders == NULL || t->dirty == NULL) {
            die("out of memory");
        }
        t->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)rt.tv_nsec << 20) ^ (uint64_t)(i + 1);
        rnd(t);
    }
    for (int k = 0; k < pairs; k++) {
        thr_t *t = &th[k % O.threads];
        for (int m = 0; m < 2; m++) {
            int slot = 0;
            while (t->conns[slot].t != NULL) {
                slot++;
            }
            conn_t *c = &t->conns[slot];
            c->t = t;
            c->fd = -1;
            c->idx = 2 * k + m;
            c->peer = 2 * k + (1 - m);
            c->tok = c->idx;
            c->conv = O.convs[k];
            c->sender = !O.oneway || m == 0;
            if (c->sender) {
                t->senders[t->nsenders++] = c;
            }
        }
    }
    for (int i = 0; i < O.idle; i++) {
        thr_t *t = &th[i % O.threads];
        conn_t *c = &t->conns[t->nactive + i / O.threads];
        c->t = t;
        c->fd = -1;
        c->idle = true;
        c->idx = c->peer = -1;
        c->tok = i % O.ntokens;
    }
    int nsenders = 0;
    for (int i = 0; i < O.threads; i++) {
        nsenders += th[i].nsenders;
    }
    for (int i = 0; i < O.threads; i++) {
        th[i].rate = nsenders ? O.rate * th[i].nsenders / nsenders : 0;
    }

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (int i = 0; i < O.threads; i++) {
        if (pthread_create(&th[i].tid, NULL, thr_main, &th[i]) != 0) {
            die("pthread_create failed");
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    fprintf(stderr, "chat: run %s, %d active connections (%d pairs, %d senders), %d idle, %d thread(s)\n",
            g_runid, O.connections, pairs, nsenders, O.idle, O.threads);

    /* wait for the active connections */
    int64_t t0 = mono_ns();
    if (O.connections > 0) {
        int64_t lim = t0 + (int64_t)((O.connect_timeout + 5) * NS_PER_S);
        while (atomic_load(&g_active_done) < O.connections && mono_ns() < lim && !g_sig) {
            sleep_ms(2);
        }
        long ok = atomic_load(&g_active_ok);
        fprintf(stderr, "chat: %ld/%d active connections ready in %.2f s\n", ok, O.connections,
                (double)(mono_ns() - t0) / 1e9);
        if (ok == 0) {
            fprintf(stderr, "chat: no active connection could be opened\n");
        }
    }
    int64_t go = mono_ns();
    int64_t meas = go + (int64_t)(O.warmup * NS_PER_S);
    int64_t end = pairs > 0 ? meas + (int64_t)(O.duration * NS_PER_S) : INT64_MAX;
    atomic_store(&g_meas, meas);
    atomic_store(&g_end, end);
    atomic_store(&g_go, go);
    if (pairs > 0 && atomic_load(&g_active_ok) > 0) {
        fprintf(stderr, "chat: sending (%s), warmup %.1f s, measuring %.1f s\n",
                O.rate > 0 ? "fixed rate" : "window", O.warmup, O.duration);
    }

    bool idle_reported = O.idle == 0;
    int64_t idle_hold_end = INT64_MAX;
    int handled_sig = 0;
    for (;;) {
        sleep_ms(5);
        int64_t now = mono_ns();
        if (!idle_reported) {
            long up = atomic_load(&g_idle_up), hello = atomic_load(&g_idle_hello),
                 failed = atomic_load(&g_idle_failed);
            if (up + failed >= O.idle &&
                (hello >= up || now - atomic_load(&g_idle_last) > 2 * NS_PER_S)) {
                printf("idle connections upgraded: %ld of %d (hello %ld, failed %ld) in %.2f s\n", up,
                       O.idle, hello, failed, (double)(now - t0) / 1e9);
                fflush(stdout);
                idle_reported = true;
                if (pairs == 0 && O.duration > 0) {
                    idle_hold_end = now + (int64_t)(O.duration * NS_PER_S);
                }
            }
        }
        if (g_sig > handled_sig) {
            handled_sig = g_sig;
            if (handled_sig >= 2 || pairs == 0) {
                break;
            }
            if (now < atomic_load(&g_end)) {
                atomic_store(&g_end, now); /* stop sending, drain, report */
                end = now;
                if (atomic_load(&g_meas) > now) {
                    atomic_store(&g_meas, now);
                }
            }
        }
        if (pairs > 0) {
            if (now < atomic_load(&g_end)) {
                continue;
            }
            bool all = true;
            for (int i = 0; i < O.threads; i++) {
                all = all && atomic_load(&th[i].drained);
            }
            if (all) {
                break;
            }
        } else if (now >= idle_hold_end) {
            break;
        }
    }
    long idle_open = atomic_load(&g_idle_open);
    atomic_store(&g_quit, 1);
    for (int i = 0; i < O.threads; i++) {
        pthread_join(th[i].tid, NULL);
    }

    stats_t *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        die("out of memory");
    }
    for (int i = 0; i < O.threads; i++) {
        merge(st, &th[i].st);
    }
    end = atomic_load(&g_end);
    meas = atomic_load(&g_meas);
    double secs = (double)(end - meas) / 1e9;

    printf("---- chat load: %s%s%s\n", url, url2 ? " + " : "", url2 ? url2 : "");
    if (pairs > 0) {
        if (O.rate > 0) {
            printf("mode:              fixed rate %.0f msg/s, %d connections (%d pairs, %d senders), "
                   "%d thread(s), warmup %.1f s, measured %.2f s\n",
                   O.rate, O.connections, pairs, nsenders, O.threads, O.warmup, secs);
        } else {
            printf("mode:              window %d per sender, %d connections (%d pairs, %d senders), "
                   "%d thread(s), warmup %.1f s, measured %.2f s\n",
                   O.window, O.connections, pairs, nsenders, O.threads, O.warmup, secs);
        }
        printf("sent:              %" PRIu64 "\n", st->sent);
        printf("acked:             %" PRIu64 "\n", st->acked);
        printf("delivered:         %" PRIu64 "   (events on the peer's connection; own echoes %" PRIu64
               ")\n",
               st->delivered, st->echoes);
        printf("delivered_per_s:   %.1f\n", secs > 0 ? (double)st->rx_window / secs : 0.0);
        print_lat("latency_ms:", &st->e2e);
        print_lat("ack_latency_ms:", &st->ack);
    }
    if (O.idle > 0) {
        printf("idle_open:         %ld of %d\n", idle_open, O.idle);
    }
    uint64_t errors = st->err_frames + st->conn_fail + st->hs_fail;
    printf("errors:            %" PRIu64 "   (error frames %" PRIu64 ", connect failures %" PRIu64
           ", upgrade failures %" PRIu64 ")\n",
           errors, st->err_frames, st->conn_fail, st->hs_fail);
    printf("closed:            %" PRIu64 "   (active connections closed by the server or network; "
           "idle %" PRIu64 ")\n",
           st->closed, st->idle_closed);
    if (st->not_sent || st->stale) {
        printf("other:             not sent (no open sender) %" PRIu64 ", stale events %" PRIu64 "\n",
               st->not_sent, st->stale);
    }
    if (st->errs[0].n) {
        printf("error_kinds:      ");
        for (int i = 0; i < MAX_ERRKINDS && st->errs[i].n; i++) {
            printf(" %s=%" PRIu64, st->errs[i].name, st->errs[i].n);
        }
        printf("\n");
    }
    fflush(stdout);
    for (int i = 0; i < O.threads; i++) {
        close(th[i].ep);
        free(th[i].conns);
        free(th[i].senders);
        free(th[i].dirty);
    }
    free(th);
    free(st);
    for (int i = 0; i < O.ntokens; i++) {
        free(O.tokens[i]);
    }
    free(O.tokens);
    for (int i = 0; i < O.nconvs; i++) {
        free(O.convs[i]);
    }
    free(O.convs);
    if ((pairs > 0 && atomic_load(&g_active_ok) == 0) || (O.idle > 0 && idle_open == 0)) {
        return 1; /* nothing could be measured */
    }
    return 0;
}
