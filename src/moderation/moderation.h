/* moderation.h - what users publish is checked before it is kept (三.二.2,
 * domain.md §7): the banned words, 广告法 superlatives among them
 * (最佳, 第一, 唯一, 独家, 顶级, 国家级 …), editable by admins (audited),
 * each with the phrases it may stand in (第一 in 第一期). Text is matched
 * folded: full-width forms as ASCII, ASCII case ignored, and spaces,
 * punctuation and zero-width characters between a word's characters
 * skipped (最 佳 and 最.佳 are 最佳). Owns banned_words. */
#ifndef WLK_MODERATION_H
#define WLK_MODERATION_H

#include "app/app.h"
#include "core/err.h"
#include "staff/staff.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MODERATION_WORD_MAX  32  /* characters of a word or an allowed phrase */
#define MODERATION_WORDS_MAX 500 /* words in the list */
#define MODERATION_ALLOW_MAX 20  /* allowed phrases per word */

/* matcher.c: a compiled list, no database. */
typedef struct moderation_list moderation_list_t;
typedef struct moderation_hit {
    size_t start, end; /* code points of the text: [start, end) */
    const char *word;  /* the list's word, borrowed from the list */
} moderation_hit_t;

/* A list from {"items":[{"word","allow":[...]}]} (as moderation_words
 * gives). Returns new; NULL when a word or phrase is empty or too long,
 * with *bad naming it (borrowed from items). */
moderation_list_t *moderation_list_new(const json_t *items, const char **bad);
void moderation_list_free(moderation_list_t *l);
/* The first banned word in UTF-8 text (by position), unless an allowed
 * phrase of that word covers it there. */
bool moderation_match(const moderation_list_t *l, const char *text, moderation_hit_t *hit);

/* Checks a field's text against the stored list: 0, or CONTENT_REJECTED
 * naming the field with "span":{"start","end"} (code points) and "word"
 * in the error. */
int moderation_check(app_ctx_t *c, const char *field, const char *text, err_t *e)
    __attribute__((warn_unused_result));
/* The list: {"items":[{"word","allow":[...],"updated_at"}]}, by word. */
int moderation_words(app_ctx_t *c, json_t **out, err_t *e) __attribute__((warn_unused_result));
/* Replaces the list with items (as above, without updated_at), audited
 * ("moderation.words" with the words added and removed). VALIDATION_FAILED
 * naming the item. */
int moderation_words_put(app_ctx_t *c, const staff_session_t *s, const json_t *items, err_t *e)
    __attribute__((warn_unused_result));

#endif
