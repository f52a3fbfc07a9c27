/* moderation.c - the stored banned-words list: read for every check (a
 * few hundred short rows; every node sees an admin's change at once),
 * replaced whole by an admin with an audit record of what changed. */
#include "moderation/moderation.h"
#include "audit/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int moderation_words(app_ctx_t *c, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st, "SELECT word, allow, updated_at FROM banned_words ORDER BY word",
                      DB_NOARGS, e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        size_t n;
        const char *allow = (const char *)db_bytes(st, 1, &n);
        json_t *a = json_loadb(allow, n, 0, NULL);
        json_array_append_new(items, json_pack("{s:s, s:o, s:I}", "word",
                                               (const char *)db_bytes(st, 0, &(size_t){0}), "allow",
                                               json_is_array(a) ? a : json_array(), "updated_at",
                                               (json_int_t)db_i64(st, 2)));
        if (a && !json_is_array(a))
            json_decref(a);
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    db_done(st);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int moderation_check(app_ctx_t *c, const char *field, const char *text, err_t *e)
{
    if (!text || !*text)
        return 0;
    json_t *list;
    int rc = moderation_words(c, &list, e);
    if (rc < 0)
        return rc;
    const char *bad = NULL;
    moderation_list_t *l = moderation_list_new(json_object_get(list, "items"), &bad);
    json_decref(list);
    if (!l) /* the stored list is checked on write: this is a damaged row */
        return err_internal(e, "banned_words: a stored word does not compile");
    moderation_hit_t hit;
    if (moderation_match(l, text, &hit)) {
        rc = err_set(e, ERR_CONTENT_REJECTED, field, "contains 「%s」", hit.word);
        err_extra(
            e, "span",
            json_pack("{s:I, s:I}", "start", (json_int_t)hit.start, "end", (json_int_t)hit.end));
        err_extra(e, "word", json_string(hit.word));
    }
    moderation_list_free(l);
    return rc;
}

/* The words of items not in other, as a JSON array. */
static json_t *missing(const json_t *items, const json_t *other)
{
    json_t *out = json_array();
    size_t i, j;
    const json_t *a, *b;
    json_array_foreach(items, i, a)
    {
        const char *w = json_string_value(json_object_get(a, "word"));
        bool found = false;
        json_array_foreach(other, j, b)
        {
            const char *v = json_string_value(json_object_get(b, "word"));
            found = found || (w && v && strcmp(w, v) == 0);
        }
        if (!found && w)
            json_array_append_new(out, json_string(w));
    }
    return out;
}

static int check_items(const json_t *items, err_t *e)
{
    if (!json_is_array(items) || json_array_size(items) > MODERATION_WORDS_MAX)
        return err_set(e, ERR_VALIDATION_FAILED, "items", "an array of at most %d words",
                       MODERATION_WORDS_MAX);
    size_t i, j;
    const json_t *it, *other;
    json_array_foreach(items, i, it)
    {
        char field[32];
        snprintf(field, sizeof(field), "items[%zu]", i);
        const json_t *allow = json_object_get(it, "allow");
        const char *w = json_string_value(json_object_get(it, "word"));
        if (!json_is_object(it) || !w || (allow && !json_is_array(allow)) ||
            json_object_size(it) > (allow ? 2u : 1u))
            return err_set(e, ERR_VALIDATION_FAILED, field, "{\"word\", \"allow\": [...]}");
        json_array_foreach(items, j, other)
        {
            const char *v = json_string_value(json_object_get(other, "word"));
            if (j < i && v && strcmp(v, w) == 0)
                return err_set(e, ERR_VALIDATION_FAILED, field, "「%s」 twice", w);
        }
    }
    const char *bad = NULL;
    moderation_list_t *l = moderation_list_new(items, &bad);
    if (!l)
        return err_set(e, ERR_VALIDATION_FAILED, "items",
                       "「%.60s」: 1 to %d characters, no spaces or punctuation", bad,
                       MODERATION_WORD_MAX);
    moderation_list_free(l);
    return 0;
}

int moderation_words_put(app_ctx_t *c, const staff_session_t *s, const json_t *items, err_t *e)
{
    json_t *before;
    int rc;
    if ((rc = check_items(items, e)) < 0 || (rc = moderation_words(c, &before, e)) < 0)
        return rc;
    int64_t now = c->now_ms();
    if ((rc = db_begin(c->db, e)) < 0) {
        json_decref(before);
        return rc;
    }
    int64_t n = db_exec(c->db, "DELETE FROM banned_words", DB_NOARGS, e);
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
    {
        const json_t *allow = json_object_get(it, "allow");
        char *a = allow ? json_dumps(allow, JSON_COMPACT) : strdup("[]");
        if (n >= 0)
            n = db_exec(c->db,
                        "INSERT INTO banned_words (word, allow, updated_at) VALUES ($1, $2, $3)",
                        DB_ARGS(DB_TEXT(json_string_value(json_object_get(it, "word"))), DB_TEXT(a),
                                DB_I64(now)),
                        e);
        free(a);
    }
    char actor[80];
    staff_actor(s, actor);
    json_t *old = json_object_get(before, "items");
    json_t *detail = json_pack("{s:o, s:o, s:I}", "added", missing(items, old), "removed",
                               missing(old, items), "count", (json_int_t)json_array_size(items));
    audit_entry_t ae = {.actor = actor, .action = "moderation.words", .detail = detail};
    if (n < 0 || (rc = audit_append(c, &ae, e)) < 0 || (rc = db_commit(c->db, e)) < 0) {
        db_rollback(c->db);
        rc = n < 0 ? (int)n : rc;
    }
    json_decref(detail);
    json_decref(before);
    return rc;
}
