/* consent.c - the consent ledger: append-only grants and withdrawals. */
#include "privacy/privacy.h"
#include "core/ids.h"

int privacy_consent_record(app_ctx_t *c, int64_t user_id, const char *scope, const char *version,
                           bool granted, int64_t device_id, err_t *e)
{
    if (privacy_scope_find(scope) == NULL)
        return err_set(e, ERR_NOT_FOUND, "scope", "unknown consent scope");
    int64_t rc = db_exec(c->db,
                         "INSERT INTO consents (id, user_id, scope, version, granted, at, "
                         "device_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         DB_ARGS(DB_I64(ids_next()), DB_I64(user_id), DB_TEXT(scope),
                                 DB_TEXT(version), DB_I64(granted), DB_I64(c->now_ms()),
                                 device_id ? DB_I64(device_id) : DB_NULL),
                         e);
    return rc < 0 ? (int)rc : 0;
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
