/* app.h - the explicit context every domain function takes: the
 * process-wide app (settings, vault, hooks; immutable once serving) and the
 * per-thread part (database connection, clock). No globals in domains. */
#ifndef WLK_APP_H
#define WLK_APP_H

#include "core/config.h"
#include "db/db.h"
#include "sec/sec.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct app {
    config_t cfg;
    sec_vault_t *vault;
    char db_dsn[1600]; /* what db_open() takes */
    /* Called after a commit that queued outbox work (wakes the worker). */
    void (*outbox_kick)(struct app *app);
    /* Called after a commit that appended events to user_id's stream. */
    void (*notify)(struct app *app, int64_t user_id);
    /* Whether user_id holds a live real-time connection on this node now
     * (cheap: for any thread). */
    bool (*online)(struct app *app, int64_t user_id);
    /* ... on this node or another node of the cluster: asks the others over
     * the bus, so it may block for a moment (the worker's thread only). */
    bool (*online_anywhere)(struct app *app, int64_t user_id);
    /* user's sessions or policy state changed: live connections re-check
     * they may stay open (set by the HTTP server; may be NULL) */
    void (*recheck)(struct app *app, int64_t user_id);
    /* "local", "connected", "reconnecting" or "closed" (NULL: not serving) */
    const char *(*bus_state)(struct app *app);
    void *hub;    /* the real-time hub, owned by the HTTP server */
    void *worker; /* the periodic jobs (worker/), owned by main */
} app_t;

typedef struct app_ctx {
    app_t *app;
    db_t *db;
    int64_t (*now_ms)(void);
} app_ctx_t;

#endif
