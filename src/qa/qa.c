/* qa.c - the questions and answers tables. */
#include "qa/qa.h"
#include "auth/auth.h"
#include "binding/binding.h"
#include "catalog/catalog.h"
#include "core/ids.h"
#include "moderation/moderation.h"

#include <stdio.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define Q_COLUMNS                                                                                  \
    "SELECT q.id, q.author_id, q.development_id, q.city, q.text, q.accepted_answer_id, "           \
    "q.created_at, (SELECT COUNT(*) FROM answers a WHERE a.question_id = q.id AND a.status = "     \
    "'published'), q.status, q.hidden_reason FROM questions q "
#define A_COLUMNS                                                                                  \
    "SELECT id, question_id, author_id, text, professional, created_at, status, hidden_reason "    \
    "FROM answers "

static json_t *author(app_ctx_t *c, int64_t id, bool professional)
{
    json_t *a = auth_user_brief(c, id);
    json_object_set_new(a, "professional", json_boolean(professional));
    return a;
}

static json_t *opt_id(db_stmt_t *st, int col)
{
    return db_is_null(st, col) ? json_null() : ids_json(db_i64(st, col));
}

/* A taken-down item, for its author: its status and why. */
static json_t *with_status(json_t *o, db_stmt_t *st, int col)
{
    json_object_set_new(o, "status", json_string((const char *)db_bytes(st, col, &(size_t){0})));
    json_object_set_new(o, "hidden_reason",
                        db_is_null(st, col + 1)
                            ? json_null()
                            : json_string((const char *)db_bytes(st, col + 1, &(size_t){0})));
    return o;
}

static json_t *question_json(app_ctx_t *c, db_stmt_t *st)
{
    return json_pack(
        "{s:o, s:o, s:o, s:o, s:s, s:o, s:I, s:I}", "id", ids_json(db_i64(st, 0)), "author",
        author(c, db_i64(st, 1), false), "development_id", opt_id(st, 2), "city",
        db_is_null(st, 3) ? json_null() : json_string((const char *)db_bytes(st, 3, &(size_t){0})),
        "text", (const char *)db_bytes(st, 4, &(size_t){0}), "accepted_answer_id", opt_id(st, 5),
        "created_at", (json_int_t)db_i64(st, 6), "answers", (json_int_t)db_i64(st, 7));
}

static json_t *answer_json(app_ctx_t *c, db_stmt_t *st)
{
    return json_pack(
        "{s:o, s:o, s:o, s:s, s:I}", "id", ids_json(db_i64(st, 0)), "question_id",
        ids_json(db_i64(st, 1)), "author", author(c, db_i64(st, 2), db_i64(st, 4) != 0), "text",
        (const char *)db_bytes(st, 3, &(size_t){0}), "created_at", (json_int_t)db_i64(st, 5));
}

/* Moderation and the hourly limit over both tables. */
static int may_write(app_ctx_t *c, int64_t user, const char *text, err_t *e)
{
    int rc = moderation_check(c, "text", text, e);
    if (rc < 0)
        return rc;
    db_stmt_t *st;
    int64_t since = c->now_ms() - HOUR_MS;
    rc = db_one(c->db, &st,
                "SELECT (SELECT COUNT(*) FROM questions WHERE author_id = $1 AND created_at > $2) "
                "+ (SELECT COUNT(*) FROM answers WHERE author_id = $1 AND created_at > $2)",
                DB_ARGS(DB_I64(user), DB_I64(since)), e);
    if (rc < 0)
        return rc;
    int64_t n = rc == DB_ROW ? db_i64(st, 0) : 0;
    if (rc == DB_ROW)
        db_done(st);
    if (n >= QA_PER_HOUR) {
        rc = err_set(e, ERR_RATE_LIMITED, NULL, "at most %d questions and answers an hour",
                     QA_PER_HOUR);
        err_retry_in(e, HOUR_MS);
        return rc;
    }
    return 0;
}

static int one_question(app_ctx_t *c, int64_t id, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, Q_COLUMNS "WHERE q.id = $1 AND q.status = 'published'",
                    DB_ARGS(DB_I64(id)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such question");
    *out = question_json(c, st);
    db_done(st);
    return 0;
}

int qa_ask(app_ctx_t *c, int64_t user, int64_t dev, const char *city, const char *text,
           json_t **out, err_t *e)
{
    int rc;
    if (dev && (rc = catalog_exists(c, dev, e)) <= 0)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, "development_id", "no such development");
    if ((rc = may_write(c, user, text, e)) < 0)
        return rc;
    int64_t id = ids_next();
    int64_t n = db_exec(c->db,
                        "INSERT INTO questions (id, author_id, development_id, city, text, "
                        "status, created_at) VALUES ($1, $2, $3, $4, $5, 'published', $6)",
                        DB_ARGS(DB_I64(id), DB_I64(user), dev ? DB_I64(dev) : DB_NULL,
                                city ? DB_TEXT(city) : DB_NULL, DB_TEXT(text), DB_I64(c->now_ms())),
                        e);
    return n < 0 ? (int)n : one_question(c, id, out, e);
}

int qa_list(app_ctx_t *c, int64_t dev, const char *city, const char *cursor, int limit,
            json_t **out, err_t *e)
{
    int64_t at = INT64_MAX, after = INT64_MAX;
    if (cursor && !ids_cursor_parse(cursor, &at, &after))
        return err_set(e, ERR_VALIDATION_FAILED, "cursor", "not a cursor of this list");
    db_stmt_t *st;
    int rc =
        dev ? db_query(c->db, &st,
                       Q_COLUMNS "WHERE q.development_id = $1 AND q.status = 'published' AND "
                                 "(q.created_at < $2 OR "
                                 "(q.created_at = $2 AND q.id < $3)) ORDER BY q.created_at "
                                 "DESC, q.id DESC LIMIT $4",
                       DB_ARGS(DB_I64(dev), DB_I64(at), DB_I64(after), DB_I64(limit + 1)), e)
            : db_query(c->db, &st,
                       Q_COLUMNS "WHERE q.city = $1 AND q.status = 'published' AND "
                                 "(q.created_at < $2 OR (q.created_at "
                                 "= $2 AND q.id < $3)) ORDER BY q.created_at DESC, q.id DESC "
                                 "LIMIT $4",
                       DB_ARGS(DB_TEXT(city), DB_I64(at), DB_I64(after), DB_I64(limit + 1)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array(), *next = json_null();
    int64_t last_at = 0, last_id = 0;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if ((int)json_array_size(items) == limit) { /* one more row: there is a next page */
            json_decref(next);
            next = ids_cursor_json(last_at, last_id);
            break;
        }
        last_at = db_i64(st, 6);
        last_id = db_i64(st, 0);
        json_array_append_new(items, question_json(c, st));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return 0;
}

int qa_get(app_ctx_t *c, int64_t id, json_t **out, err_t *e)
{
    json_t *q;
    int rc = one_question(c, id, &q, e);
    if (rc < 0)
        return rc;
    db_stmt_t *st;
    const char *acc = json_string_value(json_object_get(q, "accepted_answer_id"));
    int64_t accepted = 0;
    if (acc)
        ids_parse(acc, strlen(acc), &accepted);
    if ((rc = db_query(c->db, &st,
                       A_COLUMNS "WHERE question_id = $1 AND status = 'published' ORDER BY "
                                 "id = $2 DESC, created_at, id",
                       DB_ARGS(DB_I64(id), DB_I64(accepted)), e)) < 0) {
        json_decref(q);
        return rc;
    }
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW)
        json_array_append_new(items, answer_json(c, st));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        json_decref(q);
        return rc;
    }
    json_object_set_new(q, "answer_items", items);
    *out = q;
    return 0;
}

int qa_answer(app_ctx_t *c, int64_t user, int64_t id, const char *text, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT 1 FROM questions WHERE id = $1 AND status = 'published'",
                    DB_ARGS(DB_I64(id)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such question");
    db_done(st);
    bool pro;
    if ((rc = may_write(c, user, text, e)) < 0 ||
        (rc = binding_is_bound(c, user, 0, false, &pro, e)) < 0)
        return rc;
    int64_t aid = ids_next();
    int64_t n = db_exec(c->db,
                        "INSERT INTO answers (id, question_id, author_id, text, professional, "
                        "status, created_at) VALUES ($1, $2, $3, $4, $5, 'published', $6)",
                        DB_ARGS(DB_I64(aid), DB_I64(id), DB_I64(user), DB_TEXT(text), DB_I64(pro),
                                DB_I64(c->now_ms())),
                        e);
    if (n < 0)
        return (int)n;
    if ((rc = db_one(c->db, &st, A_COLUMNS "WHERE id = $1", DB_ARGS(DB_I64(aid)), e)) != DB_ROW)
        return rc < 0 ? rc : err_internal(e, "answer %lld vanished", (long long)aid);
    *out = answer_json(c, st);
    db_done(st);
    return 0;
}

int qa_accept(app_ctx_t *c, int64_t user, int64_t id, int64_t answer_id, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT author_id, accepted_answer_id FROM questions WHERE id = $1",
                    DB_ARGS(DB_I64(id)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "no such question");
    int64_t asker = db_i64(st, 0);
    bool taken = !db_is_null(st, 1);
    db_done(st);
    if (asker != user)
        return err_set(e, ERR_FORBIDDEN, NULL, "only the asker accepts an answer");
    if (taken)
        return err_set(e, ERR_CONFLICT, NULL, "an answer is accepted already");
    int64_t n = db_exec(c->db,
                        "UPDATE questions SET accepted_answer_id = $2 WHERE id = $1 AND "
                        "accepted_answer_id IS NULL AND EXISTS (SELECT 1 FROM answers WHERE id = "
                        "$2 AND question_id = $1 AND status = 'published')",
                        DB_ARGS(DB_I64(id), DB_I64(answer_id)), e);
    return n < 0    ? (int)n
           : n == 0 ? err_set(e, ERR_NOT_FOUND, "answer_id", "no such answer to this question")
                    : 0;
}

int qa_delete_question(app_ctx_t *c, int64_t user, int64_t id, err_t *e)
{
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    int64_t n = db_exec(c->db, "DELETE FROM questions WHERE id = $1 AND author_id = $2",
                        DB_ARGS(DB_I64(id), DB_I64(user)), e);
    if (n == 0)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no question of yours");
    int64_t m =
        n > 0 ? db_exec(c->db, "DELETE FROM answers WHERE question_id = $1", DB_ARGS(DB_I64(id)), e)
              : 0;
    if (n < 0 || m < 0 || rc < 0 || (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : m < 0 ? (int)m : rc;
    }
    return 0;
}

int qa_delete_answer(app_ctx_t *c, int64_t user, int64_t id, err_t *e)
{
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    int64_t n = db_exec(c->db, "DELETE FROM answers WHERE id = $1 AND author_id = $2",
                        DB_ARGS(DB_I64(id), DB_I64(user)), e);
    if (n == 0)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no answer of yours");
    int64_t m = n > 0 ? db_exec(c->db,
                                "UPDATE questions SET accepted_answer_id = NULL WHERE "
                                "accepted_answer_id = $1",
                                DB_ARGS(DB_I64(id)), e)
                      : 0;
    if (n < 0 || m < 0 || rc < 0 || (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        return n < 0 ? (int)n : m < 0 ? (int)m : rc;
    }
    return 0;
}

int qa_mine(app_ctx_t *c, int64_t user, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_query(c->db, &st, Q_COLUMNS "WHERE q.author_id = $1 ORDER BY q.created_at DESC, q.id",
                 DB_ARGS(DB_I64(user)), e);
    if (rc < 0)
        return rc;
    json_t *qs = json_array(), *as = json_array();
    while ((rc = db_step(st, e)) == DB_ROW)
        json_array_append_new(qs, with_status(question_json(c, st), st, 8));
    db_done(st);
    if (rc >= 0 &&
        (rc = db_query(c->db, &st, A_COLUMNS "WHERE author_id = $1 ORDER BY created_at DESC, id",
                       DB_ARGS(DB_I64(user)), e)) >= 0) {
        while ((rc = db_step(st, e)) == DB_ROW)
            json_array_append_new(as, with_status(answer_json(c, st), st, 6));
        db_done(st);
    }
    if (rc < 0) {
        json_decref(qs);
        json_decref(as);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "questions", qs, "answers", as);
    return 0;
}

int qa_author(app_ctx_t *c, bool answer, int64_t id, int64_t *author, err_t *e)
{
    db_stmt_t *st;
    int rc = answer ? db_one(c->db, &st,
                             "SELECT author_id FROM answers WHERE id = $1 AND status = 'published'",
                             DB_ARGS(DB_I64(id)), e)
                    : db_one(c->db, &st,
                             "SELECT author_id FROM questions WHERE id = $1 AND status = "
                             "'published'",
                             DB_ARGS(DB_I64(id)), e);
    if (rc != DB_ROW)
        return rc < 0
                   ? rc
                   : err_set(e, ERR_NOT_FOUND, NULL, "no such %s", answer ? "answer" : "question");
    *author = db_i64(st, 0);
    db_done(st);
    return 0;
}

int qa_hide(app_ctx_t *c, bool answer, int64_t id, const char *reason, err_t *e)
{
    int64_t n = answer ? db_exec(c->db,
                                 "UPDATE answers SET status = 'hidden', hidden_reason = $2 WHERE "
                                 "id = $1 AND status = 'published'",
                                 DB_ARGS(DB_I64(id), DB_TEXT(reason)), e)
                       : db_exec(c->db,
                                 "UPDATE questions SET status = 'hidden', hidden_reason = $2 "
                                 "WHERE id = $1 AND status = 'published'",
                                 DB_ARGS(DB_I64(id), DB_TEXT(reason)), e);
    return n < 0 ? (int)n : n == 0 ? err_set(e, ERR_CONFLICT, NULL, "taken down already") : 0;
}
