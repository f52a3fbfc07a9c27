/* metrics.h - request counters by route, method and status, and a latency
 * histogram. Each loop thread writes its own slots (no locked
 * instructions); /metrics sums them. Plain C: no h2o here. */
#ifndef WLK_METRICS_H
#define WLK_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_METRICS_MAX_ROUTES 96
#define HTTP_METRICS_WEB        (-2) /* the route of the web client's files */

typedef struct http_metrics http_metrics_t;

/* Creates the calling thread's counters (once per loop thread). Lives
 * until exit. */
http_metrics_t *http_metrics_thread(void);
/* route: index in api_routes, -1 for requests no route matched,
 * HTTP_METRICS_WEB for the web client. */
void http_metrics_observe(http_metrics_t *m, int route, int status, int64_t duration_ns);
/* Prometheus text exposition. Returns new (free()). */
char *http_metrics_render(size_t *len);

#endif
