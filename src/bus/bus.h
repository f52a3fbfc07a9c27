/* bus.h - carries the hub's two notices, "new events for user U" and
 * "recheck U's sessions", between the nodes of a cluster, so a socket on
 * one node hears what another node stored. Two drivers: local (no URL:
 * nothing leaves the process) and NATS (nats://host:port, several URLs
 * comma-separated for a NATS cluster). A node subscribes only to the users
 * it holds connections of (one subject per user), so its fan-out grows
 * with the connections it holds, not with the cluster. Publishing never
 * blocks: NATS buffers (through a reconnect too), and what cannot be
 * buffered is counted as dropped; a client that missed a notice still
 * reads its stream from its own cursor on its next notice or sync. */
#ifndef WLK_BUS_H
#define WLK_BUS_H

#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { BUS_EVENTS = 'E', BUS_RECHECK = 'R', BUS_HELD = 'H' } bus_kind_t;
typedef struct bus bus_t;
/* A notice from another node; called on a thread of the bus. */
typedef void (*bus_receive_cb)(void *arg, int64_t user, bus_kind_t kind);

/* urls "" opens the local bus. A NATS server that is down at start is
 * retried in the background (the node serves meanwhile). */
int bus_open(const char *urls, bus_receive_cb cb, void *arg, bus_t **out, err_t *e)
    __attribute__((warn_unused_result));
void bus_close(bus_t *b);
/* Tells the other nodes (not this one). */
void bus_publish(bus_t *b, int64_t user, bus_kind_t kind);
/* This node holds its first connection of user / no longer holds one. */
void bus_watch(bus_t *b, int64_t user);
void bus_unwatch(bus_t *b, int64_t user);
/* Whether another node holds a connection of user now: asks the nodes
 * that watch the user (the bus answers "no one" at once when none does).
 * Blocks up to BUS_ASK_MS, so never on an event loop; false on the local
 * bus or when the bus cannot be asked. */
#define BUS_ASK_MS 250
bool bus_held_elsewhere(bus_t *b, int64_t user);
/* "local", "connected", "reconnecting" or "closed". */
const char *bus_state(const bus_t *b);

#endif
