/* export.c - the export of everything held about a user (七.一), walked
 * from the data map: each category with its labels, purposes, recipients
 * and retention, and the records this build holds for it, read by the
 * source named for it in rights_sources (or a note saying nothing is
 * held). Another user appears only as a peer's id and nickname. */
#include "audit/audit.h"
#include "auth/auth.h"
#include "chat/chat.h"
#include "core/ids.h"
#include "core/str.h"
#include "media/media.h"
#include "privacy/privacy.h"
#include "rights/rights_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *column(rights_export_ctx_t *x, db_stmt_t *st, int i, char type, const char *place,
                      int64_t row)
{
    if (db_is_null(st, i))
        return json_null();
    size_t len;
    const char *p = db_bytes(st, i, &len);
    char id[21];
    switch (type) {
    case 'i':
        return json_integer(db_i64(st, i));
    case 'b':
        return json_boolean(db_i64(st, i) != 0);
    case 'd':
        ids_format(db_i64(st, i), id);
        return json_string(id);
    case 'e': {
        char *v = x->has_dek ? sec_open_field(&x->dek, place, row, p, len, &len) : NULL;
        json_t *out = v ? json_stringn(v, len) : json_null();
        if (v)
            sec_wipe(v, len);
        free(v);
        return out;
    }
    case 'x': { /* a keyed hash: shown as hex, it is all that is kept */
        char hex[2 * 64 + 1];
        if (len > 64)
            len = 64;
        for (size_t k = 0; k < len; k++)
            snprintf(hex + 2 * k, 3, "%02x", (unsigned char)p[k]);
        hex[2 * len] = '\0';
        return json_string(hex);
    }
    default:
        return json_stringn(p, len);
    }
}

int rights_rows(rights_export_ctx_t *x, const char *sql, const privacy_col_t *cols, json_t **out,
                err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(x->c->db, &st, sql, DB_ARGS(DB_I64(x->user)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_t *item = json_object();
        int64_t row = db_i64(st, 0); /* the first column is the row's id */
        for (int i = 0; i < PRIVACY_MAX_COLS && cols[i].name; i++)
            json_object_set_new(item, privacy_col_key(&cols[i]),
                                column(x, st, i, cols[i].type, cols[i].place, row));
        json_array_append_new(items, item);
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

static json_t *ids_list(const char *const *ids)
{
    json_t *a = json_array();
    for (size_t i = 0; i < PRIVACY_MAX_LIST && ids[i]; i++)
        json_array_append_new(a, json_string(ids[i]));
    return a;
}

/* The category as the data map describes it, without its records. */
static json_t *describe(const privacy_category_t *cat)
{
    const privacy_retention_t *r = &cat->retention;
    return json_pack("{s:s, s:s, s:b, s:b, s:s, s:o, s:o, s:{s:o, s:s, s:s}}", "label_zh",
                     cat->label_zh, "label_en", cat->label_en, "sensitive", cat->sensitive,
                     "encrypted", cat->encrypted, "consent", cat->consent, "purposes",
                     ids_list(cat->purposes), "recipients", ids_list(cat->recipients), "retention",
                     "days", r->days ? json_integer(r->days) : json_null(), "until",
                     privacy_trigger_name(r->trigger), "action", privacy_action_name(r->action));
}

/* The stores of category exported as their columns stand, each as
 * records[table]; the number of them in *n. */
static int stored_records(rights_export_ctx_t *x, const char *category, json_t *records, int *n,
                          err_t *e)
{
    *n = 0;
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_store_t *s = &privacy_stores[i];
        const char *sql = strcmp(s->category, category) == 0 ? privacy_store_select(s) : NULL;
        if (sql == NULL)
            continue;
        (*n)++;
        if (records == NULL)
            continue;
        json_t *rows;
        int rc = rights_rows(x, sql, s->cols, &rows, e);
        if (rc < 0)
            return rc;
        json_object_set_new(records, s->table, rows);
    }
    return 0;
}

static int categories(rights_export_ctx_t *x, json_t *into, str_t *exported, err_t *e)
{
    for (size_t i = 0; i < privacy_categories_count; i++) {
        const privacy_category_t *cat = &privacy_categories[i];
        const rights_source_t *src = rights_source_find(cat->id);
        json_t *entry = describe(cat);
        json_object_set_new(into, cat->id, entry);
        int stores, rc;
        stored_records(x, cat->id, NULL, &stores, e);
        if ((src == NULL || src->fn == NULL) && stores == 0) {
            json_object_set_new(entry, "collected", json_false());
            json_object_set_new(entry, "note", json_string(src ? src->note : "not described"));
            continue;
        }
        json_t *records = json_object();
        json_object_set_new(entry, "collected", json_true());
        json_object_set_new(entry, "records", records);
        if ((src && src->fn && (rc = src->fn(x, records, e)) < 0) ||
            (rc = stored_records(x, cat->id, records, &stores, e)) < 0)
            return rc;
        str_printf(exported, "%s%s", exported->len ? " " : "", cat->id);
    }
    return 0;
}

/* Staff who read or changed the user's data (六.二.4), from the audit trail. */
static int staff_accesses(rights_export_ctx_t *x, json_t **out, err_t *e)
{
    static const privacy_col_t cols[] = {
        {"seq", 'i', NULL, NULL},    {"at", 'i', NULL, NULL},         {"actor", 't', NULL, NULL},
        {"action", 't', NULL, NULL}, {"categories", 't', NULL, NULL}, {"reason", 't', NULL, NULL},
        {NULL, 0, NULL, NULL}};
    return rights_rows(x,
                       "SELECT seq, at, actor, action, categories, reason FROM audit_log "
                       "WHERE subject_id = $1 AND actor LIKE 'staff:%' ORDER BY seq",
                       cols, out, e);
}

static int build(rights_export_ctx_t *x, json_t **out, str_t *exported, err_t *e)
{
    json_t *account, *cats = json_object(), *staff = NULL;
    int rc = auth_user_view(x->c, x->user, &account, e);
    if (rc < 0) {
        json_decref(cats);
        return rc;
    }
    if ((rc = categories(x, cats, exported, e)) < 0 || (rc = staff_accesses(x, &staff, e)) < 0) {
        json_decref(account);
        json_decref(cats);
        return rc;
    }
    char id[21];
    ids_format(x->user, id);
    json_t *policy = json_object_get(json_object_get(account, "policy"), "version");
    *out = json_pack("{s:s, s:I, s:O, s:o, s:o, s:o}", "user_id", id, "exported_at",
                     (json_int_t)x->c->now_ms(), "policy_version", policy ? policy : json_null(),
                     "account", account, "categories", cats, "staff_accesses", staff);
    return 0;
}

int rights_export(app_ctx_t *c, int64_t user_id, const char *code, json_t **out, err_t *e)
{
    int rc = auth_step_up_verify(c, user_id, code, e);
    if (rc < 0)
        return rc;
    rights_export_ctx_t x = {.c = c, .user = user_id};
    str_t exported = {0};
    if ((rc = auth_user_key(c, user_id, &x.dek, e)) < 0)
        return rc;
    x.has_dek = true;
    rc = build(&x, out, &exported, e);
    sec_wipe(&x.dek, sizeof(x.dek));
    json_decref(x.chat);
    if (rc < 0) {
        str_free(&exported);
        return rc;
    }
    char actor[32];
    snprintf(actor, sizeof(actor), "user:%lld", (long long)user_id);
    rc = audit_append(c,
                      &(audit_entry_t){.actor = actor,
                                       .action = "data.export",
                                       .subject_id = user_id,
                                       .categories = exported.buf},
                      e);
    str_free(&exported);
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
