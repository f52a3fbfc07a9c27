/* metrics.c - per-thread counters and their Prometheus rendering. */
#include "metrics/metrics.h"
#include "core/str.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 256
#define MAX_ROUTES  METRICS_MAX_ROUTES
#define WEB_SLOT    (MAX_ROUTES + 1) /* the web client's files and pages */

static const int statuses[] = {200, 201, 202, 204, 206, 304, 400, 401, 403, 404, 405,
                               409, 410, 413, 415, 416, 422, 426, 429, 500, 503, 0};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0])) /* last: any other */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS (sizeof(bounds) / sizeof(bounds[0]))

struct metrics {
    uint64_t count[MAX_ROUTES + 2][NSTATUS]; /* routes, unmatched, web */
    uint64_t bucket[NBUCKETS + 1];
    uint64_t sum_ns, total;
};

static metrics_t *threads[MAX_THREADS];
static const char *const *route_paths, *const *route_methods;
static size_t nroutes;

void metrics_routes(const char *const *paths, const char *const *methods, size_t n)
{
    route_paths = paths;
    route_methods = methods;
    nroutes = n < MAX_ROUTES ? n : MAX_ROUTES;
}
static int nthreads;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

metrics_t *metrics_thread(void)
{
    metrics_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        abort();
    pthread_mutex_lock(&mu);
    if (nthreads < MAX_THREADS)
        threads[nthreads++] = m;
    pthread_mutex_unlock(&mu);
    return m;
}

/* The owner thread is the only writer: a relaxed store of value + 1 is
 * enough and readers see a consistent (if slightly old) value. */
static void bump(uint64_t *p, uint64_t by)
{
    __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + by, __ATOMIC_RELAXED);
}

static uint64_t get(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void metrics_observe(metrics_t *m, int route, int status, int64_t ns)
{
    size_t s = 0;
    while (statuses[s] != 0 && statuses[s] != status)
        s++;
    size_t r = route == METRICS_WEB               ? WEB_SLOT
               : route < 0 || route >= MAX_ROUTES ? MAX_ROUTES
                                                  : (size_t)route;
    bump(&m->count[r][s], 1);
    size_t b = 0;
    double sec = (double)ns / 1e9;
    while (b < NBUCKETS && sec > bounds[b])
        b++;
    bump(&m->bucket[b], 1);
    bump(&m->sum_ns, (uint64_t)(ns > 0 ? ns : 0));
    bump(&m->total, 1);
}

static uint64_t sum(size_t off_words)
{
    uint64_t n = 0;
    pthread_mutex_lock(&mu);
    for (int t = 0; t < nthreads; t++)
        n += get((const uint64_t *)threads[t] + off_words);
    pthread_mutex_unlock(&mu);
    return n;
}

#define WORD(field) (offsetof(metrics_t, field) / sizeof(uint64_t))

static void render_counts(str_t *s)
{
    str_puts(s, "# HELP wlk_http_requests_total HTTP requests by route, method and status.\n"
                "# TYPE wlk_http_requests_total counter\n");
    for (size_t r = 0; r <= WEB_SLOT; r++) {
        if (r < MAX_ROUTES && r >= nroutes)
            continue;
        const char *path = r < MAX_ROUTES ? route_paths[r] : r == WEB_SLOT ? "web" : "unmatched";
        const char *method = r < MAX_ROUTES ? route_methods[r] : "any";
        for (size_t st = 0; st < NSTATUS; st++) {
            uint64_t n = sum(WORD(count[r][st]));
            if (n == 0)
                continue;
            char code[8];
            snprintf(code, sizeof(code), "%d", statuses[st]);
            str_printf(s,
                       "wlk_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %llu\n",
                       path, method, statuses[st] ? code : "other", (unsigned long long)n);
        }
    }
}

static void render_histogram(str_t *s)
{
    str_puts(s, "# HELP wlk_http_request_duration_seconds Time to handle a request.\n"
                "# TYPE wlk_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b <= NBUCKETS; b++) {
        cum += sum(WORD(bucket[b]));
        if (b < NBUCKETS)
            str_printf(s, "wlk_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[b],
                       (unsigned long long)cum);
        else
            str_printf(s, "wlk_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cum);
    }
    str_printf(s, "wlk_http_request_duration_seconds_sum %.6f\n", (double)sum(WORD(sum_ns)) / 1e9);
    str_printf(s, "wlk_http_request_duration_seconds_count %llu\n",
               (unsigned long long)sum(WORD(total)));
}

static int64_t counters[METRIC_COUNTERS];
static const char *const counter_names[METRIC_COUNTERS][2] = {
    [METRIC_BUS_PUBLISHES] = {"wlk_bus_publishes_total", "Notices handed to the bus."},
    [METRIC_BUS_DROPS] = {"wlk_bus_drops_total", "Notices the bus could not take."},
    [METRIC_MINOR_REFUSALS] = {"wlk_identity_minor_refusals_total",
                               "Identity checks refused because the applicant is under 18."},
    [METRIC_BUS_RECEIVED] = {"wlk_bus_received_total", "Notices received from other nodes."},
    [METRIC_BUS_RECONNECTS] = {"wlk_bus_reconnects_total", "Reconnections to the bus."},
};

void metrics_count(metrics_counter_t c, int64_t n)
{
    __atomic_add_fetch(&counters[c], n, __ATOMIC_RELAXED);
}

static void render_counters(str_t *s)
{
    for (int c = 0; c < METRIC_COUNTERS; c++)
        str_printf(s, "# HELP %s %s\n# TYPE %s counter\n%s %lld\n", counter_names[c][0],
                   counter_names[c][1], counter_names[c][0], counter_names[c][0],
                   (long long)__atomic_load_n(&counters[c], __ATOMIC_RELAXED));
}

char *metrics_render(size_t *len)
{
    str_t s = {0};
    render_counts(&s);
    render_histogram(&s);
    render_counters(&s);
    *len = s.len;
    return str_take(&s);
}
