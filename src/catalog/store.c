/* store.c - writing and reading developments: a document and its keys in
 * one row, its search terms beside it, staff changes in the audit trail
 * (no personal data: detail names the development only). */
#include "catalog/catalog_int.h"
#include "audit/audit.h"
#include "core/ids.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static db_arg_t opt_i64(bool has, int64_t v)
{
    return has ? DB_I64(v) : DB_NULL;
}

/* Gives every layout without one an id. */
static void layout_ids(json_t *doc)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(doc, "layouts"), i, l)
    {
        if (json_is_string(json_object_get(l, "id")))
            continue;
        char buf[24];
        ids_format(ids_next(), buf);
        json_object_set_new(l, "id", json_string(buf));
    }
}

#define MAX_TERMS 600

/* Every run of one, two and three adjacent code points of each line of
 * s, each once, into terms (borrowing s). */
static size_t split_terms(const char *s, const char **terms, size_t *lens)
{
    size_t n = 0;
    while (*s) {
        const char *prev = NULL, *prev2 = NULL;
        while (*s && *s != '\n') {
            const char *cp = s++;
            while ((*s & 0xC0) == 0x80)
                s++;
            const char *t[3] = {cp, prev, prev2};
            size_t l[3] = {(size_t)(s - cp), prev ? (size_t)(s - prev) : 0,
                           prev2 ? (size_t)(s - prev2) : 0};
            for (int k = 0; k < 3; k++) {
                bool seen = l[k] == 0;
                for (size_t j = 0; !seen && j < n; j++)
                    seen = lens[j] == l[k] && memcmp(terms[j], t[k], l[k]) == 0;
                if (!seen && n < MAX_TERMS) {
                    terms[n] = t[k];
                    lens[n++] = l[k];
                }
            }
            prev2 = prev;
            prev = cp;
        }
        if (*s == '\n')
            s++;
    }
    return n;
}

/* Replaces the search terms of development id with those of s, keeping
 * the count of developments per term. */
static int write_terms(app_ctx_t *c, int64_t id, const char *s, err_t *e)
{
    const char *terms[MAX_TERMS];
    size_t lens[MAX_TERMS], n = split_terms(s, terms, lens);
    int rc = (int)db_exec(c->db,
                          "UPDATE development_term_stats SET n = n - 1 WHERE term IN "
                          "(SELECT term FROM development_terms WHERE development_id = $1)",
                          DB_ARGS(DB_I64(id)), e);
    if (rc >= 0)
        rc = (int)db_exec(c->db, "DELETE FROM development_terms WHERE development_id = $1",
                          DB_ARGS(DB_I64(id)), e);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        rc = db_exec_later(c->db,
                           "INSERT INTO development_terms (term, development_id) VALUES ($1, $2)",
                           DB_ARGS(DB_TEXTN(terms[i], lens[i]), DB_I64(id)), e);
        if (rc == 0)
            rc = db_exec_later(c->db,
                               "INSERT INTO development_term_stats (term, n) VALUES ($1, 1) "
                               "ON CONFLICT (term) DO UPDATE SET n = development_term_stats.n + 1",
                               DB_ARGS(DB_TEXTN(terms[i], lens[i])), e);
    }
    return rc < 0 ? rc : 0;
}

static int audit(app_ctx_t *c, const char *actor, const char *action, int64_t id, err_t *e)
{
    json_t *detail = json_pack("{s:o}", "development_id", ids_json(id));
    audit_entry_t a = {.actor = actor, .action = action, .detail = detail};
    int rc = audit_append(c, &a, e);
    json_decref(detail);
    return rc;
}

/* The fields a row adds to its document. */
static void row_fields(json_t *doc, int64_t id, bool retired, int64_t created, int64_t updated)
{
    json_object_set_new(doc, "id", ids_json(id));
    json_object_set_new(doc, "retired", json_boolean(retired));
    json_object_set_new(doc, "created_at", json_integer(created));
    json_object_set_new(doc, "updated_at", json_integer(updated));
}

/* The list item of doc as row id (new text). */
static char *summary_text(const json_t *doc, int64_t id, int64_t created, int64_t updated)
{
    json_t *s = json_deep_copy(doc);
    catalog_doc_summary(s);
    row_fields(s, id, false, created, updated);
    char *text = json_dumps(s, JSON_COMPACT);
    json_decref(s);
    return text;
}

/* When row id was created (NOT_FOUND when there is none). */
static int created_at(app_ctx_t *c, int64_t id, int64_t *at, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT created_at FROM developments WHERE id = $1",
                    DB_ARGS(DB_I64(id)), e);
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such development");
    if (rc == DB_ROW) {
        *at = db_i64(st, 0);
        db_done(st);
    }
    return rc < 0 ? rc : 0;
}

/* Inserts (update false) or replaces row id with doc and its keys. */
static int write_row(app_ctx_t *c, int64_t id, bool update, json_t *doc, const catalog_keys_t *k,
                     err_t *e)
{
    int64_t now = c->now_ms(), created = now;
    int rc = update ? created_at(c, id, &created, e) : 0;
    if (rc < 0)
        return rc;
    char *text = json_dumps(doc, JSON_COMPACT), *summary = summary_text(doc, id, created, now);
    db_arg_t ext = k->ext_id ? DB_TEXT(k->ext_id) : DB_NULL;
    const db_arg_t *args = DB_ARGS(
        DB_I64(id), ext, DB_TEXT(k->name), DB_TEXT(k->search), DB_TEXT(k->city),
        DB_TEXT(k->district), DB_I64(k->sale_bit), opt_i64(k->has_price, k->price_avg),
        DB_I64(k->price_key), opt_i64(k->has_area, k->area_min), opt_i64(k->has_area, k->area_max),
        DB_I64(k->rooms_mask), DB_I64(k->opening_key), opt_i64(k->has_location, k->lat_e6),
        opt_i64(k->has_location, k->lng_e6), DB_I64(now), DB_TEXT(summary));
    int64_t n =
        update ? db_exec(c->db,
                         "UPDATE developments SET ext_id = $2, name = $3, search = $4, city = $5, "
                         "district = $6, sale_bit = $7, price_avg = $8, price_key = $9, "
                         "area_min = $10, area_max = $11, rooms_mask = $12, opening_key = $13, "
                         "lat_e6 = $14, lng_e6 = $15, updated_at = $16, summary = $17, "
                         "retired_at = NULL WHERE id = $1",
                         args, e)
               : db_exec(c->db,
                         "INSERT INTO developments (id, ext_id, name, search, city, district, "
                         "sale_bit, price_avg, price_key, area_min, area_max, rooms_mask, "
                         "opening_key, lat_e6, lng_e6, created_at, updated_at, summary) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                         "$15, $16, $16, $17)",
                         args, e);
    if (n > 0)
        n = db_exec(c->db,
                    "INSERT INTO development_docs (id, doc) VALUES ($1, $2) "
                    "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                    DB_ARGS(DB_I64(id), DB_TEXT(text)), e);
    free(text);
    free(summary);
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such development");
    return n < 0 ? (int)n : write_terms(c, id, k->search, e);
}

json_t *catalog_row_json(db_stmt_t *st)
{
    size_t len;
    const char *text = db_bytes(st, 1, &len);
    json_t *doc = json_loadb(text, len, 0, NULL);
    if (!doc)
        doc = json_object();
    row_fields(doc, db_i64(st, 0), !db_is_null(st, 2), db_i64(st, 3), db_i64(st, 4));
    return doc;
}

int catalog_get(app_ctx_t *c, int64_t id, bool staff, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, DEV_COLUMNS "WHERE d.id = $1", DB_ARGS(DB_I64(id)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE || (!staff && !db_is_null(st, 2))) {
        if (rc == DB_ROW)
            db_done(st);
        return err_set(e, ERR_NOT_FOUND, NULL, "no such development");
    }
    *out = catalog_row_json(st);
    db_done(st);
    return 0;
}

int catalog_exists(app_ctx_t *c, int64_t id, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT 1 FROM developments WHERE id = $1 AND retired_at IS NULL",
                    DB_ARGS(DB_I64(id)), e);
    if (rc == DB_ROW)
        db_done(st);
    return rc < 0 ? rc : rc == DB_ROW;
}

/* Checks doc, then writes it as development id (created when !update). */
static int save(app_ctx_t *c, const char *actor, int64_t id, bool update, const json_t *in,
                json_t **out, err_t *e)
{
    json_t *doc;
    catalog_keys_t k;
    int rc = catalog_doc_check(in, &doc, &k, e);
    if (rc < 0)
        return rc;
    layout_ids(doc);
    if ((rc = db_begin(c->db, e)) < 0)
        goto out;
    if ((rc = write_row(c, id, update, doc, &k, e)) < 0 ||
        (rc = audit(c, actor, update ? "development.update" : "development.create", id, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        goto out;
    }
    rc = out ? catalog_get(c, id, true, out, e) : 0;
out:
    json_decref(doc);
    return rc;
}

int catalog_create(app_ctx_t *c, const char *actor, const json_t *doc, json_t **out, err_t *e)
{
    return save(c, actor, ids_next(), false, doc, out, e);
}

int catalog_update(app_ctx_t *c, const char *actor, int64_t id, const json_t *doc, json_t **out,
                   err_t *e)
{
    return save(c, actor, id, true, doc, out, e);
}

int catalog_retire(app_ctx_t *c, const char *actor, int64_t id, err_t *e)
{
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    int64_t n = db_exec(c->db,
                        "UPDATE developments SET retired_at = $2, updated_at = $2 "
                        "WHERE id = $1 AND retired_at IS NULL",
                        DB_ARGS(DB_I64(id), DB_I64(c->now_ms())), e);
    if (n == 0)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such development, or retired already");
    if (n < 0 || rc < 0 || (rc = audit(c, actor, "development.retire", id, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : rc;
    }
    return 0;
}

/* The stored document of ext_id as it was written, or NULL; *id its id
 * (0 when none). */
static int by_ext(app_ctx_t *c, const char *ext, int64_t *id, json_t **doc, err_t *e)
{
    db_stmt_t *st;
    *id = 0;
    *doc = NULL;
    int rc = db_one(c->db, &st,
                    "SELECT d.id, x.doc, d.retired_at FROM developments d JOIN development_docs x "
                    "ON x.id = d.id WHERE d.ext_id = $1",
                    DB_ARGS(DB_TEXT(ext)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : 0;
    size_t len;
    const char *text = db_bytes(st, 1, &len);
    *id = db_i64(st, 0);
    if (db_is_null(st, 2)) /* a retired one is brought back, never "unchanged" */
        *doc = json_loadb(text, len, 0, NULL);
    db_done(st);
    return 0;
}

/* Layouts of a line without ids keep those of the stored layouts of the
 * same name, so a re-import changes nothing. */
static void keep_layout_ids(json_t *doc, const json_t *old)
{
    size_t i, j;
    json_t *l, *o;
    json_array_foreach(json_object_get(doc, "layouts"), i, l)
    {
        if (json_object_get(l, "id"))
            continue;
        json_array_foreach(json_object_get(old, "layouts"), j, o)
        {
            if (json_equal(json_object_get(o, "name"), json_object_get(l, "name"))) {
                json_object_set(l, "id", json_object_get(o, "id"));
                break;
            }
        }
    }
}

/* Reads and checks line l: its canonical document (l->_doc), the id it
 * gets and what writing it would do. */
static int prepare(app_ctx_t *c, catalog_line_t *l, err_t *e)
{
    json_error_t je;
    json_t *in = json_loadb(l->text, l->len, JSON_REJECT_DUPLICATES, &je), *old = NULL;
    catalog_keys_t k;
    int rc;
    if (!json_is_object(in)) {
        json_decref(in);
        return err_set(e, ERR_INVALID_JSON, NULL, "not a JSON object%s%s", in ? "" : ": ",
                       in ? "" : je.text);
    }
    if (!json_is_string(json_object_get(in, "ext_id"))) {
        rc = err_set(e, ERR_VALIDATION_FAILED, "ext_id", "an import line needs its ext_id");
        goto out;
    }
    if ((rc = by_ext(c, json_string_value(json_object_get(in, "ext_id")), &l->_id, &old, e)) < 0)
        goto out;
    keep_layout_ids(in, old);
    if ((rc = catalog_doc_check(in, &l->_doc, &k, e)) < 0)
        goto out;
    if (!(l->_keys = malloc(sizeof(k))))
        abort();
    memcpy(l->_keys, &k, sizeof(k)); /* its strings live in _doc, which layout ids do not touch */
    layout_ids(l->_doc);
    l->outcome = old && json_equal(old, l->_doc) ? CATALOG_UNCHANGED
                 : l->_id                        ? CATALOG_UPDATED
                                                 : CATALOG_CREATED;
    if (!l->_id)
        l->_id = ids_next();
out:
    json_decref(in);
    json_decref(old);
    return rc;
}

/* Writes the prepared lines that change something (in the caller's
 * transaction), and one audit record for them. */
static int write_lines(app_ctx_t *c, const char *actor, catalog_line_t *ls, size_t n, size_t only,
                       err_t *e)
{
    int counts[3] = {0};
    for (size_t i = 0; i < n; i++) {
        catalog_line_t *l = &ls[i];
        if (l->err.code || (only != SIZE_MAX && i != only) || l->outcome == CATALOG_UNCHANGED)
            continue;
        int rc = write_row(c, l->_id, l->outcome == CATALOG_UPDATED, l->_doc, l->_keys, e);
        if (rc < 0)
            return rc;
        counts[l->outcome]++;
    }
    if (counts[CATALOG_CREATED] + counts[CATALOG_UPDATED] == 0)
        return 0;
    json_t *detail = json_pack("{s:i, s:i, s:I}", "created", counts[CATALOG_CREATED], "updated",
                               counts[CATALOG_UPDATED], "first_line",
                               (json_int_t)ls[only != SIZE_MAX ? only : 0].number);
    audit_entry_t a = {.actor = actor, .action = "development.import", .detail = detail};
    int rc = audit_append(c, &a, e);
    json_decref(detail);
    return rc;
}

static int write_tx(app_ctx_t *c, const char *actor, catalog_line_t *ls, size_t n, size_t only,
                    err_t *e)
{
    int rc = db_begin(c->db, e);
    if (rc == 0 &&
        ((rc = write_lines(c, actor, ls, n, only, e)) < 0 || (rc = db_commit(c->db, e)) < 0))
        db_rollback(c->db);
    return rc;
}

void catalog_import_batch(app_ctx_t *c, const char *actor, catalog_line_t *ls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        memset(&ls[i].err, 0, sizeof(ls[i].err));
        ls[i]._doc = NULL;
        ls[i]._keys = NULL;
        if (prepare(c, &ls[i], &ls[i].err) < 0 && ls[i].err.code == 0)
            ls[i].err.code = ERR_INTERNAL;
    }
    err_t e = {0};
    /* one transaction for the batch; when it fails, a line at a time, so
     * that only the lines that fail are left out */
    if (write_tx(c, actor, ls, n, SIZE_MAX, &e) < 0) {
        err_clear(&e);
        for (size_t i = 0; i < n; i++)
            if (!ls[i].err.code && ls[i].outcome != CATALOG_UNCHANGED)
                (void)write_tx(c, actor, ls, n, i, &ls[i].err);
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(ls[i]._doc);
        free(ls[i]._keys);
        ls[i]._doc = NULL;
        ls[i]._keys = NULL;
    }
}

int catalog_count(app_ctx_t *c, int64_t *n, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT COUNT(*) FROM developments", DB_NOARGS, e);
    if (rc < 0)
        return rc;
    *n = db_i64(st, 0);
    db_done(st);
    return 0;
}

int catalog_protection(app_ctx_t *c, int64_t id, int *visit_days, int *deal_days, err_t *e)
{
    json_t *d;
    int rc = catalog_get(c, id, false, &d, e);
    if (rc < 0)
        return rc;
    const json_t *v = json_object_get(d, "visit_protection_days");
    const json_t *w = json_object_get(d, "deal_protection_days");
    *visit_days = json_is_integer(v) ? (int)json_integer_value(v) : CATALOG_VISIT_DAYS;
    *deal_days = json_is_integer(w) ? (int)json_integer_value(w) : CATALOG_DEAL_DAYS;
    json_decref(d);
    return 0;
}

int catalog_card(app_ctx_t *c, int64_t id, json_t **out, err_t *e)
{
    json_t *d;
    int rc = catalog_get(c, id, false, &d, e);
    if (rc < 0)
        return rc;
    static const char *const keep[] = {"id",
                                       "name",
                                       "city",
                                       "district",
                                       "address",
                                       "price_text",
                                       "price_notice",
                                       "sale_status_label",
                                       "area",
                                       "tags",
                                       NULL};
    json_t *card = json_object();
    for (int i = 0; keep[i]; i++)
        json_object_set(card, keep[i], json_object_get(d, keep[i]));
    json_object_set_new(card, "development_id", json_incref(json_object_get(d, "id")));
    json_object_del(card, "id");
    json_decref(d);
    *out = card;
    return 0;
}
