/* consent.c - the consent ledger: append-only grants and withdrawals. */
#include "privacy/privacy.h"
#include "core/ids.h"

#include <string.h>

typedef struct grant {
    app_ctx_t *c;
    int64_t user_id, device_id;
    const char *scope, *version;
    bool granted;
} grant_t;

static int record(void *arg, err_t *e)
{
    const grant_t *g = arg;
    app_ctx_t *c = g->c;
    int64_t user_id = g->user_id, device_id = g->device_id;
    const char *scope = g->scope, *version = g->version;
    bool granted = g->granted;
    int64_t rc = db_exec(c->db,
                         "INSERT INTO consents (id, user_id, scope, version, granted, at, "
                         "device_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         DB_ARGS(DB_I64(ids_next()), DB_I64(user_id), DB_TEXT(scope),
                                 DB_TEXT(version), DB_I64(granted), DB_I64(c->now_ms()),
                                 device_id ? DB_I64(device_id) : DB_NULL),
                         e);
    /* the account's state, read with every session (privacy_gate) */
    if (rc >= 0 && strcmp(scope, "policy") == 0)
        rc = granted ? db_exec(c->db,
                               "UPDATE users SET policy_version = $1, policy_withdrawn_at = NULL "
                               "WHERE id = $2",
                               DB_ARGS(DB_TEXT(version), DB_I64(user_id)), e)
                     : db_exec(c->db, "UPDATE users SET policy_withdrawn_at = $1 WHERE id = $2",
                               DB_ARGS(DB_I64(c->now_ms()), DB_I64(user_id)), e);
    return rc < 0 ? (int)rc : 0;
}

/* The ledger row and the account's state change together. */
int privacy_consent_record(app_ctx_t *c, int64_t user_id, const char *scope, const char *version,
                           bool granted, int64_t device_id, err_t *e)
{
    if (privacy_scope_find(scope) == NULL)
        return err_set(e, ERR_NOT_FOUND, "scope", "unknown consent scope");
    grant_t g = {c, user_id, device_id, scope, version, granted};
    return db_atomically(c->db, record, &g, e);
}

/* Walks the ledger oldest first; the last grant of a scope sets version and
 * granted_at, a later withdrawal sets withdrawn_at. */
int privacy_consent_list(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT scope, version, granted, at FROM consents WHERE user_id = $1 "
                      "ORDER BY at, id",
                      DB_ARGS(DB_I64(user_id)), e);
    if (rc < 0)
        return rc;
    json_t *by_scope = json_object();
    while ((rc = db_step(st, e)) == DB_ROW) {
        size_t sl, vl;
        const char *scope = db_bytes(st, 0, &sl), *ver = db_bytes(st, 1, &vl);
        json_t *key = json_stringn(scope, sl);
        json_t *item = json_object_get(by_scope, json_string_value(key));
        if (db_i64(st, 2)) {
            item = json_pack("{s:O, s:s%, s:I, s:n}", "scope", key, "version", ver, vl,
                             "granted_at", (json_int_t)db_i64(st, 3), "withdrawn_at");
            json_object_set_new(by_scope, json_string_value(key), item);
        } else if (item) {
            json_object_set_new(item, "withdrawn_at", json_integer(db_i64(st, 3)));
        }
        json_decref(key);
    }
    if (rc < 0) {
        json_decref(by_scope);
        return rc;
    }
    db_done(st);
    json_t *items = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(by_scope, k, v) json_array_append(items, v);
    json_decref(by_scope);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

/* Whether user's latest ledger record for scope is a grant. */
static int granted_now(app_ctx_t *c, int64_t user_id, const char *scope, bool *granted, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT granted FROM consents WHERE user_id = $1 AND scope = $2 "
                    "ORDER BY at DESC, id DESC LIMIT 1",
                    DB_ARGS(DB_I64(user_id), DB_TEXT(scope)), e);
    *granted = false;
    if (rc == DB_ROW) {
        *granted = db_i64(st, 0) != 0;
        db_done(st);
    }
    return rc < 0 ? rc : 0;
}

int privacy_consent_require(app_ctx_t *c, int64_t user_id, const char *scope, err_t *e)
{
    bool ok;
    char version[17];
    int rc = granted_now(c, user_id, scope, &ok, e);
    if (rc < 0 || ok)
        return rc;
    if ((rc = privacy_policy_current(c, version, e)) < 0)
        return rc;
    rc = err_set(e, ERR_CONSENT_REQUIRED, NULL, "this needs your separate consent");
    err_extra(e, "scope", json_string(scope));
    err_extra(e, "version", json_string(version));
    return rc;
}

static int scope_state(app_ctx_t *c, int64_t user_id, const char *scope, json_t **out, err_t *e)
{
    json_t *all;
    int rc = privacy_consent_list(c, user_id, &all, e);
    if (rc < 0)
        return rc;
    size_t i;
    json_t *v;
    *out = NULL;
    json_array_foreach(json_object_get(all, "items"), i,
                       v) if (strcmp(json_string_value(json_object_get(v, "scope")), scope) ==
                              0) *out = json_incref(v);
    json_decref(all);
    if (*out == NULL)
        *out = json_pack("{s:s, s:n, s:n, s:n}", "scope", scope, "version", "granted_at",
                         "withdrawn_at");
    return 0;
}

int privacy_consent_set(app_ctx_t *c, int64_t user_id, const char *scope, const char *version,
                        bool grant, int64_t device_id, json_t **out, err_t *e)
{
    const privacy_scope_t *s = privacy_scope_find(scope);
    char current[17];
    bool granted;
    if (s == NULL)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such consent scope");
    /* the whole policy is withdrawn only after an identity check
     * (rights_policy_withdraw); granting it again restores the account */
    if (!s->optional && !grant)
        return err_set(e, ERR_FORBIDDEN, NULL, "the policy is withdrawn through account rights");
    if (strcmp(scope, "guardian") == 0)
        return err_set(e, ERR_FORBIDDEN, NULL, "a guardian consents with the code sent to them");
    int rc = privacy_policy_current(c, current, e);
    if (rc < 0)
        return rc;
    if (grant && (version == NULL || strcmp(version, current) != 0))
        return err_set(e, ERR_VALIDATION_FAILED, "version", "accept the current policy version");
    if ((rc = granted_now(c, user_id, scope, &granted, e)) < 0)
        return rc;
    if (granted != grant || grant) /* withdrawing twice records nothing */
        rc = privacy_consent_record(c, user_id, scope, current, grant, device_id, e);
    if (rc < 0 || out == NULL)
        return rc;
    return scope_state(c, user_id, scope, out, e);
}
