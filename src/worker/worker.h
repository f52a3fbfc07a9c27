/* worker.h - the one home of periodic work: a table of jobs (name, period,
 * function) run by one thread with its own database connection. A job
 * marked `lease` runs on one process at a time: before each run the
 * worker takes (or renews) the job's row in job_leases, so several
 * `wlk serve` nodes on one database never run it twice at once. The table
 * is filled where the program is wired (main.c); the jobs' modules know
 * nothing of threads or timers. */
#ifndef WLK_WORKER_H
#define WLK_WORKER_H

#include "app/app.h"
#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct worker_job {
    const char *name;
    int64_t period_ms; /* 0: every pass (each kick, at least every WORKER_POLL_MS) */
    bool lease;        /* one process at a time */
    bool at_stop;      /* run once more when the worker stops (deliver what is due) */
    /* returns < 0 with e set on failure (logged; the job runs again next period) */
    int (*run)(void *arg, app_ctx_t *c, err_t *e);
    void *arg;
    /* with lease: the lease is this process's identity (its --node-id).
     * worker_start takes it or fails, waiting out a holder that stopped
     * renewing (a node that died) unless that holder ran on this host and
     * pid namespace and has exited (taken at once; so is any lease of such
     * a holder); losing it later stops the process. */
    bool owned;
} worker_job_t;

#define WORKER_POLL_MS 250

typedef struct worker worker_t;

/* Takes the owned leases, then starts the thread; every job runs once at
 * start. jobs: borrowed, n at most 16. Returns new (worker_stop). Fails
 * with a clear message when another live process holds an owned lease. */
int worker_start(app_t *app, const worker_job_t *jobs, size_t n, worker_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* A pass now (work was queued). Thread-safe. */
void worker_kick(worker_t *w);
/* Runs the at_stop jobs, stops the thread and frees it. NULL-safe. */
void worker_stop(worker_t *w);

/* Takes or renews the lease of job name for holder until now + ms: true
 * when it is ours (free, expired, or ours already). In its own statement. */
bool worker_lease(app_ctx_t *c, const char *name, const char *holder, int64_t ms, err_t *e);

#endif
