/* sources.c - where an export finds each data-map category: one row per
 * category, with the function that reads its records or a note saying
 * why this build holds none. A unit test checks that every category has
 * exactly one row and that every category with a store is read. */
#include "auth/auth.h"
#include "chat/chat.h"
#include "media/media.h"
#include "privacy/privacy.h"
#include "rights/rights_int.h"

#include <string.h>

#define NOT_COLLECTED "not collected by this build"

/* Sets records[key] to the rows of sql; takes nothing. */
static int put_rows(rights_export_ctx_t *x, json_t *records, const char *key, const char *sql,
                    const rights_col_t *cols, err_t *e)
{
    json_t *rows;
    int rc = rights_rows(x, sql, cols, &rows, e);
    if (rc == 0)
        json_object_set_new(records, key, rows);
    return rc;
}

static int phone(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    char digits[12];
    int rc = auth_user_phone(x->c, x->user, digits, e);
    if (rc < 0)
        return rc;
    json_object_set_new(records, "phone", json_string(digits));
    sec_wipe(digits, sizeof(digits));
    return 0;
}

static int nickname(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    json_t *nick;
    int rc = auth_user_nickname(x->c, x->user, &nick, e);
    if (rc == 0)
        json_object_set_new(records, "nickname", nick);
    return rc;
}

static int avatar(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    json_t *id;
    int rc = auth_user_avatar(x->c, x->user, &id, e);
    if (rc == 0)
        json_object_set_new(records, "avatar_media_id", id);
    return rc;
}

static int devices(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    static const rights_col_t dev[] = {{"id", 'd', NULL},           {"name", 'e', "devices.name"},
                                       {"platform", 't', NULL},     {"created_at", 'i', NULL},
                                       {"last_seen_at", 'i', NULL}, {NULL, 0, NULL}};
    static const rights_col_t ses[] = {{"id", 'd', NULL},
                                       {"device_id", 'd', NULL},
                                       {"created_at", 'i', NULL},
                                       {"last_seen_at", 'i', NULL},
                                       {NULL, 0, NULL}};
    int rc = put_rows(x, records, "devices",
                      "SELECT id, name_enc, platform, created_at, last_seen_at FROM devices "
                      "WHERE user_id = $1 ORDER BY created_at, id",
                      dev, e);
    if (rc < 0)
        return rc;
    return put_rows(x, records, "sessions",
                    "SELECT id, device_id, created_at, last_seen_at FROM sessions "
                    "WHERE user_id = $1 ORDER BY created_at, id",
                    ses, e);
}

static int push_tokens(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    static const rights_col_t cols[] = {{"device_id", 'd', NULL},
                                        {"vendor", 't', NULL},
                                        {"token", 'e', "push_tokens.token"},
                                        {"updated_at", 'i', NULL},
                                        {NULL, 0, NULL}};
    return put_rows(x, records, "push_tokens",
                    "SELECT device_id, vendor, token_enc, updated_at FROM push_tokens "
                    "WHERE user_id = $1 ORDER BY device_id",
                    cols, e);
}

static int chat_once(rights_export_ctx_t *x, err_t *e)
{
    return x->chat ? 0 : chat_export(x->c, x->user, &x->chat, e);
}

static int chat_content(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    static const rights_col_t ev[] = {{"seq", 'i', NULL},
                                      {"type", 't', NULL},
                                      {"conversation_id", 'd', NULL},
                                      {"at", 'i', NULL},
                                      {NULL, 0, NULL}};
    json_t *media;
    int rc;
    if ((rc = chat_once(x, e)) < 0 || (rc = media_export(x->c, x->user, &media, e)) < 0)
        return rc;
    json_object_set(records, "conversations", x->chat);
    json_object_set_new(records, "media", media);
    return put_rows(x, records, "events",
                    "SELECT seq, type, conversation_id, at FROM events WHERE user_id = $1 "
                    "ORDER BY seq",
                    ev, e);
}

/* Locations are held only as location messages the user sent. */
static int location(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    int rc = chat_once(x, e);
    if (rc < 0)
        return rc;
    char me[21];
    snprintf(me, sizeof(me), "%lld", (long long)x->user);
    json_t *sent = json_array();
    size_t i, j;
    json_t *conv, *m;
    json_array_foreach(x->chat, i, conv)
    {
        json_array_foreach(json_object_get(conv, "messages"), j, m)
        {
            const char *sender = json_string_value(json_object_get(m, "sender_id"));
            const char *kind = json_string_value(json_object_get(m, "kind"));
            if (sender && kind && strcmp(sender, me) == 0 && strcmp(kind, "location") == 0)
                json_array_append(sent, m);
        }
    }
    json_object_set_new(records, "location_messages", sent);
    return 0;
}

static int security_log(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    static const rights_col_t cols[] = {{"id", 'd', NULL},
                                        {"kind", 't', NULL},
                                        {"device_id", 'd', NULL},
                                        {"at", 'i', NULL},
                                        {"ip_network_hash", 'x', NULL},
                                        {NULL, 0, NULL}};
    return put_rows(x, records, "security_events",
                    "SELECT id, kind, device_id, at, ip_net_hash FROM security_events "
                    "WHERE user_id = $1 ORDER BY at, id",
                    cols, e);
}

static int consents(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    static const rights_col_t cols[] = {
        {"id", 'd', NULL}, {"scope", 't', NULL},     {"version", 't', NULL}, {"granted", 'b', NULL},
        {"at", 'i', NULL}, {"device_id", 'd', NULL}, {NULL, 0, NULL}};
    return put_rows(x, records, "consents",
                    "SELECT id, scope, version, granted, at, device_id FROM consents "
                    "WHERE user_id = $1 ORDER BY at, id",
                    cols, e);
}

static int disclosures(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    static const rights_col_t cols[] = {
        {"id", 'd', NULL},      {"recipient", 't', NULL},   {"categories", 't', NULL},
        {"purpose", 't', NULL}, {"legal_basis", 't', NULL}, {"at", 'i', NULL},
        {NULL, 0, NULL}};
    return put_rows(x, records, "disclosures",
                    "SELECT id, recipient, categories, purpose, legal_basis, at FROM disclosures "
                    "WHERE user_id = $1 ORDER BY at, id",
                    cols, e);
}

static int audit_records(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    static const rights_col_t cols[] = {
        {"seq", 'i', NULL},    {"at", 'i', NULL},         {"actor", 't', NULL},
        {"action", 't', NULL}, {"categories", 't', NULL}, {"reason", 't', NULL},
        {NULL, 0, NULL}};
    return put_rows(x, records, "audit_log",
                    "SELECT seq, at, actor, action, categories, reason FROM audit_log "
                    "WHERE subject_id = $1 ORDER BY seq",
                    cols, e);
}

static int requests(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    static const rights_col_t cols[] = {{"id", 'd', NULL},
                                        {"type", 't', NULL},
                                        {"text", 'e', "requests.text"},
                                        {"status", 't', NULL},
                                        {"created_at", 'i', NULL},
                                        {"due_at", 'i', NULL},
                                        {"answered_at", 'i', NULL},
                                        {"answer", 'e', "requests.answer"},
                                        {"reason", 'e', "requests.reason"},
                                        {NULL, 0, NULL}};
    return put_rows(x, records, "requests",
                    "SELECT id, type, text_enc, status, created_at, due_at, answered_at, "
                    "answer_enc, reason_enc FROM requests WHERE user_id = $1 "
                    "ORDER BY created_at, id",
                    cols, e);
}

const rights_source_t rights_sources[] = {
    {"phone", phone, NULL},
    {"nickname", nickname, NULL},
    {"avatar", avatar, NULL},
    {"real_name", NULL, NOT_COLLECTED},
    {"id_number", NULL, NOT_COLLECTED},
    {"id_documents", NULL, NOT_COLLECTED},
    {"face_photo", NULL, NOT_COLLECTED},
    {"bank_card", NULL, NOT_COLLECTED},
    {"location", location, NULL},
    {"chat_content", chat_content, NULL},
    {"published_content", NULL, NOT_COLLECTED},
    {"appointments", NULL, NOT_COLLECTED},
    {"address", NULL, NOT_COLLECTED},
    {"orders", NULL, NOT_COLLECTED},
    {"support_records", requests, NULL},
    {"device_info", devices, NULL},
    {"push_token", push_tokens, NULL},
    {"ip_address", NULL,
     "kept only as a keyed hash of the address of clients not signed in, for one hour "
     "(rate limits); never linked to an account"},
    {"security_log", security_log, NULL},
    {"browsing", NULL, NOT_COLLECTED},
    {"consent_records", consents, NULL},
    {"disclosure_records", disclosures, NULL},
    {"audit_records", audit_records, NULL},
    {"wristband", NULL, NOT_COLLECTED},
};
const size_t rights_sources_count = sizeof(rights_sources) / sizeof(rights_sources[0]);

const rights_source_t *rights_source_find(const char *category)
{
    for (size_t i = 0; i < rights_sources_count; i++)
        if (strcmp(rights_sources[i].category, category) == 0)
            return &rights_sources[i];
    return NULL;
}
