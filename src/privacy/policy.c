/* policy.c - renders the zh-CN policy from the template and the data map,
 * publishes versions (id = hash of the content) and serves the archive
 * byte for byte. */
#include "privacy/privacy.h"
#include "core/log.h"
#include "core/str.h"

#include <stdlib.h>
#include <string.h>

extern const char privacy_policy_template[];

#define OPERATOR      "微聊客平台运营者"
#define CONTACT_PHONE "400-620-6688"

static const char *action_zh(privacy_action_t a)
{
    static const char *const zh[] = {"删除", "匿名化处理", "限制处理(仅供有权机关依法查询)"};
    return zh[a];
}

static void retention_zh(str_t *s, const privacy_retention_t *r)
{
    switch (r->trigger) {
    case PRIVACY_UNTIL_CANCELLED:
        str_printf(s, "保存至您注销账号,届时%s", action_zh(r->action));
        break;
    case PRIVACY_FROM_COLLECTION:
        if (r->days % 365 == 0)
            str_printf(s, "自收集起不超过%d年,期满后%s", r->days / 365, action_zh(r->action));
        else
            str_printf(s, "自收集起不超过%d天,期满后%s", r->days, action_zh(r->action));
        break;
    case PRIVACY_UNTIL_PURPOSE_DONE:
        str_printf(s, "处理目的实现后即%s;最迟于您注销账号时删除", action_zh(r->action));
        break;
    }
}

static void joined(str_t *s, const char *const *ids, const char *(*label)(const char *))
{
    for (size_t i = 0; i < PRIVACY_MAX_LIST && ids[i]; i++) {
        if (i)
            str_puts(s, "、");
        str_puts(s, label(ids[i]));
    }
}

static const char *purpose_label(const char *id)
{
    return privacy_purpose_find(id)->zh;
}

static const char *recipient_label(const char *id)
{
    return privacy_recipient_find(id)->name_zh;
}

static void render_categories(str_t *s)
{
    for (size_t i = 0; i < privacy_categories_count; i++) {
        const privacy_category_t *c = &privacy_categories[i];
        str_printf(s, "%zu、%s%s:用于", i + 1, c->label_zh, c->sensitive ? "【敏感】" : "");
        joined(s, c->purposes, purpose_label);
        str_puts(s, c->encrypted ? ";加密存储" : "");
        if (strcmp(c->consent, "policy") == 0)
            str_puts(s, ";基于您对本政策的同意");
        else
            str_printf(s, ";须取得您的单独同意(%s)", privacy_scope_find(c->consent)->zh);
        str_puts(s, ";保存期限:");
        retention_zh(s, &c->retention);
        if (c->recipients[0]) {
            str_puts(s, ";接收方:");
            joined(s, c->recipients, recipient_label);
        } else {
            str_puts(s, ";不向第三方提供");
        }
        str_puts(s, "。\n");
    }
}

static void render_recipients(str_t *s)
{
    for (size_t i = 0; i < privacy_recipients_count; i++) {
        const privacy_recipient_t *r = &privacy_recipients[i];
        str_printf(s, "%zu、%s:%s;提供的信息:", i + 1, r->name_zh, r->purpose_zh);
        int n = 0;
        for (size_t j = 0; j < privacy_categories_count; j++)
            for (size_t k = 0; k < PRIVACY_MAX_LIST && privacy_categories[j].recipients[k]; k++)
                if (strcmp(privacy_categories[j].recipients[k], r->id) == 0)
                    str_printf(s, "%s%s", n++ ? "、" : "", privacy_categories[j].label_zh);
        str_puts(s, "。\n");
    }
}

static void render_scopes(str_t *s)
{
    for (size_t i = 0; i < privacy_scopes_count; i++)
        if (privacy_scopes[i].optional)
            str_printf(s, "- %s\n", privacy_scopes[i].zh);
}

static void render_retention(str_t *s)
{
    for (size_t i = 0; i < privacy_categories_count; i++) {
        str_printf(s, "- %s:", privacy_categories[i].label_zh);
        retention_zh(s, &privacy_categories[i].retention);
        str_puts(s, "。\n");
    }
}

static void render_placeholder(str_t *s, const char *name, size_t len)
{
#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)
    if (IS("categories"))
        render_categories(s);
    else if (IS("recipients"))
        render_recipients(s);
    else if (IS("scopes"))
        render_scopes(s);
    else if (IS("retention"))
        render_retention(s);
    else if (IS("operator"))
        str_puts(s, OPERATOR);
    else if (IS("contact_phone"))
        str_puts(s, CONTACT_PHONE);
#undef IS
}

char *privacy_policy_text(void)
{
    str_t s = {0};
    const char *p = privacy_policy_template;
    for (;;) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (close == NULL) {
            str_puts(&s, p);
            break;
        }
        str_append(&s, p, (size_t)(open - p));
        render_placeholder(&s, open + 2, (size_t)(close - open - 2));
        p = close + 2;
    }
    return str_take(&s);
}

/* The content that the version id hashes: text, map, recipients, scopes. */
static json_t *render_content(char version[17])
{
    char *text = privacy_policy_text();
    json_t *content =
        json_pack("{s:s, s:o, s:o, s:o}", "text", text, "datamap", privacy_datamap_json(),
                  "recipients", privacy_recipients_json(), "scopes", privacy_scopes_json());
    free(text);
    char *canon = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
    sec_digest16(canon, strlen(canon), version);
    free(canon);
    return content;
}

int privacy_policy_current(app_ctx_t *c, char out[17], err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT version FROM policy_versions ORDER BY published_at DESC, version "
                    "LIMIT 1",
                    DB_NOARGS, e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no policy has been published");
    size_t len;
    const char *v = db_bytes(st, 0, &len);
    snprintf(out, 17, "%.*s", (int)len, v);
    db_done(st);
    return 0;
}

int privacy_policy_ensure_published(app_ctx_t *c, err_t *e)
{
    char version[17], latest[17] = "";
    json_t *doc = render_content(version);
    int rc = privacy_policy_current(c, latest, e);
    bool first = rc == ERR_NOT_FOUND;
    if (first)
        err_clear(e);
    else if (rc < 0 || strcmp(latest, version) == 0)
        goto out;
    int64_t now = c->now_ms();
    const char *note = first ? "首次发布" : "数据清单变更";
    json_t *full = json_pack("{s:s, s:I, s:b, s:s}", "version", version, "published_at",
                             (json_int_t)now, "material", !first, "note", note);
    json_object_update(full, doc);
    char *text = json_dumps(full, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(full);
    rc = (int)db_exec(
        c->db,
        "INSERT INTO policy_versions (version, published_at, material, note, doc) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version) DO NOTHING",
        DB_ARGS(DB_TEXT(version), DB_I64(now), DB_I64(!first), DB_TEXT(note), DB_TEXT(text)), e);
    free(text);
    if (rc >= 0) {
        log_msg(LOG_INFO, "policy published", "version %s", version);
        rc = 0;
    }
out:
    json_decref(doc);
    return rc < 0 ? rc : 0;
}

int privacy_policy_doc(app_ctx_t *c, const char *version, char **doc, size_t *len, err_t *e)
{
    char cur[17];
    if (version == NULL) {
        int rc = privacy_policy_current(c, cur, e);
        if (rc < 0)
            return rc;
        version = cur;
    }
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT doc FROM policy_versions WHERE version = $1",
                    DB_ARGS(DB_TEXT(version)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such policy version");
    const char *p = db_bytes(st, 0, len);
    *doc = malloc(*len + 1);
    if (*doc == NULL)
        abort();
    memcpy(*doc, p, *len);
    (*doc)[*len] = '\0';
    db_done(st);
    return 0;
}

int privacy_policy_versions(app_ctx_t *c, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT version, published_at, material, note FROM policy_versions "
                      "ORDER BY published_at DESC, version",
                      DB_NOARGS, e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        size_t vl, nl;
        const char *v = db_bytes(st, 0, &vl), *note = db_bytes(st, 3, &nl);
        json_array_append_new(items,
                              json_pack("{s:s%, s:I, s:b, s:s%}", "version", v, vl, "published_at",
                                        (json_int_t)db_i64(st, 1), "material", (int)db_i64(st, 2),
                                        "note", note ? note : "", nl));
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    db_done(st);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}
