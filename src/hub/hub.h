/* hub.h - who is connected where: for each user, how many live real-time
 * connections each loop thread holds. Publishing "user U has new events"
 * calls the delivery callback once for every thread holding one of U's
 * connections; that thread then reads U's stream from its own cursor, so
 * a duplicate or late notice can never cause a gap or a duplicate event.
 * Thread-safe. Between nodes the bus (bus/) carries the same notices. */
#ifndef WLK_HUB_H
#define WLK_HUB_H

#include <stdbool.h>
#include <stdint.h>

typedef struct hub hub_t;
/* What a delivery says: new events in the user's stream, or that the
 * user's sessions or policy state changed (sign-out, withdrawal,
 * cancellation): each live connection checks it may still be open. */
typedef enum { HUB_EVENTS, HUB_RECHECK } hub_kind_t;
/* Called outside the hub's lock; may run on any thread. */
typedef void (*hub_deliver_cb)(void *arg, int thread, int64_t user, hub_kind_t kind);

/* The process holds its first connection of user (on true) or its last
 * one left (false); called under the hub's lock, so calls for one user
 * come in the order of the joins and leaves. */
typedef void (*hub_presence_cb)(void *arg, int64_t user, bool on);

/* Returns new (hub_destroy). presence may be NULL. */
hub_t *hub_create(int nthreads, hub_deliver_cb cb, hub_presence_cb presence, void *arg);
void hub_destroy(hub_t *h);
/* true when this is the user's first connection in the process / when the
 * last one left. */
bool hub_join(hub_t *h, int thread, int64_t user);
bool hub_leave(hub_t *h, int thread, int64_t user);
bool hub_online(hub_t *h, int64_t user);
/* How many connections the hub counts in all (metrics, tests). */
int64_t hub_connections(hub_t *h);
void hub_publish(hub_t *h, int64_t user);
void hub_recheck(hub_t *h, int64_t user);

#endif
