/* qa.h - 问答广场 (三.二.2, domain.md §5.6): a signed-in account asks about
 * a development or a city; anyone answers (an approved consultant's answer
 * is marked professional); the asker accepts one answer, once. Every text
 * passes moderation; an account writes at most QA_PER_HOUR questions and
 * answers an hour. Authors delete their own (a question with its
 * answers); staff take either down with a reason its author sees (through
 * reports/). Owns questions and answers. */
#ifndef WLK_QA_H
#define WLK_QA_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define QA_TEXT_MAX 1000 /* characters */
#define QA_PER_HOUR 20

/* Asks about development_id (not 0) or city. NOT_FOUND for a development
 * not in the catalogue; CONTENT_REJECTED; RATE_LIMITED. *out: the
 * Question. */
int qa_ask(app_ctx_t *c, int64_t author, int64_t development_id, const char *city, const char *text,
           json_t **out, err_t *e) __attribute__((warn_unused_result));
/* Questions about a development or a city, newest first:
 * {"items":[Question],"next_cursor"}. VALIDATION_FAILED for a bad cursor. */
int qa_list(app_ctx_t *c, int64_t development_id, const char *city, const char *cursor, int limit,
            json_t **out, err_t *e) __attribute__((warn_unused_result));
/* A question with its answers (the accepted one first, then oldest
 * first). NOT_FOUND. */
int qa_get(app_ctx_t *c, int64_t id, json_t **out, err_t *e) __attribute__((warn_unused_result));
/* Answers question id. NOT_FOUND; CONTENT_REJECTED; RATE_LIMITED. */
int qa_answer(app_ctx_t *c, int64_t author, int64_t id, const char *text, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The asker accepts an answer of their question. FORBIDDEN for anyone
 * else; NOT_FOUND for an answer of another question; CONFLICT when one is
 * accepted already. */
int qa_accept(app_ctx_t *c, int64_t user, int64_t id, int64_t answer_id, err_t *e)
    __attribute__((warn_unused_result));
/* The author deletes their question (with its answers) or answer (an
 * accepted one unmarks its question). NOT_FOUND (not theirs either). */
int qa_delete_question(app_ctx_t *c, int64_t user, int64_t id, err_t *e)
    __attribute__((warn_unused_result));
int qa_delete_answer(app_ctx_t *c, int64_t user, int64_t id, err_t *e)
    __attribute__((warn_unused_result));

/* The account's own questions and answers, taken-down ones with their
 * status and reason: {"questions":[...],"answers":[...]}. */
int qa_mine(app_ctx_t *c, int64_t user, json_t **out, err_t *e) __attribute__((warn_unused_result));
/* For moderation (reports/): the author of a published question or answer
 * (NOT_FOUND), and its takedown inside the caller's transaction (CONFLICT
 * when hidden already). */
int qa_author(app_ctx_t *c, bool answer, int64_t id, int64_t *author, err_t *e)
    __attribute__((warn_unused_result));
int qa_hide(app_ctx_t *c, bool answer, int64_t id, const char *reason, err_t *e)
    __attribute__((warn_unused_result));

#endif
