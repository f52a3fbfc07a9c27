/* hub.c - a mutex-guarded hash of users to per-thread connection counts. */
#include "hub/hub.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS     4096
#define MAX_THREADS 256

typedef struct entry {
    int64_t user;
    int total;
    struct entry *next;
    uint16_t per_thread[]; /* nthreads counters */
} entry_t;

struct hub {
    pthread_mutex_t mu;
    int nthreads;
    int64_t connections;
    hub_deliver_cb cb;
    hub_presence_cb presence;
    void *arg;
    entry_t *buckets[BUCKETS];
};

hub_t *hub_create(int nthreads, hub_deliver_cb cb, hub_presence_cb presence, void *arg)
{
    hub_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        abort();
    pthread_mutex_init(&h->mu, NULL);
    h->nthreads = nthreads < MAX_THREADS ? nthreads : MAX_THREADS;
    h->cb = cb;
    h->presence = presence;
    h->arg = arg;
    return h;
}

void hub_destroy(hub_t *h)
{
    if (h == NULL)
        return;
    for (int i = 0; i < BUCKETS; i++)
        for (entry_t *e = h->buckets[i], *n; e; e = n) {
            n = e->next;
            free(e);
        }
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static entry_t **slot(hub_t *h, int64_t user)
{
    entry_t **p = &h->buckets[(uint64_t)user % BUCKETS];
    while (*p && (*p)->user != user)
        p = &(*p)->next;
    return p;
}

bool hub_join(hub_t *h, int thread, int64_t user)
{
    pthread_mutex_lock(&h->mu);
    entry_t **p = slot(h, user);
    bool first = *p == NULL;
    if (first) {
        *p = calloc(1, sizeof(entry_t) + sizeof(uint16_t) * (size_t)h->nthreads);
        if (*p == NULL)
            abort();
        (*p)->user = user;
    }
    (*p)->per_thread[thread]++;
    (*p)->total++;
    h->connections++;
    if (first && h->presence)
        h->presence(h->arg, user, true);
    pthread_mutex_unlock(&h->mu);
    return first;
}

bool hub_leave(hub_t *h, int thread, int64_t user)
{
    bool last = false;
    pthread_mutex_lock(&h->mu);
    entry_t **p = slot(h, user), *e = *p;
    if (e && e->per_thread[thread] > 0) {
        e->per_thread[thread]--;
        h->connections--;
        if (--e->total == 0) {
            *p = e->next;
            free(e);
            last = true;
            if (h->presence)
                h->presence(h->arg, user, false);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return last;
}

bool hub_online(hub_t *h, int64_t user)
{
    pthread_mutex_lock(&h->mu);
    bool on = *slot(h, user) != NULL;
    pthread_mutex_unlock(&h->mu);
    return on;
}

int64_t hub_connections(hub_t *h)
{
    pthread_mutex_lock(&h->mu);
    int64_t n = h->connections;
    pthread_mutex_unlock(&h->mu);
    return n;
}

static void deliver(hub_t *h, int64_t user, hub_kind_t kind)
{
    int threads[MAX_THREADS], n = 0;
    pthread_mutex_lock(&h->mu);
    entry_t *e = *slot(h, user);
    for (int t = 0; e && t < h->nthreads; t++)
        if (e->per_thread[t] > 0)
            threads[n++] = t;
    pthread_mutex_unlock(&h->mu);
    for (int i = 0; i < n; i++)
        h->cb(h->arg, threads[i], user, kind);
}

void hub_publish(hub_t *h, int64_t user)
{
    deliver(h, user, HUB_EVENTS);
}

void hub_recheck(hub_t *h, int64_t user)
{
    deliver(h, user, HUB_RECHECK);
}
