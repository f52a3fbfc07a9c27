/* outbox.c - enqueue, and delivery with backoff (a job of the worker). */
#include "outbox/outbox.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "privacy/privacy.h"
#include "providers/providers.h"

#include <stdlib.h>
#include <string.h>

#define BATCH          32
#define MAX_BACKOFF_MS (3600 * 1000)
#define CLAIM_MS       60000 /* a claimed message is retried after this if we die */

static const char *const kinds[] = {"sms", "push", "verify", NULL};
#define NKINDS 3

struct outbox {
    providers_t *channels[NKINDS + 1]; /* in the order of kinds, then NULL */
};

/* hooks of the channels that compose and take answers, by kind */
static struct {
    const char *kind;
    outbox_hooks_t hooks;
} registered[NKINDS];

void outbox_register(const char *kind, const outbox_hooks_t *hooks)
{
    for (int i = 0; i < NKINDS; i++)
        if (!registered[i].kind || strcmp(registered[i].kind, kind) == 0) {
            registered[i].kind = kind;
            registered[i].hooks = *hooks;
            return;
        }
}

static const outbox_hooks_t *hooks_of(const char *kind)
{
    for (int i = 0; i < NKINDS && registered[i].kind; i++)
        if (strcmp(registered[i].kind, kind) == 0)
            return &registered[i].hooks;
    return NULL;
}

/* What each channel hands over, to whom, why and on which basis (the
 * recipients and purposes of the data map), and whether a message is
 * dropped unsent when its user holds a live connection at hand-over time
 * on any node (a push is for users who are away; the sender's node knows
 * only its own connections when it queues one). */
static const struct channel_disclosure {
    const char *kind, *recipient, *categories, *purpose, *basis;
    bool unless_online;
} disclosed[] = {
    {"sms", "sms_provider", "phone", "account", "contract", false},
    {"push", "push_vendors", "push_token", "push", "consent", true},
    {"verify", "verify_provider", "real_name id_number", "verification", "consent", false},
};

static const struct channel_disclosure *channel_of(const char *kind)
{
    for (size_t i = 0; i < sizeof(disclosed) / sizeof(disclosed[0]); i++)
        if (strcmp(disclosed[i].kind, kind) == 0)
            return &disclosed[i];
    return NULL;
}

int outbox_enqueue(app_ctx_t *c, const char *kind, const json_t *msg, int64_t expires_at, err_t *e)
{
    return outbox_enqueue_about(c, kind, msg, expires_at, NULL, e);
}

int outbox_enqueue_about(app_ctx_t *c, const char *kind, const json_t *msg, int64_t expires_at,
                         const outbox_subject_t *who, err_t *e)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    size_t len = strlen(text), clen = len + SEC_SEAL_OVERHEAD;
    uint8_t *sealed = malloc(clen);
    if (sealed == NULL)
        abort();
    int64_t id = ids_next();
    char ad[40];
    snprintf(ad, sizeof(ad), "outbox:%lld", (long long)id);
    sec_seal(sec_vault_outbox_key(c->app->vault), ad, text, len, sealed);
    sec_wipe(text, len);
    free(text);
    int64_t rc =
        db_exec(c->db,
                "INSERT INTO outbox (id, kind, payload, attempts, next_at, expires_at, user_id, "
                "subject_bidx, categories) VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8)",
                DB_ARGS(DB_I64(id), DB_TEXT(kind), DB_BLOB(sealed, clen), DB_I64(c->now_ms()),
                        DB_I64(expires_at), who && who->user_id ? DB_I64(who->user_id) : DB_NULL,
                        who && who->bidx ? DB_BLOB(who->bidx, SEC_HASH_LEN) : DB_NULL,
                        who && who->categories ? DB_TEXT(who->categories) : DB_NULL),
                e);
    free(sealed);
    return rc < 0 ? (int)rc : 0;
}

/* Takes a message for this worker: a row whose next_at still equals what
 * we read (several nodes may poll one database). */
static bool claim(app_ctx_t *c, int64_t id, int64_t seen_next_at, err_t *e)
{
    return db_exec(c->db, "UPDATE outbox SET next_at = $1 WHERE id = $2 AND next_at = $3",
                   DB_ARGS(DB_I64(c->now_ms() + CLAIM_MS), DB_I64(id), DB_I64(seen_next_at)),
                   e) == 1;
}

/* A composed hand-over: the message from the payload, the provider's
 * answer to its hook. 1: nothing to send any more. */
static int ask(app_ctx_t *c, providers_t *p, const outbox_hooks_t *h, const char *plain, size_t n,
               err_t *e)
{
    json_t *payload = json_loadb(plain, n, 0, NULL);
    char *msg = NULL, *reply = NULL;
    size_t len = 0, rlen = 0;
    int rc = payload ? h->compose(c, payload, &msg, &len, e)
                     : err_internal(e, "an outbox payload that is not JSON");
    if (rc == 0)
        rc = p->ops->ask ? p->ops->ask(p, msg, len, &reply, &rlen, e)
                         : err_internal(e, "the %s driver cannot answer", p->channel);
    if (rc == 0)
        rc = h->answer(c, payload, reply, rlen, e);
    if (msg) {
        sec_wipe(msg, len);
        free(msg);
    }
    free(reply);
    json_decref(payload);
    return rc;
}

static int deliver(app_ctx_t *c, providers_t *const *chan, int64_t id, const char *kind,
                   const uint8_t *sealed, size_t len, err_t *e)
{
    char ad[40];
    snprintf(ad, sizeof(ad), "outbox:%lld", (long long)id);
    char *plain = malloc(len);
    size_t n;
    if (plain == NULL)
        abort();
    int rc;
    if (sec_open(sec_vault_outbox_key(c->app->vault), ad, sealed, len, (uint8_t *)plain, &n) != 0)
        rc = err_internal(e, "outbox message %lld cannot be opened", (long long)id);
    else {
        providers_t *p = NULL;
        for (int i = 0; chan[i]; i++)
            if (strcmp(chan[i]->channel, kind) == 0)
                p = chan[i];
        const outbox_hooks_t *h = hooks_of(kind);
        rc = !p  ? err_internal(e, "outbox kind '%s' has no provider", kind)
             : h ? ask(c, p, h, plain, n, e)
                 : p->ops->send(p, plain, n, e);
    }
    sec_wipe(plain, len);
    free(plain);
    return rc;
}

typedef struct due {
    int64_t id, next_at, expires_at, user_id;
    int attempts;
    char kind[16];
    uint8_t *payload;
    size_t len;
    bool has_bidx;
    uint8_t bidx[SEC_HASH_LEN];
    char categories[128];
} due_t;

static int load_due(app_ctx_t *c, due_t *out, int *n, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT id, next_at, expires_at, attempts, kind, payload, user_id, "
                      "subject_bidx, categories FROM outbox "
                      "WHERE next_at <= $1 ORDER BY next_at LIMIT 32",
                      DB_ARGS(DB_I64(c->now_ms())), e);
    if (rc < 0)
        return rc;
    *n = 0;
    while (*n < BATCH && (rc = db_step(st, e)) == DB_ROW) {
        due_t *d = &out[(*n)++];
        size_t kl;
        const char *kind = db_bytes(st, 4, &kl);
        const void *p = db_bytes(st, 5, &d->len);
        d->id = db_i64(st, 0);
        d->next_at = db_i64(st, 1);
        d->expires_at = db_i64(st, 2);
        d->attempts = (int)db_i64(st, 3);
        snprintf(d->kind, sizeof(d->kind), "%.*s", (int)kl, kind);
        d->payload = malloc(d->len ? d->len : 1);
        if (d->payload == NULL)
            abort();
        memcpy(d->payload, p, d->len);
        size_t bl, cl;
        const void *b = db_bytes(st, 7, &bl);
        const char *cats = db_bytes(st, 8, &cl);
        d->user_id = db_is_null(st, 6) ? 0 : db_i64(st, 6);
        d->has_bidx = b && bl == SEC_HASH_LEN;
        if (d->has_bidx)
            memcpy(d->bidx, b, SEC_HASH_LEN);
        snprintf(d->categories, sizeof(d->categories), "%.*s", cats ? (int)cl : 0,
                 cats ? cats : "");
    }
    if (rc >= 0)
        db_done(st);
    return rc < 0 ? rc : 0;
}

/* The provider accepted d: the row goes and the hand-over is recorded,
 * together (at-least-once delivery: a record of fact, not of intent). */
static int delivered(app_ctx_t *c, const due_t *d, err_t *e)
{
    const struct channel_disclosure *cd = channel_of(d->kind);
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    privacy_disclosure_t r = {
        .user_id = d->user_id,
        .bidx = d->has_bidx ? d->bidx : NULL,
        .recipient = cd ? cd->recipient : NULL,
        .categories = d->categories[0] ? d->categories
                      : cd             ? cd->categories
                                       : NULL,
        .purpose = cd ? cd->purpose : NULL,
        .basis = cd ? cd->basis : NULL,
    };
    if ((rc = (int)db_exec(c->db, "DELETE FROM outbox WHERE id = $1", DB_ARGS(DB_I64(d->id)), e)) <
            0 ||
        (cd && (d->user_id || d->has_bidx) && (rc = privacy_disclosure_record(c, &r, e)) < 0)) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, e);
}

static void settle(app_ctx_t *c, const due_t *d, int rc, err_t *e)
{
    if (rc == 0) {
        if (delivered(c, d, e) < 0)
            log_msg(LOG_WARN, "cannot record a delivery", "id %lld: %s", (long long)d->id,
                    e->cause);
        return;
    }
    int64_t now = c->now_ms();
    int64_t backoff = 1000LL << (d->attempts < 12 ? d->attempts : 12);
    if (backoff > MAX_BACKOFF_MS)
        backoff = MAX_BACKOFF_MS;
    if (now + backoff >= d->expires_at) {
        log_msg(LOG_WARN, "outbox message expired undelivered", "id %lld kind %s", (long long)d->id,
                d->kind);
        (void)db_exec(c->db, "DELETE FROM outbox WHERE id = $1", DB_ARGS(DB_I64(d->id)), e);
        return;
    }
    (void)db_exec(c->db, "UPDATE outbox SET attempts = attempts + 1, next_at = $1 WHERE id = $2",
                  DB_ARGS(DB_I64(now + backoff), DB_I64(d->id)), e);
}

/* A push whose user has come online (here or on another node) since it
 * was queued is not sent. */
static bool not_needed(app_ctx_t *c, const due_t *d)
{
    const struct channel_disclosure *cd = channel_of(d->kind);
    return cd && cd->unless_online && d->user_id && c->app->online_anywhere &&
           c->app->online_anywhere(c->app, d->user_id);
}

/* One pass: delivers every due message and returns how many were
 * delivered. */
static int run_once(app_ctx_t *c, providers_t *const *channels, err_t *e)
{
    due_t due[BATCH];
    int n = 0, delivered = 0;
    int rc = load_due(c, due, &n, e);
    for (int i = 0; i < n; i++) {
        err_t de = {0};
        if (rc == 0 && claim(c, due[i].id, due[i].next_at, &de)) {
            if (not_needed(c, &due[i])) { /* nothing handed over, nothing to record */
                (void)db_exec(c->db, "DELETE FROM outbox WHERE id = $1", DB_ARGS(DB_I64(due[i].id)),
                              &de);
                err_clear(&de);
                free(due[i].payload);
                continue;
            }
            int drc = deliver(c, channels, due[i].id, due[i].kind, due[i].payload, due[i].len, &de);
            if (drc == 1) { /* composed from what is no longer there: nothing handed over */
                (void)db_exec(c->db, "DELETE FROM outbox WHERE id = $1", DB_ARGS(DB_I64(due[i].id)),
                              &de);
                err_clear(&de);
                free(due[i].payload);
                continue;
            }
            if (drc < 0)
                log_msg(LOG_WARN, "outbox delivery failed", "id %lld: %s", (long long)due[i].id,
                        de.cause[0] ? de.cause : de.message);
            err_t se = {0};
            settle(c, &due[i], drc, &se);
            err_clear(&se);
            delivered += drc == 0;
        }
        err_clear(&de);
        free(due[i].payload);
    }
    return rc < 0 ? rc : delivered;
}

int outbox_deliver(void *arg, app_ctx_t *c, err_t *e)
{
    outbox_t *o = arg;
    int n;
    while ((n = run_once(c, o->channels, e)) == BATCH)
        ;
    return n < 0 ? n : 0;
}

int outbox_open(app_t *app, outbox_t **out, err_t *e)
{
    outbox_t *o = calloc(1, sizeof(*o));
    if (o == NULL)
        abort();
    int rc = 0;
    for (int i = 0; rc == 0 && kinds[i]; i++)
        rc = providers_create(&app->cfg, kinds[i], &o->channels[i], e);
    if (rc < 0) {
        outbox_close(o);
        return rc;
    }
    *out = o;
    return 0;
}

void outbox_close(outbox_t *o)
{
    if (o == NULL)
        return;
    for (int i = 0; o->channels[i]; i++)
        o->channels[i]->ops->destroy(o->channels[i]);
    free(o);
}

int outbox_forget(app_ctx_t *c, int64_t user, const uint8_t *subject_bidx, err_t *e)
{
    int64_t n = db_exec(c->db, "DELETE FROM outbox WHERE user_id = $1 OR subject_bidx = $2",
                        DB_ARGS(DB_I64(user), DB_BLOB(subject_bidx, SEC_HASH_LEN)), e);
    return n < 0 ? (int)n : 0;
}
