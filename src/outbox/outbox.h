/* outbox.h - the durable outbox: hand-overs to outside services (SMS now;
 * push and webhooks later) are written to the database in the same
 * transaction as the change that causes them, sealed under the vault's
 * outbox key, and delivered by a job of the worker (worker/) with retries and backoff.
 * The worker also runs the periodic clean-up of short-lived rows. */
#ifndef WLK_OUTBOX_H
#define WLK_OUTBOX_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>

typedef struct outbox outbox_t;

/* Queues msg (borrowed) for the provider `kind` ("sms"); it is dropped if
 * still undelivered at expires_at. Call inside the caller's transaction,
 * then app->outbox_kick(app) after the commit. */
int outbox_enqueue(app_ctx_t *c, const char *kind, const json_t *msg, int64_t expires_at, err_t *e)
    __attribute__((warn_unused_result));

/* Whose personal data a message hands over: the worker records the
 * disclosure (privacy_disclosure_record) when the provider accepts it. */
typedef struct outbox_subject {
    int64_t user_id;        /* 0: not known yet (a sign-in code to a new phone) */
    const uint8_t *bidx;    /* then the phone's blind index (SEC_HASH_LEN), or NULL */
    const char *categories; /* data-map ids, space separated; NULL: the channel's usual */
} outbox_subject_t;

/* outbox_enqueue for a message that carries who's data (may be NULL). */
int outbox_enqueue_about(app_ctx_t *c, const char *kind, const json_t *msg, int64_t expires_at,
                         const outbox_subject_t *who, err_t *e) __attribute__((warn_unused_result));

/* Cancellation: deletes the hand-overs still queued for the user or about
 * the phone of this keyed index (they are not made). In the caller's
 * transaction. */
int outbox_forget(app_ctx_t *c, int64_t user, const uint8_t *subject_bidx, err_t *e)
    __attribute__((warn_unused_result));
/* A channel whose message is made at hand-over time from the queued
 * payload (which then names what to send rather than holding it) and
 * whose provider answers (providers_ops_t.ask). compose writes the
 * message (*msg new, free()), or returns 1 when there is nothing to send
 * any more (the payload is dropped, nothing is recorded); answer takes
 * the provider's reply (its own transaction). Registered at start, before
 * the worker runs. */
typedef struct outbox_hooks {
    int (*compose)(app_ctx_t *c, const json_t *payload, char **msg, size_t *len, err_t *e);
    int (*answer)(app_ctx_t *c, const json_t *payload, const char *reply, size_t len, err_t *e);
} outbox_hooks_t;
void outbox_register(const char *kind, const outbox_hooks_t *hooks);

/* The providers of each channel (--sms-driver, --push-driver,
 * --verify-driver). Returns new (outbox_close). */
int outbox_open(app_t *app, outbox_t **out, err_t *e) __attribute__((warn_unused_result));
/* The worker's job: delivers every due hand-over (claimed row by row, so
 * several processes may run it), records each disclosure, backs failures
 * off. arg: the outbox. May block on a provider. */
int outbox_deliver(void *arg, app_ctx_t *c, err_t *e);
void outbox_close(outbox_t *o);

#endif
