/* metrics.h - request counters by route, method and status, and a latency
 * histogram. Each loop thread writes its own slots (no locked
 * instructions); /metrics sums them. A module of its own that every layer
 * counts into: it knows the routes only as the labels it is given. */
#ifndef WLK_METRICS_H
#define WLK_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_ROUTES 160
#define METRICS_WEB        (-2) /* the route of the web client's files */

typedef struct metrics metrics_t;

/* The labels of route i (its path and method), set once before serving:
 * both arrays borrowed, n at most METRICS_MAX_ROUTES. */
void metrics_routes(const char *const *paths, const char *const *methods, size_t n);
/* Creates the calling thread's counters (once per loop thread). Lives
 * until exit. */
metrics_t *metrics_thread(void);
/* route: index in api_routes, -1 for requests no route matched,
 * METRICS_WEB for the web client. */
void metrics_observe(metrics_t *m, int route, int status, int64_t duration_ns);
/* Process-wide counters, counted from any thread. */
typedef enum {
    METRIC_BUS_PUBLISHES, /* notices handed to the bus */
    METRIC_BUS_DROPS,     /* notices the bus could not take */
    METRIC_BUS_RECEIVED,  /* notices from other nodes */
    METRIC_BUS_RECONNECTS,
    METRIC_MINOR_REFUSALS, /* identity checks refused for age (八): counted, nothing kept */
    METRIC_COUNTERS
} metrics_counter_t;
void metrics_count(metrics_counter_t c, int64_t n);
/* Prometheus text exposition. Returns new (free()). */
char *metrics_render(size_t *len);

#endif
