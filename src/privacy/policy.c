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

static json_t *ids_json(const char *const *ids)
{
    json_t *a = json_array();
    for (size_t i = 0; i < PRIVACY_MAX_LIST && ids[i]; i++)
        json_array_append_new(a, json_string(ids[i]));
    return a;
}

void privacy_policy_fingerprint(char out[17])
{
    json_t *cats = json_array(), *purposes = json_array(), *recipients = json_array();
    for (size_t i = 0; i < privacy_categories_count; i++) {
        const privacy_category_t *c = &privacy_categories[i];
        json_array_append_new(cats, json_pack("{s:s, s:o, s:o}", "id", c->id, "purposes",
                                              ids_json(c->purposes), "recipients",
                                              ids_json(c->recipients)));
    }
    for (size_t i = 0; i < privacy_purposes_count; i++)
        json_array_append_new(purposes, json_string(privacy_purposes[i].id));
    for (size_t i = 0; i < privacy_recipients_count; i++)
        json_array_append_new(recipients, json_string(privacy_recipients[i].id));
    json_t *fp = json_pack("{s:o, s:o, s:o}", "categories", cats, "purposes", purposes,
                           "recipients", recipients);
    char *canon = json_dumps(fp, JSON_COMPACT | JSON_SORT_KEYS);
    sec_digest16(canon, strlen(canon), out);
    free(canon);
    json_decref(fp);
}

typedef struct latest {
    bool found;
    char version[17], hash[17], fingerprint[17];
    int64_t published_at;
} latest_t;

static int read_latest(app_ctx_t *c, latest_t *l, err_t *e)
{
    db_stmt_t *st;
    memset(l, 0, sizeof(*l));
    int rc = db_one(c->db, &st,
                    "SELECT version, COALESCE(content_hash, version), COALESCE(fingerprint, ''), "
                    "published_at FROM policy_versions ORDER BY published_at DESC, version LIMIT 1",
                    DB_NOARGS, e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : 0;
    size_t n[3];
    const char *v[3] = {db_bytes(st, 0, &n[0]), db_bytes(st, 1, &n[1]), db_bytes(st, 2, &n[2])};
    snprintf(l->version, 17, "%.*s", (int)n[0], v[0]);
    snprintf(l->hash, 17, "%.*s", (int)n[1], v[1]);
    snprintf(l->fingerprint, 17, "%.*s", (int)n[2], v[2]);
    l->published_at = db_i64(st, 3);
    l->found = true;
    db_done(st);
    return 0;
}

/* The id of a new version: its content hash, unless a version already has
 * it (the same text published again, or a text that came back): then a
 * hash of the content, the time and the note. */
static int new_version_id(app_ctx_t *c, const char *hash, int64_t now, const char *note,
                          char out[17], err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT 1 FROM policy_versions WHERE version = $1",
                    DB_ARGS(DB_TEXT(hash)), e);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE) {
        memcpy(out, hash, 17);
        return 0;
    }
    db_done(st);
    char buf[600];
    int n = snprintf(buf, sizeof(buf), "%s\n%lld\n%s", hash, (long long)now, note);
    sec_digest16(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, out);
    return 0;
}

static int insert_version(app_ctx_t *c, json_t *content, const char *version, const char *hash,
                          const char *fp, int64_t now, bool material, const char *note, err_t *e)
{
    json_t *full = json_pack("{s:s, s:I, s:b, s:s}", "version", version, "published_at",
                             (json_int_t)now, "material", material, "note", note);
    json_object_update(full, content);
    char *text = json_dumps(full, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(full);
    int64_t rc = db_exec(c->db,
                         "INSERT INTO policy_versions (version, published_at, material, note, doc, "
                         "content_hash, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         DB_ARGS(DB_TEXT(version), DB_I64(now), DB_I64(material), DB_TEXT(note),
                                 DB_TEXT(text), DB_TEXT(hash), DB_TEXT(fp)),
                         e);
    free(text);
    return rc < 0 ? (int)rc : 0;
}

int privacy_policy_publish(app_ctx_t *c, const privacy_publish_t *p, bool *published,
                           char version[17], bool *material, err_t *e)
{
    char hash[17], fp[17];
    latest_t l;
    json_t *content = render_content(hash);
    privacy_policy_fingerprint(fp);
    *published = *material = false;
    int rc = db_begin(c->db, e);
    if (rc < 0)
        goto out;
    if ((rc = read_latest(c, &l, e)) < 0)
        goto out_rollback;
    if (l.found && strcmp(l.hash, hash) == 0 && !p->force) {
        memcpy(version, l.version, 17);
        goto out_rollback; /* unchanged: nothing to publish */
    }
    /* a version stored before fingerprints were kept counts as different */
    *material = l.found && (p->material || strcmp(l.fingerprint, fp) != 0);
    const char *note = p->note     ? p->note
                       : !l.found  ? "首次发布"
                       : *material ? "数据清单变更"
                                   : "文本更新";
    int64_t now = c->now_ms();
    if (now <= l.published_at)
        now = l.published_at + 1; /* versions are ordered by their time */
    if ((rc = new_version_id(c, hash, now, note, version, e)) < 0 ||
        (rc = insert_version(c, content, version, hash, fp, now, *material, note, e)) < 0 ||
        (rc = db_commit(c->db, e)) < 0)
        goto out_rollback;
    *published = true;
    privacy_gate_reset();
    log_msg(LOG_INFO, "policy published", "version %s%s", version, *material ? " (material)" : "");
    goto out;
out_rollback:
    db_rollback(c->db);
out:
    json_decref(content);
    return rc < 0 ? rc : 0;
}

int privacy_policy_ensure_published(app_ctx_t *c, err_t *e)
{
    privacy_publish_t p = {0};
    bool published, material;
    char version[17];
    return privacy_policy_publish(c, &p, &published, version, &material, e);
}

int privacy_policy_notice(app_ctx_t *c, const char *accepted, json_t **out, err_t *e)
{
    if (accepted && privacy_policy_is_newest(c, accepted)) {
        *out = json_null();
        return 0;
    }
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT version, published_at, material, note FROM policy_versions "
                    "WHERE published_at > COALESCE((SELECT published_at FROM policy_versions "
                    "WHERE version = $1), 0) ORDER BY published_at DESC, version LIMIT 1",
                    DB_ARGS(DB_TEXT(accepted ? accepted : "")), e);
    *out = NULL;
    if (rc < 0)
        return rc;
    if (rc == DB_DONE) {
        *out = json_null();
        return 0;
    }
    size_t vl, nl;
    const char *v = db_bytes(st, 0, &vl), *note = db_bytes(st, 3, &nl);
    *out = json_pack("{s:s%, s:I, s:b, s:s%}", "version", v, vl, "published_at",
                     (json_int_t)db_i64(st, 1), "material", (int)db_i64(st, 2), "note",
                     note ? note : "", note ? nl : 0);
    db_done(st);
    return 0;
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
