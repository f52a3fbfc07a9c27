/* call.c - call signalling for voice/video calls, VR viewing and live
 * rooms: a small state machine per call, each action relayed as a `call`
 * event to both members, and exactly one `call` message per call. */
#include "chat/chat_int.h"
#include "auth/auth.h"
#include "core/ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { BY_CALLER, BY_CALLEE, BY_EITHER } who_t;

typedef struct action {
    const char *name;
    who_t who;
    const char *from;    /* state required ("" = no call yet, "*" = ringing or active) */
    const char *to;      /* state after, or NULL to end the call */
    const char *outcome; /* when ending: before and after an answer */
    const char *outcome_active;
} action_t;

static const action_t actions[] = {
    {"invite", BY_CALLER, "", "ringing", NULL, NULL},
    {"ringing", BY_CALLEE, "ringing", "ringing", NULL, NULL},
    {"accept", BY_CALLEE, "ringing", "active", NULL, NULL},
    {"reject", BY_CALLEE, "ringing", NULL, "rejected", NULL},
    {"offer", BY_EITHER, "*", "", NULL, NULL},
    {"answer", BY_EITHER, "*", "", NULL, NULL},
    {"ice", BY_EITHER, "*", "", NULL, NULL},
    {"hangup", BY_EITHER, "*", NULL, "cancelled", "answered"},
};

typedef struct call {
    bool exists;
    int64_t caller, created, answered;
    char state[16];
} call_t;

static int load(app_ctx_t *c, int64_t conv, const char *call_id, call_t *k, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT caller_id, state, created_at, answered_at FROM calls "
                    "WHERE conversation_id = $1 AND call_id = $2",
                    DB_ARGS(DB_I64(conv), DB_TEXT(call_id)), e);
    memset(k, 0, sizeof(*k));
    if (rc != DB_ROW)
        return rc;
    size_t sl;
    const char *s = db_bytes(st, 1, &sl);
    k->exists = true;
    k->caller = db_i64(st, 0);
    snprintf(k->state, sizeof(k->state), "%.*s", (int)sl, s);
    k->created = db_i64(st, 2);
    k->answered = db_is_null(st, 3) ? 0 : db_i64(st, 3);
    db_done(st);
    return 0;
}

static bool allowed(const action_t *a, const call_t *k, int64_t user)
{
    if (a->from[0] == '\0')
        return !k->exists;
    if (!k->exists || strcmp(k->state, "ended") == 0)
        return false;
    if (strcmp(a->from, "*") != 0 && strcmp(a->from, k->state) != 0)
        return false;
    return a->who == BY_EITHER || (a->who == BY_CALLER) == (k->caller == user);
}

static int relay(app_ctx_t *c, stream_notify_t *n, int64_t conv, int64_t a, int64_t b,
                 const char *call_id, const char *action, int64_t from, const json_t *data,
                 err_t *e)
{
    char uid[21];
    ids_format(from, uid);
    json_t *v =
        json_pack("{s:s, s:s, s:s, s:o}", "call_id", call_id, "action", action, "from_user_id", uid,
                  "data", data ? json_incref((json_t *)data) : json_object());
    sec_key_t key;
    int rc = chat_conv_key(c, conv, &key, e);
    size_t len = 0;
    uint8_t *sealed = rc == 0 ? chat_seal(&key, "events.data", conv, v, &len) : NULL;
    sec_wipe(&key, sizeof(key));
    json_decref(v);
    if (rc == 0)
        rc = stream_add_pair(c, n, a, b, "call", conv, 0, NULL, sealed, len, e);
    free(sealed);
    return rc;
}

/* Ends the call: state, and the one `call` message of the conversation. */
static int finish(app_ctx_t *c, stream_notify_t *n, int64_t conv, int64_t caller, int64_t callee,
                  const char *call_id, const call_t *k, const char *outcome, err_t *e)
{
    int64_t now = c->now_ms(), id, seq, at;
    char client[80];
    snprintf(client, sizeof(client), "call:%s", call_id);
    json_t *body = json_pack("{s:s, s:s, s:I}", "call_id", call_id, "outcome", outcome,
                             "duration_ms", (json_int_t)(k->answered ? now - k->answered : 0));
    int rc = (int)db_exec(c->db,
                          "UPDATE calls SET state = 'ended', ended_at = $1 WHERE "
                          "conversation_id = $2 AND call_id = $3",
                          DB_ARGS(DB_I64(now), DB_I64(conv), DB_TEXT(call_id)), e);
    if (rc >= 0 && (rc = chat_conv_lock(c, conv, e)) >= 0 &&
        (rc = chat_conv_last_seq(c, conv, &seq, e)) >= 0)
        rc = chat_message_insert(c, conv, ++seq, caller, client, "call", body, 0, &id, &at, e);
    json_decref(body);
    if (rc >= 0)
        rc = stream_add_pair(c, n, caller, callee, "message.created", conv, id, NULL, NULL, 0, e);
    return rc < 0 ? rc : 0;
}

static int apply(app_ctx_t *c, stream_notify_t *n, int64_t user, int64_t peer, int64_t conv,
                 const char *call_id, const action_t *a, const json_t *data, err_t *e)
{
    call_t k;
    int rc = load(c, conv, call_id, &k, e);
    if (rc < 0)
        return rc;
    if (!allowed(a, &k, user))
        return err_set(e, ERR_CONFLICT, "action", "not allowed in this state of the call");
    int64_t now = c->now_ms();
    if (!k.exists)
        rc = (int)db_exec(c->db,
                          "INSERT INTO calls (conversation_id, call_id, caller_id, state, "
                          "created_at) VALUES ($1, $2, $3, 'ringing', $4)",
                          DB_ARGS(DB_I64(conv), DB_TEXT(call_id), DB_I64(user), DB_I64(now)), e);
    else if (a->to && strcmp(a->to, "active") == 0)
        rc = (int)db_exec(c->db,
                          "UPDATE calls SET state = 'active', answered_at = $1 WHERE "
                          "conversation_id = $2 AND call_id = $3",
                          DB_ARGS(DB_I64(now), DB_I64(conv), DB_TEXT(call_id)), e);
    if (rc < 0 || (rc = relay(c, n, conv, user, peer, call_id, a->name, user, data, e)) < 0)
        return rc;
    if (a->to != NULL)
        return 0;
    const char *outcome = strcmp(k.state, "active") == 0 ? a->outcome_active : a->outcome;
    int64_t caller = k.caller, callee = caller == user ? peer : user;
    return finish(c, n, conv, caller, callee, call_id, &k, outcome, e);
}

int chat_call(app_ctx_t *c, int64_t user, int64_t conv, const char *call_id, const char *action,
              const json_t *data, err_t *e)
{
    const action_t *a = NULL;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(actions[i].name, action) == 0)
            a = &actions[i];
    if (a == NULL)
        return err_set(e, ERR_VALIDATION_FAILED, "action", "unknown call action");
    int64_t peer;
    stream_notify_t n = {0};
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    if ((rc = chat_member_peer(c, conv, user, &peer, e)) < 0 ||
        (peer == 0 && (rc = err_set(e, ERR_FORBIDDEN, NULL, "the peer cancelled their account"))) ||
        (rc = apply(c, &n, user, peer, conv, call_id, a, data, e)) < 0 ||
        (strcmp(a->name, "invite") == 0 && (rc = auth_push(c, &n, peer, "来电", NULL, e)) < 0)) {
        db_rollback(c->db);
        return rc;
    }
    return stream_commit(c, &n, e);
}

typedef struct ringing {
    int64_t conv, caller;
    char call_id[72];
} ringing_t;

static int expire_one(app_ctx_t *c, const ringing_t *r, err_t *e)
{
    stream_notify_t n = {0};
    int64_t peer;
    call_t k;
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    if ((rc = load(c, r->conv, r->call_id, &k, e)) < 0 || !k.exists ||
        strcmp(k.state, "ringing") != 0) { /* answered or ended meanwhile */
        db_rollback(c->db);
        return rc < 0 ? rc : 0;
    }
    if ((rc = chat_member_peer(c, r->conv, r->caller, &peer, e)) < 0) {
        db_rollback(c->db);
        return rc;
    }
    if (peer == 0) { /* the callee cancelled their account: nobody to tell */
        int64_t x = db_exec(c->db,
                            "UPDATE calls SET state = 'ended', ended_at = $1 WHERE "
                            "conversation_id = $2 AND call_id = $3",
                            DB_ARGS(DB_I64(c->now_ms()), DB_I64(r->conv), DB_TEXT(r->call_id)), e);
        if (x < 0) {
            db_rollback(c->db);
            return (int)x;
        }
        return db_commit(c->db, e);
    }
    if ((rc = relay(c, &n, r->conv, r->caller, peer, r->call_id, "timeout", r->caller, NULL, e)) <
            0 ||
        (rc = finish(c, &n, r->conv, r->caller, peer, r->call_id, &k, "missed", e)) < 0) {
        db_rollback(c->db);
        return rc;
    }
    return stream_commit(c, &n, e);
}

int chat_call_expire(app_ctx_t *c, err_t *e)
{
    int64_t before = c->now_ms() - (int64_t)c->app->cfg.call_ring_timeout * 1000;
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT conversation_id, caller_id, call_id FROM calls WHERE state = "
                      "'ringing' AND created_at <= $1 LIMIT 64",
                      DB_ARGS(DB_I64(before)), e);
    if (rc < 0)
        return rc;
    ringing_t due[64];
    int n = 0;
    while (n < 64 && (rc = db_step(st, e)) == DB_ROW) {
        size_t l;
        const char *id = db_bytes(st, 2, &l);
        due[n].conv = db_i64(st, 0);
        due[n].caller = db_i64(st, 1);
        snprintf(due[n].call_id, sizeof(due[n].call_id), "%.*s", (int)l, id);
        n++;
    }
    if (rc < 0)
        return rc;
    db_done(st);
    for (int i = 0; i < n; i++)
        if ((rc = expire_one(c, &due[i], e)) < 0)
            return rc;
    return n;
}
