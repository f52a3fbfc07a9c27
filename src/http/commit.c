/* commit.c - the committer: one thread with its own database connection
 * that stores the WebSocket sends of every loop thread in group commits.
 *
 * Why a thread of its own: with each loop thread committing on its own
 * connection, every commit by one invalidated the other's page cache (a
 * WAL writer changes the snapshot), so each commit began by reading back
 * its pages, and a loop blocked on the writer lock stopped serving its
 * other connections meanwhile. One writer keeps its cache warm, merges the
 * batches of all loops into one transaction and never blocks a loop. */
#include "api/ws.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "http/server_int.h"

#include <pthread.h>
#include <stdlib.h>

#define SLOW_NS 10000000 /* group commits slower than this are logged (debug) */

static struct {
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    http_commit_job_t *head, **tail;
    bool stopping, running;
    app_ctx_t ctx;
} C = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Every job of the turn in one transaction; each job goes back to its
 * loop, which builds the replies (JSON made and freed on one thread). */
static void run(http_commit_job_t *jobs)
{
    int n = 0;
    for (http_commit_job_t *j = jobs; j; j = j->next)
        n += j->n;
    api_ws_pending_t **p = malloc(sizeof(*p) * (size_t)n);
    if (p == NULL)
        abort();
    int o = 0;
    for (http_commit_job_t *j = jobs; j; j = j->next)
        for (int i = 0; i < j->n; i++)
            p[o++] = &j->p[i];
    int64_t t0 = clock_mono_ns();
    api_ws_store(&C.ctx, p, n);
    int64_t took = clock_mono_ns() - t0;
    if (took > SLOW_NS)
        log_msg(LOG_DEBUG, "slow group commit", "%d sends in %.1f ms", n, (double)took / 1e6);
    free(p);
    for (http_commit_job_t *j = jobs, *next; j; j = next) {
        next = j->next; /* the job belongs to its loop once sent */
        h2o_multithread_send_message(j->reply_to, &j->super);
    }
}

static void *committer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&C.mu);
    for (;;) {
        while (C.head == NULL && !C.stopping)
            pthread_cond_wait(&C.cv, &C.mu);
        if (C.head == NULL)
            break;
        http_commit_job_t *jobs = C.head;
        C.head = NULL;
        C.tail = &C.head;
        pthread_mutex_unlock(&C.mu);
        run(jobs);
        pthread_mutex_lock(&C.mu);
    }
    pthread_mutex_unlock(&C.mu);
    return NULL;
}

int http_commit_start(app_t *app, err_t *e)
{
    C.ctx.app = app;
    C.ctx.now_ms = clock_now_ms;
    int rc = db_open(app->db_dsn, &C.ctx.db, e);
    if (rc < 0)
        return rc;
    C.head = NULL;
    C.tail = &C.head;
    C.stopping = false;
    if (pthread_create(&C.tid, NULL, committer, NULL) != 0) {
        db_close(C.ctx.db);
        C.ctx.db = NULL;
        return err_internal(e, "cannot start the committer thread");
    }
    C.running = true;
    return 0;
}

void http_commit_submit(http_commit_job_t *job)
{
    job->next = NULL;
    pthread_mutex_lock(&C.mu);
    *C.tail = job;
    C.tail = &job->next;
    pthread_cond_signal(&C.cv);
    pthread_mutex_unlock(&C.mu);
}

/* After the loops stopped (they wait for their jobs before they do). */
void http_commit_stop(void)
{
    if (!C.running)
        return;
    pthread_mutex_lock(&C.mu);
    C.stopping = true;
    pthread_cond_signal(&C.cv);
    pthread_mutex_unlock(&C.mu);
    pthread_join(C.tid, NULL);
    C.running = false;
    db_close(C.ctx.db);
    C.ctx.db = NULL;
}
