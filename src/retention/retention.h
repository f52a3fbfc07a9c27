/* retention.h - the one sweeper (六.一, 七.二): every deletion the platform
 * makes without being asked, driven by the data map (privacy/datamap.c,
 * privacy/stores.c): data kept past its category's period, data whose
 * purpose is achieved, data collected under a withdrawn consent and data
 * of accounts that no longer exist; and erasure on a staff finding of
 * unlawful processing. Runs on the outbox worker and in `wlk purge`. */
#ifndef WLK_RETENTION_H
#define WLK_RETENTION_H

#include "app/app.h"
#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

/* Which passes to run. */
enum {
    RETENTION_TIMED = 1u << 0,   /* periods, purposes achieved, withdrawn consents */
    RETENTION_ORPHANS = 1u << 1, /* rows of accounts that no longer exist */
    RETENTION_ALL = RETENTION_TIMED | RETENTION_ORPHANS,
};

/* One line of a sweep's report: rows of category in table that trigger
 * ("retention", "purpose", "withdrawn", "cancelled") ends with action. */
typedef void (*retention_row_cb)(void *arg, const char *category, const char *table,
                                 const char *trigger, const char *rule, int64_t rows);

/* Runs the passes as of c->now_ms(), each rule in its own transaction.
 * dry_run counts without changing anything. cb (may be NULL) gets every
 * rule, also those with 0 rows. Returns the total rows (>= 0) or ERR_*.
 * Blocks (database writes); never call it on a loop thread. */
int64_t retention_sweep(app_ctx_t *c, unsigned passes, bool dry_run, retention_row_cb cb, void *arg,
                        err_t *e);

/* Whether category can be erased for one user alone (unlawful processing):
 * false for the phone (that is the account: cancel it) and the legal
 * records of consents and disclosures. */
bool retention_erasable(const char *category);
/* Erases the given data-map categories of user_id (七.二 5: processing
 * found unlawful), audited with actor and reason, in one transaction.
 * Chat bodies are erased like a recall (the peer sees a tombstone).
 * VALIDATION_FAILED (field categories) for an unknown or non-erasable
 * category, NOT_FOUND for an unknown user. *rows: rows changed. */
int retention_erase(app_ctx_t *c, int64_t user_id, const char *const *categories, int n,
                    const char *actor, const char *reason, int64_t *rows, err_t *e)
    __attribute__((warn_unused_result));
/* Splits "a,b" into at most max category ids in buf (borrowed from it);
 * returns the count or -1 when empty or too many. */
int retention_categories_parse(char *buf, const char **out, int max);

#define RETENTION_MAX_CATEGORIES 24

#endif
