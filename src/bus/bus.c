/* bus.c - the local and the NATS drivers of the bus. One subject per user
 * ("wlk.u.<id>"), one byte of payload (the kind); the connection has
 * no-echo set, so a node never hears its own notices (its hub delivered
 * them already). Messages of every subscription are delivered on libnats'
 * shared delivery threads, not a thread per subscription. */
#include "bus/bus.h"
#include "core/log.h"
#include "metrics/metrics.h"

#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS      4096
#define RECONNECT_MS 250
#define BUFFER_BYTES (8 << 20) /* publishes kept while reconnecting */

typedef struct watch {
    int64_t user;
    natsSubscription *sub;
    struct watch *next;
} watch_t;

struct bus {
    natsConnection *nc; /* NULL: the local bus */
    bus_receive_cb cb;
    void *arg;
    pthread_mutex_t mu;
    watch_t *buckets[BUCKETS];
};

static void subject_of(int64_t user, char out[32])
{
    snprintf(out, 32, "wlk.u.%lld", (long long)user);
}

static void on_message(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    bus_t *b = closure;
    const char *subject = natsMsg_GetSubject(msg), *data = natsMsg_GetData(msg);
    long long user = 0;
    const char *reply = natsMsg_GetReply(msg);
    if (natsMsg_GetDataLength(msg) == 1 && data[0] == BUS_HELD && reply) {
        /* we watch the user because we hold one of their connections */
        (void)natsConnection_Publish(nc, reply, "1", 1);
    } else if (natsMsg_GetDataLength(msg) == 1 &&
               (data[0] == BUS_EVENTS || data[0] == BUS_RECHECK) &&
               sscanf(subject, "wlk.u.%lld", &user) == 1 && user > 0) {
        metrics_count(METRIC_BUS_RECEIVED, 1);
        b->cb(b->arg, (int64_t)user, (bus_kind_t)data[0]);
    }
    natsMsg_Destroy(msg);
}

static void on_disconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    (void)closure;
    log_msg(LOG_WARN, "bus disconnected", "reconnecting every %d ms", RECONNECT_MS);
}

/* Notices sent while this node was cut off never reached it: each of its
 * users re-reads its stream from its cursors and rechecks its sessions,
 * so what was stored meanwhile arrives at once and a sign-out elsewhere
 * still closes the sockets. The ids are copied first: the callback takes
 * the hub's lock, which is held around bus_watch (lock order hub, bus). */
static void replay_all(bus_t *b)
{
    pthread_mutex_lock(&b->mu);
    size_t n = 0, cap = 64;
    int64_t *users = malloc(cap * sizeof(*users));
    for (int i = 0; users && i < BUCKETS; i++)
        for (watch_t *w = b->buckets[i]; w; w = w->next) {
            if (n == cap && (users = realloc(users, (cap *= 2) * sizeof(*users))) == NULL)
                break;
            users[n++] = w->user;
        }
    pthread_mutex_unlock(&b->mu);
    if (users == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        b->cb(b->arg, users[i], BUS_RECHECK);
        b->cb(b->arg, users[i], BUS_EVENTS);
    }
    free(users);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    metrics_count(METRIC_BUS_RECONNECTS, 1);
    log_msg(LOG_INFO, "bus reconnected", "subscriptions and buffered notices resent");
    replay_all(closure);
}

static void on_connected(natsConnection *nc, void *closure)
{
    (void)nc;
    log_msg(LOG_INFO, "bus connected", "after retrying at start");
    replay_all(closure);
}

static int nats_fail(err_t *e, const char *what, natsStatus s)
{
    return err_internal(e, "bus: %s: %s", what, natsStatus_GetText(s));
}

int bus_open(const char *urls, bus_receive_cb cb, void *arg, bus_t **out, err_t *e)
{
    bus_t *b = calloc(1, sizeof(*b));
    if (b == NULL)
        abort();
    pthread_mutex_init(&b->mu, NULL);
    b->cb = cb;
    b->arg = arg;
    *out = b;
    if (urls == NULL || urls[0] == '\0')
        return 0;
    if (strncmp(urls, "nats://", 7) != 0) {
        bus_close(b);
        *out = NULL;
        return err_set(e, ERR_VALIDATION_FAILED, "bus", "--bus must be nats://host:port");
    }
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = natsOptions_SetURL(o, urls);
    if (s == NATS_OK)
        s = natsOptions_SetNoEcho(o, true);
    if (s == NATS_OK)
        s = natsOptions_UseGlobalMessageDelivery(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(o, RECONNECT_MS);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectBufSize(o, BUFFER_BYTES);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(o, on_disconnected, b);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(o, on_reconnected, b);
    if (s == NATS_OK)
        s = natsOptions_SetRetryOnFailedConnect(o, true, on_connected, b);
    if (s != NATS_OK) {
        natsOptions_Destroy(o);
        bus_close(b);
        *out = NULL;
        return nats_fail(e, "options", s);
    }
    s = natsConnection_Connect(&b->nc, o);
    if (s == NATS_NOT_YET_CONNECTED) /* retrying in the background: the node serves meanwhile */
        log_msg(LOG_WARN, "bus not reachable yet", "retrying every %d ms", RECONNECT_MS);
    else if (s != NATS_OK) {
        natsOptions_Destroy(o);
        bus_close(b);
        *out = NULL;
        return nats_fail(e, "connect", s);
    }
    natsOptions_Destroy(o);
    return 0;
}

void bus_close(bus_t *b)
{
    if (b == NULL)
        return;
    for (int i = 0; i < BUCKETS; i++)
        for (watch_t *w = b->buckets[i], *n; w; w = n) {
            n = w->next;
            natsSubscription_Destroy(w->sub);
            free(w);
        }
    if (b->nc) {
        natsConnection_Close(b->nc);
        natsConnection_Destroy(b->nc);
        nats_CloseAndWait(2000); /* libnats' own threads and memory */
    }
    pthread_mutex_destroy(&b->mu);
    free(b);
}

void bus_publish(bus_t *b, int64_t user, bus_kind_t kind)
{
    if (b == NULL || b->nc == NULL)
        return;
    char subject[32], data = (char)kind;
    subject_of(user, subject);
    if (natsConnection_Publish(b->nc, subject, &data, 1) == NATS_OK)
        metrics_count(METRIC_BUS_PUBLISHES, 1);
    else
        metrics_count(METRIC_BUS_DROPS, 1);
}

static watch_t **slot(bus_t *b, int64_t user)
{
    watch_t **p = &b->buckets[(uint64_t)user % BUCKETS];
    while (*p && (*p)->user != user)
        p = &(*p)->next;
    return p;
}

void bus_watch(bus_t *b, int64_t user)
{
    if (b == NULL || b->nc == NULL)
        return;
    char subject[32];
    subject_of(user, subject);
    pthread_mutex_lock(&b->mu);
    watch_t **p = slot(b, user);
    if (*p == NULL) {
        watch_t *w = calloc(1, sizeof(*w));
        if (w == NULL)
            abort();
        natsStatus s = natsConnection_Subscribe(&w->sub, b->nc, subject, on_message, b);
        if (s == NATS_OK) {
            w->user = user;
            *p = w;
        } else {
            free(w);
            log_msg(LOG_WARN, "bus subscribe failed", "%s", natsStatus_GetText(s));
        }
    }
    pthread_mutex_unlock(&b->mu);
}

void bus_unwatch(bus_t *b, int64_t user)
{
    if (b == NULL || b->nc == NULL)
        return;
    pthread_mutex_lock(&b->mu);
    watch_t **p = slot(b, user), *w = *p;
    if (w) {
        *p = w->next;
        natsSubscription_Unsubscribe(w->sub);
        natsSubscription_Destroy(w->sub);
        free(w);
    }
    pthread_mutex_unlock(&b->mu);
}

bool bus_held_elsewhere(bus_t *b, int64_t user)
{
    if (b == NULL || b->nc == NULL)
        return false;
    char subject[32], data = BUS_HELD;
    subject_of(user, subject);
    natsMsg *reply = NULL;
    natsStatus s = natsConnection_Request(&reply, b->nc, subject, &data, 1, BUS_ASK_MS);
    natsMsg_Destroy(reply);
    return s == NATS_OK;
}

const char *bus_state(const bus_t *b)
{
    if (b == NULL || b->nc == NULL)
        return "local";
    switch (natsConnection_Status(b->nc)) {
    case NATS_CONN_STATUS_CONNECTED:
        return "connected";
    case NATS_CONN_STATUS_CLOSED:
        return "closed";
    default:
        return "reconnecting";
    }
}
