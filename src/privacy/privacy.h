/* privacy.h - privacy as code: the data map (every category of personal
 * data, its purposes, consent, encryption, retention and recipients), the
 * published policy rendered from it, and the consent ledger. Everything
 * that collects, shares, keeps or erases personal data reads this map. */
#ifndef WLK_PRIVACY_H
#define WLK_PRIVACY_H

#include "app/app.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

typedef enum { PRIVACY_DELETE, PRIVACY_ANONYMISE, PRIVACY_RESTRICT } privacy_action_t;
typedef enum {
    PRIVACY_UNTIL_CANCELLED,    /* kept while the account lives */
    PRIVACY_FROM_COLLECTION,    /* kept `days` after collection */
    PRIVACY_UNTIL_PURPOSE_DONE, /* kept until its purpose is achieved */
} privacy_trigger_t;

typedef struct privacy_retention {
    privacy_trigger_t trigger;
    int days; /* with PRIVACY_FROM_COLLECTION; 0 otherwise */
    privacy_action_t action;
} privacy_retention_t;

typedef struct privacy_purpose {
    const char *id, *zh, *en;
} privacy_purpose_t;

typedef struct privacy_recipient {
    const char *id, *name_zh, *name_en, *purpose_zh;
} privacy_recipient_t;

typedef struct privacy_scope {
    const char *id, *zh, *en;
    bool optional; /* false for "policy", the consent every account needs, and "guardian" */
} privacy_scope_t;

#define PRIVACY_MAX_LIST 6

typedef struct privacy_category {
    const char *id, *label_zh, *label_en;
    bool sensitive;                         /* 敏感个人信息: needs a separate consent scope */
    bool encrypted;                         /* sealed at rest under the owner's data key */
    const char *consent;                    /* scope id */
    const char *features;                   /* feature ids of DESIGN.md, e.g. "F1 F18" */
    const char *purposes[PRIVACY_MAX_LIST]; /* purpose ids, NULL-terminated */
    const char *recipients[PRIVACY_MAX_LIST]; /* recipient ids, NULL-terminated */
    privacy_retention_t retention;
} privacy_category_t;

#define PRIVACY_MAX_COLS 12

/* A column holding a category, and how it reads: 'd' id (a decimal
 * string), 'i' integer, 'b' boolean, 't' text, 'x' a keyed hash (hex),
 * 'e' text sealed under the owner's data key at `place` ("table.field",
 * bound to the row's id: the store's first column). Its export key is
 * `as`, or the field of the place for sealed columns, or its name. */
typedef struct privacy_col {
    const char *name;
    char type;
    const char *place, *as;
} privacy_col_t;

/* Where a category is stored (stores.c). owner NULL: rows of no account.
 * order NULL: the module owning the table exports it (rights/sources.c);
 * otherwise the export is its columns, as they stand, in that order. */
typedef struct privacy_store {
    const char *category, *table, *id, *owner, *at;
    privacy_col_t cols[PRIVACY_MAX_COLS]; /* the first is the row's id; ends at a NULL name */
    const char *order;                    /* the export's ORDER BY */
    privacy_action_t on_cancel;           /* delete, anonymise (cut the owner) or restrict */
    const char *why;
} privacy_store_t;

extern const privacy_store_t privacy_stores[];
extern const size_t privacy_stores_count;
/* The first sealed column of s, or NULL. */
const privacy_col_t *privacy_store_sealed(const privacy_store_t *s);
/* "SELECT <columns> FROM <table> WHERE <owner> = $1 ORDER BY <order>" of a
 * store the export reads as it stands (NULL for the others); lives as long
 * as the process. */
const char *privacy_store_select(const privacy_store_t *s);
/* The key a column has in the export. */
const char *privacy_col_key(const privacy_col_t *c);

extern const privacy_category_t privacy_categories[];
extern const size_t privacy_categories_count;
extern const privacy_purpose_t privacy_purposes[];
extern const size_t privacy_purposes_count;
extern const privacy_recipient_t privacy_recipients[];
extern const size_t privacy_recipients_count;
extern const privacy_scope_t privacy_scopes[];
extern const size_t privacy_scopes_count;

const privacy_category_t *privacy_category_find(const char *id);
const privacy_purpose_t *privacy_purpose_find(const char *id);
const privacy_recipient_t *privacy_recipient_find(const char *id);
const privacy_scope_t *privacy_scope_find(const char *id);
const char *privacy_action_name(privacy_action_t a);
const char *privacy_trigger_name(privacy_trigger_t t);

/* The data map as JSON. Returns new. */
json_t *privacy_datamap_json(void);
json_t *privacy_recipients_json(void);
json_t *privacy_scopes_json(void);
/* The zh-CN policy text rendered from the template and the map. Returns new
 * (free()). */
char *privacy_policy_text(void);

/* Publishes the policy rendered from the current map unless the latest
 * published version has the same content. A first version is not
 * material; a later one with changed content is. */
int privacy_policy_ensure_published(app_ctx_t *c, err_t *e) __attribute__((warn_unused_result));
/* The current version id into out[17]; ERR_NOT_FOUND when none. */
int privacy_policy_current(app_ctx_t *c, char out[17], err_t *e)
    __attribute__((warn_unused_result));
/* The archived document of version (NULL: the current one) exactly as it
 * was published. *doc is new (free()). ERR_NOT_FOUND for an unknown one. */
int privacy_policy_doc(app_ctx_t *c, const char *version, char **doc, size_t *len, err_t *e)
    __attribute__((warn_unused_result));
/* {"items":[{"version","published_at","material","note"}]} newest first. */
int privacy_policy_versions(app_ctx_t *c, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* The gate of every business endpoint, from the account's policy state
 * (read with its session): POLICY_WITHDRAWN when withdrawn; else
 * POLICY_UPDATE_REQUIRED (with the current "version") unless accepted is
 * the latest material version or newer. */
int privacy_gate(app_ctx_t *c, const char *accepted, bool withdrawn, err_t *e)
    __attribute__((warn_unused_result));
/* Whether accepted is the newest published version (from the gate's
 * per-thread cache: no query in the common case). */
bool privacy_policy_is_newest(app_ctx_t *c, const char *accepted);
/* Forgets this thread's cached versions (after publishing one). */
void privacy_gate_reset(void);

/* Appends a grant or a withdrawal to the consent ledger (never updated in
 * place). device_id 0: none. */
int privacy_consent_record(app_ctx_t *c, int64_t user_id, const char *scope, const char *version,
                           bool granted, int64_t device_id, err_t *e)
    __attribute__((warn_unused_result));
/* CONSENT_REQUIRED (with "scope" and the current "version") unless the
 * user granted scope. */
int privacy_consent_require(app_ctx_t *c, int64_t user_id, const char *scope, err_t *e)
    __attribute__((warn_unused_result));
/* Grants a scope for the current policy version (version must match:
 * VALIDATION_FAILED otherwise) or withdraws an optional one. Granting
 * "policy" restores an account that withdrew it; withdrawing "policy" is
 * FORBIDDEN here (rights_policy_withdraw checks the identity first).
 * *out: the scope's state (new), may be NULL. */
int privacy_consent_set(app_ctx_t *c, int64_t user_id, const char *scope, const char *version,
                        bool grant, int64_t device_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The state of each scope the user ever granted:
 * [{"scope","version","granted_at","withdrawn_at"}]. Returns new in *out. */
int privacy_consent_list(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* A hand-over of personal data to a third party (五), recorded when the
 * recipient accepted it. recipient and purpose are data-map ids; basis is
 * "consent", "contract" or "law". */
typedef struct privacy_disclosure {
    int64_t user_id;        /* 0: no account yet; then bidx */
    const uint8_t *bidx;    /* the phone's blind index (SEC_HASH_LEN) or NULL */
    const char *recipient;  /* e.g. "sms_provider" */
    const char *categories; /* data-map ids, space separated */
    const char *purpose, *basis;
} privacy_disclosure_t;

/* Appends a disclosure record (inside the caller's transaction). A record
 * for a phone with no account yet is kept under its blind index and given
 * to the account when it is created (privacy_disclosure_claim). */
int privacy_disclosure_record(app_ctx_t *c, const privacy_disclosure_t *d, err_t *e)
    __attribute__((warn_unused_result));
/* Gives the records kept under bidx to user_id (a new account). */
int privacy_disclosure_claim(app_ctx_t *c, int64_t user_id, const uint8_t *bidx, err_t *e)
    __attribute__((warn_unused_result));

/* The fingerprint of what makes a policy change material (九): the
 * categories with their purposes and recipients, and the purpose and
 * recipient lists. 16 hex chars into out[17]. */
void privacy_policy_fingerprint(char out[17]);

typedef struct privacy_publish {
    bool material; /* material even when the fingerprint is unchanged */
    bool force;    /* publish even when the text is unchanged */
    const char *note;
} privacy_publish_t;

/* Publishes the policy rendered from the current map. Material when asked
 * or when the fingerprint differs from the latest version's. Without
 * force, an unchanged policy publishes nothing: *published = false. The
 * new version id goes to version[17]. */
int privacy_policy_publish(app_ctx_t *c, const privacy_publish_t *p, bool *published,
                           char version[17], bool *material, err_t *e)
    __attribute__((warn_unused_result));
/* The newest version published after the one the user accepted, as
 * {"version","published_at","material","note"}, or JSON null. Returns new. */
int privacy_policy_notice(app_ctx_t *c, const char *accepted, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

#endif
