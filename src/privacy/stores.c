/* stores.c - where each data-map category lives: table, row id, owner
 * column, collection-time column and the columns holding it, each with how
 * it reads (sealed ones with the place their sealing is bound to). This is
 * the one list that export, erasure on cancellation, the retention sweeper
 * and staff reveals walk: a store with an export order is exported from
 * these columns as they stand; one without is exported by the module that
 * owns it (rights/sources.c). A table holding personal data that is not
 * listed here is a bug (unit tests check the categories and the columns;
 * review checks the tables). */
#include "privacy/privacy.h"
#include "core/str.h"

#include <pthread.h>
#include <string.h>

#define ID(c)                                                                                      \
    {                                                                                              \
        c, 'd', NULL, NULL                                                                         \
    }
#define INT(c)                                                                                     \
    {                                                                                              \
        c, 'i', NULL, NULL                                                                         \
    }
#define TEXT(c)                                                                                    \
    {                                                                                              \
        c, 't', NULL, NULL                                                                         \
    }
#define BOOL(c)                                                                                    \
    {                                                                                              \
        c, 'b', NULL, NULL                                                                         \
    }
#define HASH(c, as)                                                                                \
    {                                                                                              \
        c, 'x', NULL, as                                                                           \
    }
#define SEAL(c, place)                                                                             \
    {                                                                                              \
        c, 'e', place, NULL                                                                        \
    }
#define COLS(...)                                                                                  \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define BY_MODULE NULL /* exported by the table's owner (rights/sources.c) */

/* category, table, id, owner, at, columns (the first is the row's id),
 * export order, on cancellation, why */
const privacy_store_t privacy_stores[] = {
    {"phone", "users", "id", "id", "created_at", COLS(ID("id"), SEAL("phone_enc", "users.phone")),
     BY_MODULE, PRIVACY_DELETE, "the account"},
    {"nickname", "users", "id", "id", "updated_at",
     COLS(ID("id"), SEAL("nickname_enc", "users.nickname")), BY_MODULE, PRIVACY_DELETE,
     "the account"},
    /* the picture itself is an upload (media, below) */
    {"avatar", "users", "id", "id", "updated_at", COLS(ID("id"), ID("avatar_media_id")), BY_MODULE,
     PRIVACY_DELETE, "the account's profile picture"},
    {"device_info", "devices", "id", "user_id", "created_at",
     COLS(ID("id"), SEAL("name_enc", "devices.name"), TEXT("platform"), INT("created_at"),
          INT("last_seen_at")),
     "created_at, id", PRIVACY_DELETE, "signed-in devices"},
    {"device_info", "sessions", "id", "user_id", "created_at",
     COLS(ID("id"), ID("device_id"), INT("created_at"), INT("last_seen_at")), "created_at, id",
     PRIVACY_DELETE, "sign-in sessions"},
    {"push_token", "push_tokens", "device_id", "user_id", "updated_at",
     COLS(ID("device_id"), TEXT("vendor"), SEAL("token_enc", "push_tokens.token"),
          INT("updated_at")),
     "device_id", PRIVACY_DELETE, "push registrations"},
    /* bodies are sealed under the conversation's key, not the user's: the
     * peer keeps their history; the sender's link is cut on cancellation */
    {"chat_content", "messages", "id", "sender_id", "created_at",
     COLS(ID("id"), ID("conversation_id"), INT("seq"), TEXT("kind"), INT("created_at"),
          INT("recalled_at")),
     BY_MODULE, PRIVACY_ANONYMISE,
     "messages sent: the peer's copy stays, without a link to the account"},
    {"chat_content", "media", "id", "owner_id", "created_at",
     COLS(ID("id"), TEXT("content_type"), INT("size"), INT("created_at")), BY_MODULE,
     PRIVACY_DELETE, "uploaded files no conversation references"},
    {"chat_content", "events", "seq", "user_id", "at",
     COLS(INT("seq"), TEXT("type"), ID("conversation_id"), INT("at")), "seq", PRIVACY_DELETE,
     "the sync stream"},
    {"security_log", "security_events", "id", "user_id", "at",
     COLS(ID("id"), TEXT("kind"), ID("device_id"), INT("at"),
          HASH("ip_net_hash", "ip_network_hash")),
     "at, id", PRIVACY_DELETE, "security events"},
    {"consent_records", "consents", "id", "user_id", "at",
     COLS(ID("id"), TEXT("scope"), TEXT("version"), BOOL("granted"), INT("at"), ID("device_id")),
     "at, id", PRIVACY_RESTRICT, "law: records of consent are kept 3 years"},
    {"disclosure_records", "disclosures", "id", "user_id", "at",
     COLS(ID("id"), TEXT("recipient"), TEXT("categories"), TEXT("purpose"), TEXT("legal_basis"),
          INT("at")),
     "at, id", PRIVACY_RESTRICT, "law: records of disclosures are kept 3 years"},
    {"support_records", "requests", "id", "user_id", "created_at",
     COLS(ID("id"), TEXT("type"), SEAL("text_enc", "requests.text"), TEXT("status"),
          INT("created_at"), INT("due_at"), INT("answered_at"),
          SEAL("answer_enc", "requests.answer"), SEAL("reason_enc", "requests.reason")),
     "created_at, id", PRIVACY_DELETE, "rights requests and complaints"},
    /* hash-chained: pruned as a prefix, with an anchor (audit/audit.c) */
    {"audit_records", "audit_log", "seq", "subject_id", "at",
     COLS(INT("seq"), INT("at"), TEXT("actor"), TEXT("action"), TEXT("categories"), TEXT("reason")),
     "seq", PRIVACY_RESTRICT, "law: who accessed the account's data and why, kept 3 years"},
    /* bulk exports asked and approved: staff and user ids, a reason */
    {"audit_records", "approvals", "id", NULL, "created_at",
     COLS(ID("id"), TEXT("kind"), TEXT("requested_by"), TEXT("approved_by"), INT("created_at"),
          INT("decided_at"), INT("read_at")),
     NULL, PRIVACY_DELETE, "approvals of bulk exports, kept like the audit trail"},
    /* identity verification (identity/): apart from the account row; the
     * evidence goes when the check is done (retention: purpose achieved) */
    {"real_name", "identities", "id", "user_id", "created_at",
     COLS(ID("id"), SEAL("name_enc", "identities.name"), TEXT("method"), TEXT("status"),
          TEXT("reason"), INT("created_at"), INT("checked_at")),
     "created_at, id", PRIVACY_DELETE, "identity verification: the name and the result"},
    {"id_number", "identities", "id", "user_id", "created_at",
     COLS(ID("id"), SEAL("id_enc", "identities.id_number"), TEXT("id_masked")), "created_at, id",
     PRIVACY_DELETE, "identity verification: the ID number"},
    {"face_photo", "identities", "id", "user_id", "created_at",
     COLS(ID("id"), SEAL("evidence_enc", "identities.evidence")), "created_at, id", PRIVACY_DELETE,
     "identity verification by face: the photo until the check is done"},
    {"bank_card", "identities", "id", "user_id", "created_at",
     COLS(ID("id"), SEAL("evidence_enc", "identities.evidence")), "created_at, id", PRIVACY_DELETE,
     "identity verification by bank card: the card and its phone until the check is done"},
    /* 八 (identity/minors.c) */
    {"age_range", "guardians", "user_id", "user_id", "updated_at",
     COLS(ID("user_id"), TEXT("age_range"), INT("updated_at")), "user_id", PRIVACY_DELETE,
     "the age range the user stated"},
    {"guardian_contact", "guardians", "user_id", "user_id", "updated_at",
     COLS(ID("user_id"), SEAL("phone_enc", "guardians.phone"), INT("consented_at")), "user_id",
     PRIVACY_DELETE, "a child's guardian and when they consented"},
    /* 绑定楼盘 (binding/): the photos go once the application is decided */
    {"binding_records", "bindings", "id", "user_id", "created_at",
     COLS(ID("id"), ID("development_id"), TEXT("role"), BOOL("is_main"), TEXT("status"),
          SEAL("phone_enc", "bindings.phone"), TEXT("reason"), INT("created_at"), INT("decided_at"),
          INT("unbound_at")),
     "created_at, id", PRIVACY_DELETE, "applications to be a development's consultant"},
    {"id_documents", "bindings", "id", "user_id", "created_at",
     COLS(ID("id"), SEAL("card_enc", "bindings.card"), SEAL("badge_enc", "bindings.badge")),
     "created_at, id", PRIVACY_DELETE, "business card and work badge until the review"},
    /* the buyer's side; a consultant's buyers are cut on the consultant's cancellation */
    {"customer_attribution", "attributions", "id", "buyer_id", "created_at",
     COLS(ID("id"), ID("development_id"), ID("consultant_id"), TEXT("source"), INT("created_at"),
          TEXT("stage"), INT("visited_at"), INT("deal_at"), INT("protected_until")),
     "created_at, id", PRIVACY_DELETE, "which consultant this buyer belongs to, per development"},
    {"customer_attribution", "attributions", "id", "consultant_id", "created_at",
     COLS(ID("id"), ID("development_id"), ID("buyer_id"), TEXT("source"), INT("created_at"),
          TEXT("stage"), INT("protected_until")),
     "created_at, id", PRIVACY_ANONYMISE,
     "buyers attributed to this consultant: they go to the development's pool"},
    /* 楼盘点评: the author's; the overall score is computed, not kept */
    {"published_content", "reviews", "id", "author_id", "created_at",
     COLS(ID("id"), ID("development_id"), INT("price"), INT("location"), INT("transport"),
          INT("amenities"), INT("environment"), TEXT("text"), TEXT("status"), TEXT("hidden_reason"),
          INT("created_at")),
     "created_at, id", PRIVACY_DELETE, "reviews of developments"},
    /* 问答广场: a question goes with its answers (qa.c; the sweep below) */
    {"published_content", "questions", "id", "author_id", "created_at",
     COLS(ID("id"), ID("development_id"), TEXT("city"), TEXT("text"), INT("created_at")),
     "created_at, id", PRIVACY_DELETE, "questions asked"},
    {"published_content", "answers", "id", "author_id", "created_at",
     COLS(ID("id"), ID("question_id"), TEXT("text"), INT("created_at")), "created_at, id",
     PRIVACY_DELETE, "answers given"},
    /* reports of published content, by their reporter */
    {"support_records", "content_reports", "id", "reporter_id", "created_at",
     COLS(ID("id"), TEXT("target"), ID("target_id"), SEAL("reason_enc", "content_reports.reason"),
          TEXT("status"), INT("created_at")),
     "created_at, id", PRIVACY_DELETE, "reports of content"},
    /* browse-only clients: a keyed hash of the address, for rate limits */
    {"ip_address", "rate_hits", NULL, NULL, "at", COLS(HASH("bucket", NULL), INT("at")), NULL,
     PRIVACY_DELETE, "rate limits of clients not signed in"},
};
const size_t privacy_stores_count = sizeof(privacy_stores) / sizeof(privacy_stores[0]);

const privacy_col_t *privacy_store_sealed(const privacy_store_t *s)
{
    for (int i = 0; i < PRIVACY_MAX_COLS && s->cols[i].name; i++)
        if (s->cols[i].type == 'e')
            return &s->cols[i];
    return NULL;
}

/* The export's SELECT of each store exported as its columns stand, built
 * once: statements are cached by the address of their text, so each lives
 * as long as the process. */
#define MAX_STORES 64
static char *select_sql[MAX_STORES];
static pthread_once_t select_once = PTHREAD_ONCE_INIT;

static void build_selects(void)
{
    for (size_t i = 0; i < privacy_stores_count && i < MAX_STORES; i++) {
        const privacy_store_t *s = &privacy_stores[i];
        if (s->order == NULL || s->owner == NULL)
            continue;
        str_t q = {0};
        str_puts(&q, "SELECT ");
        for (int k = 0; k < PRIVACY_MAX_COLS && s->cols[k].name; k++)
            str_printf(&q, "%s%s", k ? ", " : "", s->cols[k].name);
        str_printf(&q, " FROM %s WHERE %s = $1 ORDER BY %s", s->table, s->owner, s->order);
        select_sql[i] = str_take(&q);
    }
}

const char *privacy_store_select(const privacy_store_t *s)
{
    pthread_once(&select_once, build_selects);
    size_t i = (size_t)(s - privacy_stores);
    return i < MAX_STORES ? select_sql[i] : NULL;
}

const char *privacy_col_key(const privacy_col_t *c)
{
    if (c->as)
        return c->as;
    const char *dot = c->type == 'e' && c->place ? strchr(c->place, '.') : NULL;
    return dot ? dot + 1 : c->name;
}
