/* audit.h - the audit trail (六.二.4): append-only, each record keyed-MAC
 * chained to the one before, so a changed or removed record is found by
 * audit_verify. Records name who did what to whose data, which categories
 * and why; never the data itself. */
#ifndef WLK_AUDIT_H
#define WLK_AUDIT_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>
#include <stdint.h>

typedef struct audit_entry {
    const char *actor;      /* "user:<id>", "staff:<name>", "cli", "system" */
    const char *action;     /* e.g. "profile.correct", "personal_data.read" */
    int64_t subject_id;     /* the user whose data; 0: none */
    const char *categories; /* data-map ids, space separated; may be NULL */
    const char *reason;     /* stated reason; may be NULL */
    const json_t *detail;   /* more, without personal data; may be NULL */
} audit_entry_t;

/* Appends a record, inside the caller's transaction if there is one. */
int audit_append(app_ctx_t *c, const audit_entry_t *a, err_t *e)
    __attribute__((warn_unused_result));
/* Walks the whole chain. *bad: 0 when intact, else the seq of the first
 * record that was changed, or that follows a removed one. *count: records
 * checked; head: the last record's MAC (65 hex chars) to keep elsewhere,
 * so removing the newest records shows too. */
int audit_verify(app_ctx_t *c, int64_t *bad, int64_t *count, char head[65], err_t *e)
    __attribute__((warn_unused_result));
/* Removes the records older than before (a prefix of the chain: those up
 * to the first record kept) and keeps the last one's MAC as the anchor the
 * chain verifies from. *n: how many (counted only with dry_run). Inside
 * the caller's transaction. */
int audit_prune(app_ctx_t *c, int64_t before, bool dry_run, int64_t *n, err_t *e)
    __attribute__((warn_unused_result));
/* {"items":[{"seq","at","actor","action","subject_id","categories","reason","detail"}],
 * "next_after"}: records after seq `after`, oldest first; subject > 0
 * keeps those about one user. */
int audit_list(app_ctx_t *c, int64_t subject, int64_t after, int limit, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

#endif
