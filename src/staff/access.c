/* access.c - what staff see of a user: masked by default, in clear only
 * per category, for a role allowed that category, with a stated reason,
 * and never without an audit record of the read. The categories and where
 * they are sealed come from the data map. */
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/ids.h"
#include "core/jread.h"
#include "core/log.h"
#include "core/str.h"
#include "privacy/privacy.h"
#include "staff/staff_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who may reveal what (六.二.3): support answers requests, admins act on
 * a stated reason, reviewers see the profile they review; auditors see no
 * personal data at all. */
static const struct {
    const char *category;
    unsigned roles;
} revealable[] = {
    {"phone", STAFF_ROLE_ADMIN | STAFF_ROLE_SUPPORT},
    {"nickname", STAFF_ROLE_ADMIN | STAFF_ROLE_SUPPORT | STAFF_ROLE_REVIEWER},
};
#define NREVEALABLE (sizeof(revealable) / sizeof(revealable[0]))
#define MAX_STORES  64 /* rows of privacy_stores looked at */

static int find_revealable(const char *cat)
{
    for (size_t i = 0; i < NREVEALABLE; i++)
        if (strcmp(revealable[i].category, cat) == 0)
            return (int)i;
    return -1;
}

/* The users column and sealing place of a category (data map). */
static const privacy_store_t *user_store(const char *cat)
{
    for (size_t i = 0; i < privacy_stores_count && i < MAX_STORES; i++)
        if (strcmp(privacy_stores[i].category, cat) == 0 &&
            strcmp(privacy_stores[i].table, "users") == 0 &&
            privacy_store_sealed(&privacy_stores[i]))
            return &privacy_stores[i];
    return NULL;
}

json_t *staff_revealable(unsigned role)
{
    json_t *a = json_array();
    for (size_t i = 0; i < NREVEALABLE; i++)
        if (revealable[i].roles & role)
            json_array_append_new(a, json_string(revealable[i].category));
    return a;
}

void staff_actor(const staff_session_t *s, char out[80])
{
    snprintf(out, 80, "staff:%s", s->name);
}

int staff_reason_check(const char *reason, err_t *e)
{
    size_t n = reason ? jread_utf8_len(reason, strlen(reason)) : 0;
    if (n < STAFF_REASON_MIN || n > STAFF_REASON_MAX)
        return err_set(e, ERR_VALIDATION_FAILED, "reason", "state why, in %d to %d characters",
                       STAFF_REASON_MIN, STAFF_REASON_MAX);
    return 0;
}

int staff_may_reveal(unsigned role, const char *const *cats, int n, err_t *e)
{
    for (int i = 0; i < n; i++) {
        int k = find_revealable(cats[i]);
        if (k < 0)
            return err_set(e, ERR_VALIDATION_FAILED, "categories", "unknown category");
        if ((revealable[k].roles & role) == 0)
            return err_set(e, ERR_FORBIDDEN, "categories", "your role may not see %s",
                           revealable[k].category);
    }
    return 0;
}

int staff_user_fields(app_ctx_t *c, int64_t user_id, const char *const *cats, int n, json_t *obj,
                      err_t *e)
{
    sec_key_t dek;
    int rc = auth_user_key(c, user_id, &dek, e);
    for (int i = 0; rc >= 0 && i < n; i++) {
        const privacy_store_t *ps = find_revealable(cats[i]) >= 0 ? user_store(cats[i]) : NULL;
        json_t *v;
        if (ps == NULL)
            rc = err_set(e, ERR_VALIDATION_FAILED, "categories", "unknown category");
        else if ((rc = auth_user_field(c, &dek, user_id, ps, &v, e)) >= 0)
            json_object_set_new(obj, cats[i], v);
    }
    sec_wipe(&dek, sizeof(dek));
    return rc < 0 ? rc : 0;
}

int staff_audit_read(app_ctx_t *c, const staff_session_t *s, int64_t user_id,
                     const char *const *cats, int n, const char *reason, const json_t *more,
                     err_t *e)
{
    char actor[80];
    str_t joined = {0};
    staff_actor(s, actor);
    for (int i = 0; i < n; i++)
        str_printf(&joined, "%s%s", i ? " " : "", cats[i]);
    json_t *detail = json_pack("{s:s}", "role", staff_role_name(s->role));
    if (more)
        json_object_update(detail, (json_t *)more);
    audit_entry_t a = {.actor = actor,
                       .action = "personal_data.read",
                       .subject_id = user_id,
                       .categories = joined.buf,
                       .reason = reason,
                       .detail = detail};
    int rc = audit_append(c, &a, e);
    json_decref(detail);
    str_free(&joined);
    return rc;
}

/* "张三" -> "张*": the first character and a star. */
static json_t *mask_nickname(const json_t *v)
{
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0')
        return json_null();
    size_t n = 1;
    while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    char out[8];
    snprintf(out, sizeof(out), "%.*s*", (int)n, s);
    return json_string(out);
}

static json_t *mask_phone(const json_t *v)
{
    const char *s = json_string_value(v);
    char masked[12];
    if (s == NULL || strlen(s) != 11)
        return s ? json_string("***") : json_null();
    log_mask_phone(s, masked);
    return json_string(masked);
}

int staff_user_view(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
{
    static const char *const cats[] = {"phone", "nickname"};
    json_t *clear = json_object();
    int rc = staff_user_fields(c, user_id, cats, 2, clear, e);
    db_stmt_t *st;
    if (rc >= 0 && (rc = db_one(c->db, &st, "SELECT role, created_at FROM users WHERE id = $1",
                                DB_ARGS(DB_I64(user_id)), e)) == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such user");
    if (rc < 0) {
        json_decref(clear);
        return rc;
    }
    char id[21];
    size_t rl;
    const char *role = db_bytes(st, 0, &rl);
    ids_format(user_id, id);
    *out = json_pack("{s:s, s:o, s:o, s:s%, s:I, s:b}", "id", id, "phone",
                     mask_phone(json_object_get(clear, "phone")), "nickname",
                     mask_nickname(json_object_get(clear, "nickname")), "role", role, rl,
                     "created_at", (json_int_t)db_i64(st, 1), "masked", 1);
    db_done(st);
    json_decref(clear);
    return 0;
}

int staff_user_lookup(app_ctx_t *c, const staff_session_t *s, const char *phone, const char *reason,
                      json_t **out, err_t *e)
{
    int64_t user_id;
    char actor[80];
    int rc;
    if ((rc = staff_reason_check(reason, e)) < 0 ||
        (rc = auth_user_by_phone(c, phone, &user_id, e)) < 0 || (rc = db_begin(c->db, e)) < 0)
        return rc;
    staff_actor(s, actor);
    json_t *detail = json_pack("{s:s}", "role", staff_role_name(s->role));
    audit_entry_t a = {.actor = actor,
                       .action = "personal_data.lookup",
                       .subject_id = user_id,
                       .categories = "phone",
                       .reason = reason,
                       .detail = detail};
    if ((rc = audit_append(c, &a, e)) < 0 || (rc = staff_user_view(c, user_id, out, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        if (c->db->in_tx)
            db_rollback(c->db);
        if (rc == 0)
            json_decref(*out);
    }
    json_decref(detail);
    return rc;
}

static int check_categories(const char *const *cats, int n, err_t *e)
{
    if (n < 1 || n > STAFF_MAX_CATEGORIES)
        return err_set(e, ERR_VALIDATION_FAILED, "categories", "1 to %d categories",
                       STAFF_MAX_CATEGORIES);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(cats[i], cats[j]) == 0)
                return err_set(e, ERR_VALIDATION_FAILED, "categories", "a category is repeated");
    return 0;
}

int staff_user_reveal(app_ctx_t *c, const staff_session_t *s, int64_t user_id,
                      const char *const *cats, int ncat, const char *reason, json_t **out, err_t *e)
{
    int rc;
    if ((rc = check_categories(cats, ncat, e)) < 0 || (rc = staff_reason_check(reason, e)) < 0 ||
        (rc = staff_may_reveal(s->role, cats, ncat, e)) < 0 || (rc = db_begin(c->db, e)) < 0)
        return rc;
    char id[21];
    ids_format(user_id, id);
    json_t *obj = json_pack("{s:s}", "id", id);
    if ((rc = staff_user_fields(c, user_id, cats, ncat, obj, e)) < 0 ||
        (rc = staff_audit_read(c, s, user_id, cats, ncat, reason, NULL, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0) {
        if (c->db->in_tx)
            db_rollback(c->db);
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

/* One audit item as the user sees it, or NULL when not a staff access. */
static json_t *access_item(const json_t *it)
{
    const char *actor = json_string_value(json_object_get(it, "actor"));
    if (actor == NULL || strncmp(actor, "staff:", 6) != 0)
        return NULL;
    json_t *cats = json_array();
    const char *cs = json_string_value(json_object_get(it, "categories"));
    while (cs && *cs) {
        size_t n = strcspn(cs, " ");
        if (n)
            json_array_append_new(cats, json_stringn(cs, n));
        cs += n + (cs[n] == ' ');
    }
    const json_t *role = json_object_get(json_object_get(it, "detail"), "role");
    return json_pack("{s:O, s:s, s:O, s:O, s:o, s:O}", "at", json_object_get(it, "at"), "staff",
                     actor + 6, "role", role ? role : json_null(), "action",
                     json_object_get(it, "action"), "categories", cats, "reason",
                     json_object_get(it, "reason"));
}

int staff_access_log(app_ctx_t *c, int64_t user_id, int64_t after, int limit, json_t **out,
                     err_t *e)
{
    json_t *all;
    int rc = audit_list(c, user_id, after, limit, &all, e);
    if (rc < 0)
        return rc;
    json_t *items = json_array(), *it;
    size_t i;
    json_array_foreach(json_object_get(all, "items"), i, it)
    {
        json_t *v = access_item(it);
        if (v)
            json_array_append_new(items, v);
    }
    *out =
        json_pack("{s:o, s:O}", "items", items, "next_after", json_object_get(all, "next_after"));
    json_decref(all);
    return 0;
}
