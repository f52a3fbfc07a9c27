/* stores.c - where each data-map category lives: table, owner column,
 * collection-time column and the columns holding it (sealed ones with the
 * place their sealing is bound to). Export, erasure on cancellation and
 * the retention sweeper all walk this table, so a table holding personal
 * data that is not listed here is a bug (a unit test checks the
 * categories; review checks the tables). */
#include "privacy/privacy.h"

#define COLS(...)                                                                                  \
    {                                                                                              \
        __VA_ARGS__, NULL                                                                          \
    }
#define SEALED(...)                                                                                \
    {                                                                                              \
        __VA_ARGS__,                                                                               \
        {                                                                                          \
            NULL, NULL                                                                             \
        }                                                                                          \
    }
#define NONE                                                                                       \
    {                                                                                              \
        NULL                                                                                       \
    }
#define NONE_SEALED                                                                                \
    {                                                                                              \
        {                                                                                          \
            NULL, NULL                                                                             \
        }                                                                                          \
    }

/* category, table, id, owner, at, clear columns, sealed {column, place},
 * on cancellation, why */
const privacy_store_t privacy_stores[] = {
    {"phone", "users", "id", "id", "created_at", NONE, SEALED({"phone_enc", "users.phone"}),
     PRIVACY_DELETE, "the account"},
    {"nickname", "users", "id", "id", "updated_at", NONE,
     SEALED({"nickname_enc", "users.nickname"}), PRIVACY_DELETE, "the account"},
    /* the picture itself is an upload (media, below) */
    {"avatar", "users", "id", "id", "updated_at", COLS("avatar_media_id"), NONE_SEALED,
     PRIVACY_DELETE, "the account's profile picture"},
    {"device_info", "devices", "id", "user_id", "created_at",
     COLS("platform", "created_at", "last_seen_at"), SEALED({"name_enc", "devices.name"}),
     PRIVACY_DELETE, "signed-in devices"},
    {"device_info", "sessions", "id", "user_id", "created_at",
     COLS("device_id", "created_at", "last_seen_at"), NONE_SEALED, PRIVACY_DELETE,
     "sign-in sessions"},
    {"push_token", "push_tokens", "device_id", "user_id", "updated_at",
     COLS("vendor", "updated_at"), SEALED({"token_enc", "push_tokens.token"}), PRIVACY_DELETE,
     "push registrations"},
    /* bodies are sealed under the conversation's key, not the user's: the
     * peer keeps their history; the sender's link is cut on cancellation */
    {"chat_content", "messages", "id", "sender_id", "created_at",
     COLS("conversation_id", "seq", "kind", "created_at", "recalled_at"), NONE_SEALED,
     PRIVACY_ANONYMISE, "messages sent: the peer's copy stays, without a link to the account"},
    {"chat_content", "media", "id", "owner_id", "created_at",
     COLS("content_type", "size", "created_at"), NONE_SEALED, PRIVACY_DELETE,
     "uploaded files no conversation references"},
    {"chat_content", "events", "seq", "user_id", "at", COLS("type", "conversation_id", "at"),
     NONE_SEALED, PRIVACY_DELETE, "the sync stream"},
    {"security_log", "security_events", "id", "user_id", "at",
     COLS("kind", "device_id", "at", "ip_net_hash"), NONE_SEALED, PRIVACY_DELETE,
     "security events"},
    {"consent_records", "consents", "id", "user_id", "at",
     COLS("scope", "version", "granted", "at"), NONE_SEALED, PRIVACY_RESTRICT,
     "law: records of consent are kept 3 years"},
    {"disclosure_records", "disclosures", "id", "user_id", "at",
     COLS("recipient", "categories", "purpose", "legal_basis", "at"), NONE_SEALED, PRIVACY_RESTRICT,
     "law: records of disclosures are kept 3 years"},
    {"support_records", "requests", "id", "user_id", "created_at",
     COLS("type", "status", "created_at", "due_at", "answered_at"),
     SEALED({"text_enc", "requests.text"}, {"answer_enc", "requests.answer"},
            {"reason_enc", "requests.reason"}),
     PRIVACY_DELETE, "rights requests and complaints"},
    /* hash-chained: pruned as a prefix, with an anchor (audit/audit.c) */
    {"audit_records", "audit_log", "seq", "subject_id", "at",
     COLS("at", "actor", "action", "categories", "reason"), NONE_SEALED, PRIVACY_RESTRICT,
     "law: who accessed the account's data and why, kept 3 years"},
    /* bulk exports asked and approved: staff and user ids, a reason */
    {"audit_records", "approvals", "id", NULL, "created_at",
     COLS("kind", "requested_by", "approved_by", "created_at", "decided_at", "read_at"),
     NONE_SEALED, PRIVACY_DELETE, "approvals of bulk exports, kept like the audit trail"},
    /* browse-only clients: a keyed hash of the address, for rate limits */
    {"ip_address", "rate_hits", NULL, NULL, "at", NONE, NONE_SEALED, PRIVACY_DELETE,
     "rate limits of clients not signed in"},
};
const size_t privacy_stores_count = sizeof(privacy_stores) / sizeof(privacy_stores[0]);
