/* reviews.c - the reviews table: one row per account per development,
 * published or taken down; summaries computed from the published rows. */
#include "reviews/reviews.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "binding/binding.h"
#include "catalog/catalog.h"
#include "core/ids.h"
#include "core/jread.h"
#include "moderation/moderation.h"

#include <stdio.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define COLUMNS                                                                                    \
    "SELECT id, development_id, author_id, price, location, transport, amenities, environment, "   \
    "text, professional, status, hidden_reason, created_at, updated_at FROM reviews "

static json_t *tenths(int64_t t)
{
    return json_real((double)t / 10.0);
}

/* The Review of a COLUMNS row; mine adds its status and takedown reason. */
static json_t *row_json(app_ctx_t *c, db_stmt_t *st, bool mine)
{
    json_t *scores = json_object();
    int64_t sum = 0;
    for (int i = 0; i < REVIEWS_DIMENSIONS; i++) {
        int64_t v = db_i64(st, 3 + i);
        sum += v;
        json_object_set_new(scores, reviews_dimensions[i], json_integer(v));
    }
    json_t *author = auth_user_brief(c, db_i64(st, 2));
    json_object_set_new(author, "professional", json_boolean(db_i64(st, 9) != 0));
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:s, s:I, s:I}", "id", ids_json(db_i64(st, 0)),
                          "development_id", ids_json(db_i64(st, 1)), "author", author, "scores",
                          scores, "overall", tenths(reviews_mean_tenths(sum, REVIEWS_DIMENSIONS)),
                          "text", (const char *)db_bytes(st, 8, &(size_t){0}), "created_at",
                          (json_int_t)db_i64(st, 12), "updated_at", (json_int_t)db_i64(st, 13));
    if (mine) {
        json_object_set_new(o, "status", json_string((const char *)db_bytes(st, 10, &(size_t){0})));
        json_object_set_new(o, "hidden_reason",
                            db_is_null(st, 11)
                                ? json_null()
                                : json_string((const char *)db_bytes(st, 11, &(size_t){0})));
    }
    return o;
}

static int one(app_ctx_t *c, int64_t author, int64_t dev, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, COLUMNS "WHERE development_id = $1 AND author_id = $2",
                    DB_ARGS(DB_I64(dev), DB_I64(author)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no review of yours here");
    *out = row_json(c, st, true);
    db_done(st);
    return 0;
}

static int may_write(app_ctx_t *c, int64_t author, int64_t dev, const review_in_t *in, bool *pro,
                     err_t *e)
{
    int rc = catalog_exists(c, dev, e);
    if (rc <= 0)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such development");
    bool own;
    if ((rc = binding_is_bound(c, author, dev, false, &own, e)) < 0 ||
        (rc = binding_is_bound(c, author, 0, false, pro, e)) < 0)
        return rc;
    if (own)
        return err_set(e, ERR_FORBIDDEN, NULL, "a development's own consultants cannot review it");
    for (int i = 0; i < REVIEWS_DIMENSIONS; i++)
        if (in->scores[i] < 1 || in->scores[i] > 5)
            return err_set(e, ERR_VALIDATION_FAILED, reviews_dimensions[i], "1 to 5");
    if ((rc = moderation_check(c, "text", in->text, e)) < 0)
        return rc;
    db_stmt_t *st;
    rc = db_one(c->db, &st, "SELECT COUNT(*) FROM reviews WHERE author_id = $1 AND updated_at > $2",
                DB_ARGS(DB_I64(author), DB_I64(c->now_ms() - HOUR_MS)), e);
    if (rc < 0)
        return rc;
    int64_t n = rc == DB_ROW ? db_i64(st, 0) : 0;
    if (rc == DB_ROW)
        db_done(st);
    if (n >= REVIEWS_PER_HOUR) {
        rc = err_set(e, ERR_RATE_LIMITED, NULL, "at most %d reviews an hour", REVIEWS_PER_HOUR);
        err_retry_in(e, HOUR_MS);
        return rc;
    }
    return 0;
}

int reviews_put(app_ctx_t *c, int64_t author, int64_t dev, const review_in_t *in, bool create,
                json_t **out, err_t *e)
{
    bool pro;
    int rc = may_write(c, author, dev, in, &pro, e);
    if (rc < 0)
        return rc;
    int64_t now = c->now_ms(), n;
    const int *s = in->scores;
    if (create)
        n = db_exec(c->db,
                    "INSERT INTO reviews (id, development_id, author_id, price, location, "
                    "transport, amenities, environment, text, professional, status, created_at, "
                    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'published', "
                    "$11, $11) ON CONFLICT (development_id, author_id) DO NOTHING",
                    DB_ARGS(DB_I64(ids_next()), DB_I64(dev), DB_I64(author), DB_I64(s[0]),
                            DB_I64(s[1]), DB_I64(s[2]), DB_I64(s[3]), DB_I64(s[4]),
                            DB_TEXT(in->text), DB_I64(pro), DB_I64(now)),
                    e);
    else
        n = db_exec(c->db,
                    "UPDATE reviews SET price = $3, location = $4, transport = $5, amenities = "
                    "$6, environment = $7, text = $8, professional = $9, updated_at = $10 WHERE "
                    "development_id = $1 AND author_id = $2",
                    DB_ARGS(DB_I64(dev), DB_I64(author), DB_I64(s[0]), DB_I64(s[1]), DB_I64(s[2]),
                            DB_I64(s[3]), DB_I64(s[4]), DB_TEXT(in->text), DB_I64(pro),
                            DB_I64(now)),
                    e);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return create ? err_set(e, ERR_CONFLICT, NULL, "you have reviewed it: edit your review")
                      : err_set(e, ERR_NOT_FOUND, NULL, "no review of yours here");
    return one(c, author, dev, out, e);
}

int reviews_delete(app_ctx_t *c, int64_t author, int64_t dev, err_t *e)
{
    int64_t n = db_exec(c->db, "DELETE FROM reviews WHERE development_id = $1 AND author_id = $2",
                        DB_ARGS(DB_I64(dev), DB_I64(author)), e);
    return n < 0 ? (int)n : n == 0 ? err_set(e, ERR_NOT_FOUND, NULL, "no review of yours here") : 0;
}

static int summary(app_ctx_t *c, int64_t dev, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT COUNT(*), COALESCE(SUM(price), 0), COALESCE(SUM(location), 0), "
                    "COALESCE(SUM(transport), 0), COALESCE(SUM(amenities), 0), "
                    "COALESCE(SUM(environment), 0) FROM reviews WHERE development_id = $1 AND "
                    "status = 'published'",
                    DB_ARGS(DB_I64(dev)), e);
    if (rc < 0)
        return rc;
    int64_t n = 0, all = 0;
    json_t *scores = json_object();
    if (rc == DB_ROW) {
        n = db_i64(st, 0);
        for (int i = 0; i < REVIEWS_DIMENSIONS; i++) {
            int64_t sum = db_i64(st, 1 + i);
            all += sum;
            json_object_set_new(scores, reviews_dimensions[i],
                                n ? tenths(reviews_mean_tenths(sum, n)) : json_null());
        }
        db_done(st);
    }
    *out = json_pack("{s:I, s:o, s:o}", "count", (json_int_t)n, "scores", scores, "overall",
                     n ? tenths(reviews_mean_tenths(all, n * REVIEWS_DIMENSIONS)) : json_null());
    return 0;
}

int reviews_list(app_ctx_t *c, int64_t dev, const char *cursor, int limit, json_t **out, err_t *e)
{
    int64_t at = INT64_MAX, id = INT64_MAX;
    if (cursor && !ids_cursor_parse(cursor, &at, &id))
        return err_set(e, ERR_VALIDATION_FAILED, "cursor", "not a cursor of this list");
    int rc = catalog_exists(c, dev, e);
    if (rc <= 0)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such development");
    json_t *sum;
    if ((rc = summary(c, dev, &sum, e)) < 0)
        return rc;
    db_stmt_t *st;
    if ((rc = db_query(c->db, &st,
                       COLUMNS "WHERE development_id = $1 AND status = 'published' AND "
                               "(created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY "
                               "created_at DESC, id DESC LIMIT $4",
                       DB_ARGS(DB_I64(dev), DB_I64(at), DB_I64(id), DB_I64(limit + 1)), e)) < 0) {
        json_decref(sum);
        return rc;
    }
    json_t *items = json_array(), *next = json_null();
    int64_t last_at = 0, last_id = 0;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if ((int)json_array_size(items) == limit) { /* one more row: there is a next page */
            json_decref(next);
            next = ids_cursor_json(last_at, last_id);
            break;
        }
        last_at = db_i64(st, 12);
        last_id = db_i64(st, 0);
        json_array_append_new(items, row_json(c, st, false));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        json_decref(next);
        json_decref(sum);
        return rc;
    }
    *out = json_pack("{s:o, s:o, s:o}", "summary", sum, "items", items, "next_cursor", next);
    return 0;
}

int reviews_mine(app_ctx_t *c, int64_t author, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st, COLUMNS "WHERE author_id = $1 ORDER BY updated_at DESC, id DESC",
                      DB_ARGS(DB_I64(author)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW)
        json_array_append_new(items, row_json(c, st, true));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int reviews_recent(app_ctx_t *c, const char *status, int limit, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_query(c->db, &st, COLUMNS "WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                 DB_ARGS(DB_TEXT(status), DB_I64(limit)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW)
        json_array_append_new(items, row_json(c, st, true));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *ds = json_string_value(json_object_get(it, "development_id"));
        int64_t dev;
        json_t *card;
        err_t ce = {0};
        if (ds && ids_parse(ds, strlen(ds), &dev) && catalog_card(c, dev, &card, &ce) == 0) {
            json_object_set(it, "development_name", json_object_get(card, "name"));
            json_decref(card);
        }
        err_clear(&ce);
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int reviews_author(app_ctx_t *c, int64_t id, int64_t *author, err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_one(c->db, &st, "SELECT author_id FROM reviews WHERE id = $1 AND status = 'published'",
               DB_ARGS(DB_I64(id)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such review");
    *author = db_i64(st, 0);
    db_done(st);
    return 0;
}

int reviews_hide(app_ctx_t *c, int64_t id, const char *reason, err_t *e)
{
    int64_t n = db_exec(c->db,
                        "UPDATE reviews SET status = 'hidden', hidden_reason = $2 WHERE id = $1 "
                        "AND status = 'published'",
                        DB_ARGS(DB_I64(id), DB_TEXT(reason)), e);
    return n < 0 ? (int)n : n == 0 ? err_set(e, ERR_CONFLICT, NULL, "taken down already") : 0;
}

int reviews_takedown(app_ctx_t *c, const staff_session_t *s, int64_t id, const char *reason,
                     err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_one(c->db, &st, "SELECT author_id, status, development_id FROM reviews WHERE id = $1",
               DB_ARGS(DB_I64(id)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such review");
    int64_t author = db_i64(st, 0), dev = db_i64(st, 2);
    bool hidden = strcmp((const char *)db_bytes(st, 1, &(size_t){0}), "hidden") == 0;
    db_done(st);
    if (hidden)
        return err_set(e, ERR_CONFLICT, NULL, "taken down already");
    if ((rc = db_begin(c->db, e)) < 0)
        return rc;
    char actor[80];
    staff_actor(s, actor);
    json_t *detail =
        json_pack("{s:o, s:o}", "review_id", ids_json(id), "development_id", ids_json(dev));
    audit_entry_t a = {.actor = actor,
                       .action = "review.takedown",
                       .subject_id = author,
                       .categories = "published_content",
                       .reason = reason,
                       .detail = detail};
    if ((rc = reviews_hide(c, id, reason, e)) < 0 || (rc = audit_append(c, &a, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0)
        db_rollback(c->db);
    json_decref(detail);
    return rc;
}
