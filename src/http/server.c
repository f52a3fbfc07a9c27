/* server.c - h2o glue: threads, listeners, one handler that runs the
 * router, request checks (body, content type, token), rendering and the
 * access log, and graceful shutdown. The only file that sees h2o_req_t. */
#if defined(H2O_USE_LIBUV) && H2O_USE_LIBUV
#error "build with -DH2O_USE_LIBUV=0 (evloop)"
#endif
#include "http/http.h"
#include "api/api.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"
#include "metrics/metrics.h"
#include "http/router.h"
#include "http/server_int.h"
#include "bus/bus.h"
#include "hub/hub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <h2o.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define H2O_BODY_LIMIT (64 * 1024 * 1024) /* beyond our per-route limits; h2o answers 413 */

typedef struct shutdown_msg {
    h2o_multithread_message_t super;
} shutdown_msg_t;

struct http_thread {
    h2o_context_t ctx; /* first: handlers get back to us from req->conn->ctx */
    h2o_accept_ctx_t accept;
    h2o_evloop_t *loop;
    h2o_socket_t *listener;
    h2o_multithread_receiver_t control;
    shutdown_msg_t msg;
    app_ctx_t actx;
    metrics_t *metrics;
    ws_thread_t *ws;
    pthread_t tid;
    int fd, index, stopping, started, failed;
    int64_t deadline_ns;
    uint64_t req_seq;
};

typedef struct server {
    app_t *app;
    h2o_globalconf_t conf;
    http_router_t *router;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    http_thread_t *threads;
    int nthreads;
    hub_t *hub;
    bus_t *bus; /* the other nodes (the local bus: none) */
} server_t;

static server_t srv;

static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(s, ':');
    if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *h = host;
    if (h[0] == '[' && h[strlen(h) - 1] == ']') {
        h[strlen(h) - 1] = '\0';
        h++;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *res;
    if (getaddrinfo(*h ? h : NULL, colon + 1, &hints, &res) != 0)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int open_listener(err_t *e)
{
    int fd = socket(srv.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
    if (fd < 0)
        return err_internal(e, "socket: %s", strerror(errno));
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&srv.addr, srv.addrlen) != 0 || listen(fd, 1024) != 0) {
        int rc = err_internal(e, "cannot listen on %s: %s", srv.app->cfg.listen, strerror(errno));
        close(fd);
        return rc;
    }
    return fd;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    http_thread_t *t = listener->data;
    if (err != NULL)
        return;
    for (int i = 0; i < 16; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        h2o_accept(&t->accept, sock);
    }
}

static void stop_accepting(http_thread_t *t)
{
    if (t->listener == NULL)
        return;
    h2o_socket_read_stop(t->listener);
    h2o_socket_close(t->listener);
    t->listener = NULL;
}

static void on_control(h2o_multithread_receiver_t *recv, h2o_linklist_t *messages)
{
    http_thread_t *t = (http_thread_t *)((char *)recv - offsetof(http_thread_t, control));
    while (!h2o_linklist_is_empty(messages)) {
        h2o_linklist_unlink(messages->next);
        t->stopping = 1;
    }
    stop_accepting(t);
    http_ws_close_all(t->ws);
    h2o_context_request_shutdown(&t->ctx);
    /* h2o 2.2.5 keeps idle keep-alive connections open until their request
     * timeout; a zero timeout closes them at the next tick, while responses
     * being written (not guarded by this timer) still finish. */
    t->ctx.http1.req_timeout.timeout = 0;
    t->deadline_ns = clock_mono_ns() + (int64_t)srv.app->cfg.shutdown_grace * 1000000000LL;
}

static bool drained(http_thread_t *t)
{
    return h2o_linklist_is_empty(&t->ctx.http1._conns) || clock_mono_ns() >= t->deadline_ns;
}

static void *thread_main(void *arg)
{
    http_thread_t *t = arg;
    err_t e = {0};
    t->loop = h2o_evloop_create();
    h2o_context_init(&t->ctx, t->loop, &srv.conf);
    t->accept.ctx = &t->ctx;
    t->accept.hosts = srv.conf.hosts;
    h2o_multithread_register_receiver(t->ctx.queue, &t->control, on_control);
    t->metrics = metrics_thread();
    t->ws = http_ws_thread_create(t, t->index, srv.hub, &t->ctx);
    t->actx.app = srv.app;
    t->actx.now_ms = clock_now_ms;
    if (db_open(srv.app->db_dsn, &t->actx.db, &e) < 0) {
        log_msg(LOG_ERROR, "thread cannot open the database", "%s", e.cause);
        err_clear(&e);
        __atomic_store_n(&t->failed, 1, __ATOMIC_RELEASE);
        kill(getpid(), SIGTERM);
        return NULL;
    }
    t->listener = h2o_evloop_socket_create(t->loop, t->fd, H2O_SOCKET_FLAG_DONT_READ);
    t->listener->data = t;
    h2o_socket_read_start(t->listener, on_accept);
    __atomic_store_n(&t->started, 1, __ATOMIC_RELEASE);
    log_thread_buffer();
    while (!(t->stopping && drained(t) && http_ws_settled(t->ws))) {
        h2o_evloop_run(t->loop, 50);
        http_ws_flush_sends(t->ws);
        http_ws_tick(t->ws);
        http_ws_write_dirty(t->ws);
        log_flush_due();
    }
    log_thread_release();
    db_close(t->actx.db);
    t->actx.db = NULL;
    /* The h2o context and loop are left to the process exit: 2.2.5's
     * h2o_context_dispose asserts on timers its own connections leave. */
    return NULL;
}

static int start_threads(err_t *e)
{
    srv.threads = calloc((size_t)srv.nthreads, sizeof(*srv.threads));
    if (srv.threads == NULL)
        abort();
    for (int i = 0; i < srv.nthreads; i++) {
        http_thread_t *t = &srv.threads[i];
        t->index = i;
        if ((t->fd = open_listener(e)) < 0)
            return t->fd;
    }
    for (int i = 0; i < srv.nthreads; i++)
        pthread_create(&srv.threads[i].tid, NULL, thread_main, &srv.threads[i]);
    return 0;
}

static void setup_conf(void)
{
    h2o_config_init(&srv.conf);
    srv.conf.server_name = h2o_iovec_init(H2O_STRLIT("wlk"));
    srv.conf.max_request_entity_size = H2O_BODY_LIMIT;
    srv.conf.http1.upgrade_to_http2 = 0;
    h2o_hostconf_t *host =
        h2o_config_register_host(&srv.conf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *h = h2o_create_handler(path, sizeof(*h));
    h->on_req = http_on_req;
}

static int wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigwait(&set, &sig);
    return sig;
}

static void block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void stop_threads(void)
{
    for (int i = 0; i < srv.nthreads; i++) {
        http_thread_t *t = &srv.threads[i];
        /* wait for a thread still starting: it has no receiver yet */
        while (!__atomic_load_n(&t->started, __ATOMIC_ACQUIRE) &&
               !__atomic_load_n(&t->failed, __ATOMIC_ACQUIRE))
            usleep(1000);
        if (__atomic_load_n(&t->started, __ATOMIC_ACQUIRE))
            h2o_multithread_send_message(&t->control, &t->msg.super);
    }
    for (int i = 0; i < srv.nthreads; i++)
        pthread_join(srv.threads[i].tid, NULL);
}

/* The hub calls this for each thread holding connections of user. */
static void deliver(void *arg, int thread, int64_t user, hub_kind_t kind)
{
    (void)arg;
    http_thread_t *t = &srv.threads[thread];
    if (__atomic_load_n(&t->started, __ATOMIC_ACQUIRE))
        http_ws_notify(t->ws, user, kind == HUB_RECHECK);
}

/* This node's connections at once; the other nodes' through the bus. */
static void notify(app_t *app, int64_t user)
{
    hub_publish(app->hub, user);
    bus_publish(srv.bus, user, BUS_EVENTS);
}

static void recheck(app_t *app, int64_t user)
{
    hub_recheck(app->hub, user);
    bus_publish(srv.bus, user, BUS_RECHECK);
}

/* A notice from another node: to this node's connections only. */
static void from_bus(void *arg, int64_t user, bus_kind_t kind)
{
    (void)arg;
    if (kind == BUS_RECHECK)
        hub_recheck(srv.hub, user);
    else
        hub_publish(srv.hub, user);
}

/* Hears the other nodes about a user while this node holds one of the
 * user's connections. */
static void presence(void *arg, int64_t user, bool on)
{
    (void)arg;
    if (on)
        bus_watch(srv.bus, user);
    else
        bus_unwatch(srv.bus, user);
}

static const char *bus_state_of(app_t *app)
{
    (void)app;
    return bus_state(srv.bus);
}

static bool online(app_t *app, int64_t user)
{
    return hub_online(app->hub, user);
}

static bool online_anywhere(app_t *app, int64_t user)
{
    return hub_online(app->hub, user) || bus_held_elsewhere(srv.bus, user);
}

/* For a person starting wlk in a terminal: where to open the web client
 * (a wildcard address is reached on 127.0.0.1). Never in the log. */
static void print_url(const char *listen)
{
    if (!isatty(STDOUT_FILENO))
        return;
    const char *colon = strrchr(listen, ':');
    size_t hl = colon ? (size_t)(colon - listen) : 0;
    bool any = hl == 0 || (hl == 7 && memcmp(listen, "0.0.0.0", 7) == 0) ||
               (hl == 4 && memcmp(listen, "[::]", 4) == 0);
    printf("微聊客 web client: http://%.*s:%s/   staff console: /staff/   (Ctrl-C stops)\n",
           any ? 9 : (int)hl, any ? "127.0.0.1" : listen, colon ? colon + 1 : "8080");
    fflush(stdout);
}

int http_serve(app_t *app, err_t *e)
{
    srv.app = app;
    srv.nthreads = app->cfg.threads;
    if (parse_listen(app->cfg.listen, &srv.addr, &srv.addrlen) != 0)
        return err_internal(e, "--listen: cannot parse '%s' (host:port)", app->cfg.listen);
    block_signals();
    setup_conf();
    if (api_routes_count > METRICS_MAX_ROUTES)
        return err_internal(e, "the route table outgrew the metrics table");
    static const char *paths[METRICS_MAX_ROUTES], *methods[METRICS_MAX_ROUTES];
    for (size_t i = 0; i < api_routes_count; i++) {
        paths[i] = api_routes[i].path;
        methods[i] = api_routes[i].method;
    }
    metrics_routes(paths, methods, api_routes_count);
    srv.router = http_router_create(api_routes, api_routes_count);
    int rc = bus_open(app->cfg.bus, from_bus, NULL, &srv.bus, e);
    if (rc < 0)
        return rc;
    srv.hub = hub_create(srv.nthreads, deliver, presence, NULL);
    app->hub = srv.hub;
    app->notify = notify;
    app->online = online;
    app->online_anywhere = online_anywhere;
    app->recheck = recheck;
    app->bus_state = bus_state_of;
    if ((rc = http_commit_start(app, e)) < 0)
        return rc;
    if ((rc = start_threads(e)) < 0) {
        http_commit_stop();
        return rc;
    }
    log_msg(LOG_INFO, "listening", "%s with %d threads", app->cfg.listen, srv.nthreads);
    print_url(app->cfg.listen);
    int sig = wait_for_signal();
    log_msg(LOG_INFO, "shutting down", "signal %d", sig);
    stop_threads();
    http_commit_stop();
    http_router_destroy(srv.router);
    app->notify = NULL;
    app->online = NULL;
    app->online_anywhere = NULL;
    app->recheck = NULL;
    app->bus_state = NULL;
    bus_close(srv.bus);
    srv.bus = NULL;
    hub_destroy(srv.hub);
    free(srv.threads);
    return 0;
}

const http_router_t *http_server_router(void)
{
    return srv.router;
}

http_thread_t *http_thread_of(h2o_req_t *req)
{
    return (http_thread_t *)req->conn->ctx;
}

app_ctx_t *http_thread_ctx(http_thread_t *t)
{
    return &t->actx;
}

struct metrics *http_thread_metrics(http_thread_t *t)
{
    return t->metrics;
}

void http_thread_request_id(http_thread_t *t, char out[17])
{
    static uint64_t boot;
    if (boot == 0)
        __atomic_store_n(&boot, (uint64_t)clock_now_ms(), __ATOMIC_RELAXED);
    uint64_t v = (__atomic_load_n(&boot, __ATOMIC_RELAXED) << 24) ^ ((uint64_t)t->index << 56) ^
                 ++t->req_seq;
    str_hex16(out, v);
}

ws_thread_t *http_thread_ws(http_thread_t *t)
{
    return t->ws;
}
