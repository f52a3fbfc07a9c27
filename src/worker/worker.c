/* worker.c - the job table's thread: due jobs in table order, leases for
 * the exclusive ones, a pass on each kick or every WORKER_POLL_MS. */
#include "worker/worker.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_JOBS 16

struct worker {
    app_ctx_t ctx;
    worker_job_t jobs[MAX_JOBS];
    int64_t next[MAX_JOBS];
    int64_t leased_until[MAX_JOBS]; /* our lease of each job, as last written */
    size_t n;
    char holder[128]; /* this process, in job_leases: "host pid N ns M #id" */
    char host[64];    /* gethostname, once */
    unsigned long ns; /* our pid namespace, once */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int kicked, stopping;
};

bool worker_lease(app_ctx_t *c, const char *name, const char *holder, int64_t ms, err_t *e)
{
    int64_t now = c->now_ms();
    int64_t n = db_exec(c->db,
                        "INSERT INTO job_leases (name, holder, until_ms) VALUES ($1, $2, $3) "
                        "ON CONFLICT (name) DO UPDATE SET holder = $2, until_ms = $3 "
                        "WHERE job_leases.until_ms < $4 OR job_leases.holder = $2",
                        DB_ARGS(DB_TEXT(name), DB_TEXT(holder), DB_I64(now + ms), DB_I64(now)), e);
    return n == 1;
}

/* A lease outlives the job's period, so a node that dies frees it soon. */
static int64_t hold_of(const worker_job_t *j)
{
    return (j->period_ms > 0 ? j->period_ms : WORKER_POLL_MS) * 3;
}

/* The holder and expiry of lease name: 1 when a row exists. */
static int lease_row(app_ctx_t *c, const char *name, char *holder, size_t cap, int64_t *until,
                     err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st, "SELECT holder, until_ms FROM job_leases WHERE name = $1",
                      DB_ARGS(DB_TEXT(name)), e);
    if (rc < 0 || (rc = db_step(st, e)) != DB_ROW)
        return rc < 0 ? rc : 0;
    size_t len;
    const char *h = db_bytes(st, 0, &len);
    snprintf(holder, cap, "%.*s", (int)len, h);
    *until = db_i64(st, 1);
    db_done(st);
    return 1;
}

/* This machine's pid namespace, so a holder's pid is only read where it
 * means the same process. */
static unsigned long pid_ns(void)
{
    char link[64] = "";
    unsigned long ns = 0;
    if (readlink("/proc/self/ns/pid", link, sizeof(link) - 1) > 0)
        (void)sscanf(link, "pid:[%lu]", &ns);
    return ns;
}

/* True when holder names a process of our host and pid namespace that no
 * longer exists: its lease can be taken at once, not waited out. */
static bool holder_gone(const worker_t *w, const char *holder)
{
    char host[64] = "";
    long pid = 0;
    unsigned long ns = 0;
    if (sscanf(holder, "%63s pid %ld ns %lu", host, &pid, &ns) != 3 || pid <= 0)
        return false;
    if (ns == 0 || ns != w->ns || strcmp(host, w->host) != 0)
        return false;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Takes a lease from a holder known to be gone, if it still holds it. */
static bool take_over(app_ctx_t *c, const char *name, const char *from, const char *holder,
                      int64_t ms, err_t *e)
{
    int64_t n = db_exec(
        c->db,
        "UPDATE job_leases SET holder = $1, until_ms = $2 "
        "WHERE name = $3 AND holder = $4",
        DB_ARGS(DB_TEXT(holder), DB_I64(c->now_ms() + ms), DB_TEXT(name), DB_TEXT(from)), e);
    return n == 1;
}

/* Lease name for hold ms, from a free slot or from a holder that has
 * exited: 1 taken, 0 held by another (other and until say by whom and to
 * when, when known), -1 error. */
static int acquire(worker_t *w, const char *name, int64_t hold, char *other, size_t cap,
                   int64_t *until, err_t *e)
{
    for (;;) {
        if (worker_lease(&w->ctx, name, w->holder, hold, e))
            return 1;
        if (e->code)
            return -1;
        *other = 0;
        int rc = lease_row(&w->ctx, name, other, cap, until, e);
        if (rc <= 0 || !holder_gone(w, other))
            return rc < 0 ? -1 : 0;
        if (take_over(&w->ctx, name, other, w->holder, hold, e)) {
            log_msg(LOG_INFO, "lease taken over", "%s: its holder (%s) has exited", name, other);
            return 1;
        }
        if (e->code)
            return -1;
        /* another process took it first: look again */
    }
}

/* Takes owned lease i at start. A holder that renews it while we watch is
 * alive: refused. One that lets it expire, or that acquire() finds has
 * exited, has died: we take it over. */
static int claim(worker_t *w, size_t i, err_t *e)
{
    const worker_job_t *j = &w->jobs[i];
    int64_t hold = hold_of(j), first = -1;
    for (;;) {
        char other[128];
        int64_t until = 0;
        int rc = acquire(w, j->name, hold, other, sizeof(other), &until, e);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            w->leased_until[i] = w->ctx.now_ms() + hold;
            return 0;
        }
        if (other[0] && first >= 0 && until != first)
            return err_internal(e,
                                "%s is held by another live process (%s): give each node "
                                "its own --node-id",
                                j->name, other);
        if (other[0] && first < 0) {
            first = until;
            log_msg(LOG_WARN, "lease held", "%s is held by %s; waiting to see whether it is alive",
                    j->name, other);
        }
        usleep(100 * 1000);
    }
}

static void run_job(worker_t *w, size_t i)
{
    const worker_job_t *j = &w->jobs[i];
    err_t e = {0};
    int64_t hold = hold_of(j);
    int64_t now = w->ctx.now_ms();
    /* renewed when a third of it is left: one write per two periods */
    if (j->lease && now > w->leased_until[i] - hold / 3) {
        char other[128];
        int64_t until = 0;
        int rc = acquire(w, j->name, hold, other, sizeof(other), &until, &e);
        if (rc != 1) {
            if (rc < 0)
                log_msg(LOG_WARN, "job lease failed", "%s: %s", j->name, e.cause);
            err_clear(&e);
            if (j->owned && w->leased_until[i] > 0 && rc == 0) {
                /* another process took our identity while we could not renew */
                log_msg(LOG_ERROR, "lease lost", "%s: another process holds it; stopping", j->name);
                kill(getpid(), SIGTERM);
            }
            w->leased_until[i] = 0;
            return; /* another process runs it now */
        }
        w->leased_until[i] = now + hold;
    }
    if (j->run(j->arg, &w->ctx, &e) < 0)
        log_msg(LOG_WARN, "job failed", "%s: %s", j->name, e.cause[0] ? e.cause : e.message);
    err_clear(&e);
}

static void pass(worker_t *w)
{
    for (size_t i = 0; i < w->n; i++) {
        int64_t now = w->ctx.now_ms();
        if (now < w->next[i])
            continue;
        run_job(w, i);
        w->next[i] = w->ctx.now_ms() + w->jobs[i].period_ms;
    }
}

static void *thread_main(void *arg)
{
    worker_t *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        w->kicked = 0;
        pthread_mutex_unlock(&w->mu);
        pass(w);
        pthread_mutex_lock(&w->mu);
        if (!w->kicked && !w->stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += WORKER_POLL_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        }
    }
    pthread_mutex_unlock(&w->mu);
    for (size_t i = 0; i < w->n; i++)
        if (w->jobs[i].at_stop)
            run_job(w, i);
    return NULL;
}

int worker_start(app_t *app, const worker_job_t *jobs, size_t n, worker_t **out, err_t *e)
{
    if (n > MAX_JOBS)
        return err_internal(e, "too many jobs");
    worker_t *w = calloc(1, sizeof(*w));
    if (w == NULL)
        abort();
    w->ctx.app = app;
    w->ctx.now_ms = clock_now_ms;
    memcpy(w->jobs, jobs, n * sizeof(*jobs));
    w->n = n;
    (void)gethostname(w->host, sizeof(w->host) - 1);
    w->ns = pid_ns();
    snprintf(w->holder, sizeof(w->holder), "%s pid %ld ns %lu #%lld", w->host, (long)getpid(),
             w->ns, (long long)ids_next());
    int rc = db_open(app->db_dsn, &w->ctx.db, e);
    for (size_t i = 0; rc >= 0 && i < n; i++)
        if (jobs[i].owned)
            rc = claim(w, i, e);
    if (rc < 0) {
        db_close(w->ctx.db);
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_create(&w->thread, NULL, thread_main, w);
    *out = w;
    return 0;
}

void worker_kick(worker_t *w)
{
    pthread_mutex_lock(&w->mu);
    w->kicked = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void worker_stop(worker_t *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    err_t e = {0}; /* our leases go with us: a restarted node need not wait them out */
    (void)db_exec(w->ctx.db, "DELETE FROM job_leases WHERE holder = $1",
                  DB_ARGS(DB_TEXT(w->holder)), &e);
    err_clear(&e);
    db_close(w->ctx.db);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
