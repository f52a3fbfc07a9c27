/* auth.h - phone sign-in (F1): phone numbers, SMS codes with limits,
 * accounts, devices and sessions. Plain C over app_ctx_t: no HTTP here. */
#ifndef WLK_AUTH_H
#define WLK_AUTH_H

#include "app/app.h"
#include "core/err.h"
#include "privacy/privacy.h"
#include "stream/stream.h"

#include <stdbool.h>
#include <jansson.h>

#define AUTH_MAX_ATTEMPTS 5

/* Normalises a mainland mobile number ("+86 138-1234-5678") into 11 digits
 * in out[12]; false if it is not one. */
bool auth_phone_parse(const char *in, char out[12]);

/* Sends a sign-in code to phone (through the outbox). client_ip is used
 * only as a keyed hash for the per-IP limit. Errors: VALIDATION_FAILED
 * (field phone), RATE_LIMITED (with retry_after). */
int auth_code_send(app_ctx_t *c, const char *phone, const char *client_ip, err_t *e)
    __attribute__((warn_unused_result));

typedef struct auth_login_req {
    const char *phone, *code;
    const char *device_id, *device_name, *device_platform; /* name/platform may be NULL */
    const char *accept_version;                            /* may be NULL */
    const char *client_ip; /* NULL: unknown; kept only as a hash of its network */
} auth_login_req_t;

typedef struct auth_login_res {
    char token[SEC_TOKEN_LEN + 1];
    bool new_user;
    int64_t user_id;
} auth_login_res_t;

/* Verifies the code and opens a session for the device (replacing that
 * device's previous one). Errors: VALIDATION_FAILED, INVALID_CODE,
 * TOO_MANY_ATTEMPTS, CONSENT_REQUIRED (code not consumed). */
int auth_login(app_ctx_t *c, const auth_login_req_t *req, auth_login_res_t *res, err_t *e)
    __attribute__((warn_unused_result));

typedef struct auth_session {
    int64_t id, user_id, device_id;
    char policy_version[17]; /* the policy version the user accepted last ("" none) */
    bool policy_withdrawn;   /* the user withdrew consent to the policy */
    bool guardian_required;  /* a child under 14 without a guardian's consent (八) */
} auth_session_t;

/* Runs sql, a query of one row by "$1 = token hash", for a bearer token:
 * DB_ROW (the caller reads and calls db_done), or UNAUTHORIZED when the
 * token is malformed or matches no row. Shared by users' and staff's
 * sessions. */
int auth_token_row(app_ctx_t *c, const char *sql, const char *token, size_t len, db_stmt_t **st,
                   err_t *e) __attribute__((warn_unused_result));
/* Finds the live session of a bearer token and marks it used, with the
 * account's policy state. UNAUTHORIZED when unknown or idle too long. */
int auth_session_resolve(app_ctx_t *c, const char *token, size_t len, auth_session_t *out, err_t *e)
    __attribute__((warn_unused_result));
/* Re-reads a resolved session by id (its policy state too). UNAUTHORIZED
 * when it no longer exists (signed out, device removed, account gone). */
int auth_session_check(app_ctx_t *c, auth_session_t *s, err_t *e)
    __attribute__((warn_unused_result));
int auth_logout(app_ctx_t *c, const auth_session_t *s, err_t *e)
    __attribute__((warn_unused_result));

/* {"id","phone_masked","nickname","role","created_at","push_preview",
 * "policy":{"version","withdrawn"}}. Returns new. */
int auth_user_view(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* A change of the profile; NULL or -1: unchanged. avatar: 0 removes the
 * picture, else the id of an image the user uploaded. */
typedef struct auth_profile {
    const char *nickname, *role;
    int push_preview; /* -1, 0 or 1 */
    int64_t avatar;
} auth_profile_t;
/* Applies p in one transaction with an audit record "profile.correct"
 * naming the changed fields and their categories, never the values
 * (七.一). Nothing to change: 0. VALIDATION_FAILED (nickname, role,
 * avatar_media_id: not an image of the user's). */
int auth_profile_update(app_ctx_t *c, int64_t user_id, const auth_profile_t *p, err_t *e)
    __attribute__((warn_unused_result));
/* A user's profile picture (media id) as JSON: an id string, or null. */
int auth_user_avatar(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The user's nickname as JSON (string, or null when unset or gone). */
int auth_user_nickname(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* An author as published content shows them: {"id","nickname"} (null
 * when unset, gone or unreadable). Returns new. */
json_t *auth_user_brief(app_ctx_t *c, int64_t user_id);
/* Turns message previews in pushes on or off. */
int auth_user_set_push_preview(app_ctx_t *c, int64_t user_id, bool on, err_t *e)
    __attribute__((warn_unused_result));
/* Registers (vendor, token) for pushes to one of the user's devices, or
 * removes it (vendor NULL). NOT_FOUND if the device is not theirs. */
int auth_device_push(app_ctx_t *c, int64_t user_id, int64_t device_id, const char *vendor,
                     const char *token, err_t *e) __attribute__((warn_unused_result));
/* Queues a push to each of user's devices with a push token, unless the
 * user is online or gone. preview is shown only if the user turned
 * previews on; otherwise the text is neutral. Inside a transaction. */
int auth_push(app_ctx_t *c, stream_notify_t *n, int64_t user, const char *title,
              const char *preview, err_t *e) __attribute__((warn_unused_result));
/* {"items":[{"id","name","platform","created_at","last_seen_at","current"}]} */
int auth_devices_view(app_ctx_t *c, const auth_session_t *s, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Removes one of the user's devices and kills its sessions; NOT_FOUND if
 * it is not theirs. */
int auth_device_remove(app_ctx_t *c, int64_t user_id, int64_t device_id, err_t *e)
    __attribute__((warn_unused_result));

/* The account of a phone number, found through its keyed index.
 * VALIDATION_FAILED (phone), NOT_FOUND. */
int auth_user_by_phone(app_ctx_t *c, const char *phone, int64_t *user_id, err_t *e)
    __attribute__((warn_unused_result));
/* Cancellation: deletes every code sent to the phone of this keyed index
 * (nothing may tie the phone to the old account). In the caller's
 * transaction. */
int auth_codes_forget(app_ctx_t *c, const uint8_t phone_bidx[SEC_HASH_LEN], err_t *e)
    __attribute__((warn_unused_result));
/* The keyed index of the account's phone (as sign-in codes are filed). */
int auth_user_phone_bidx(app_ctx_t *c, int64_t user_id, uint8_t out[SEC_HASH_LEN], err_t *e)
    __attribute__((warn_unused_result));
/* Reads and unwraps the data key of user_id (NOT_FOUND if the account is
 * gone). Wipe *dek after use. */
int auth_user_key(app_ctx_t *c, int64_t user_id, sec_key_t *dek, err_t *e)
    __attribute__((warn_unused_result));
/* The account's phone number (11 digits) into out[12]; wipe it after use.
 * UNAUTHORIZED when the account is gone. */
int auth_user_phone(app_ctx_t *c, int64_t user_id, char out[12], err_t *e)
    __attribute__((warn_unused_result));

/* The identity check before a rights request: sends a code to the
 * account's own phone under the sign-in limits (RATE_LIMITED with
 * retry_after). */
int auth_step_up_send(app_ctx_t *c, int64_t user_id, const char *client_ip, err_t *e)
    __attribute__((warn_unused_result));
/* Consumes a fresh, unused, unexpired code sent to user_id's phone (its
 * own transaction: call it outside one). VERIFICATION_REQUIRED (field
 * "code") when code is NULL, malformed, wrong, used or expired;
 * TOO_MANY_ATTEMPTS after AUTH_MAX_ATTEMPTS wrong tries of one code. */
int auth_step_up_verify(app_ctx_t *c, int64_t user_id, const char *code, err_t *e)
    __attribute__((warn_unused_result));

/* A phone that is not the account's, that user_id names: a bank card's
 * reserved phone (identity verification) or a guardian's (八). */
typedef enum { AUTH_OTHER_CARD, AUTH_OTHER_GUARDIAN } auth_other_t;
/* A code to that phone under the sign-in limits; its disclosure is
 * recorded as user_id's data (bank_card, guardian_contact).
 * VALIDATION_FAILED (phone), RATE_LIMITED. */
int auth_other_code_send(app_ctx_t *c, int64_t user_id, auth_other_t what, const char *phone,
                         const char *client_ip, err_t *e) __attribute__((warn_unused_result));
/* Consumes the code sent to phone for what (its own transaction).
 * INVALID_CODE, TOO_MANY_ATTEMPTS. */
int auth_other_code_check(app_ctx_t *c, auth_other_t what, const char *phone, const char *code,
                          err_t *e) __attribute__((warn_unused_result));
/* Blocks (or unblocks) the account's business routes until a guardian
 * consents: a child under 14 (八). Read with every session. */
int auth_user_set_guardian_block(app_ctx_t *c, int64_t user_id, bool blocked, err_t *e)
    __attribute__((warn_unused_result));

/* Re-wraps every account data key under the vault's current key (after
 * sec_vault_rotate), a page per transaction, while the server serves.
 * *done: rewritten; *unreadable: keys no key of the ring opens. */
int auth_keys_rewrap(app_ctx_t *c, int64_t *done, int64_t *unreadable, err_t *e)
    __attribute__((warn_unused_result));
/* Whether the account exists. */
int auth_user_exists(app_ctx_t *c, int64_t user_id, bool *yes, err_t *e)
    __attribute__((warn_unused_result));
/* The sealed field of a users-table store of the data map (ps), opened
 * with the user's data key; JSON null when unset or unreadable. */
int auth_user_field(app_ctx_t *c, const sec_key_t *dek, int64_t user_id, const privacy_store_t *ps,
                    json_t **out, err_t *e) __attribute__((warn_unused_result));
/* Whether the account withdrew its consent to the policy (UNAUTHORIZED:
 * no such account). */
int auth_user_policy_withdrawn(app_ctx_t *c, int64_t user_id, bool *withdrawn, err_t *e)
    __attribute__((warn_unused_result));
/* Up to max account ids above `after`, ascending, into ids; how many in *n. */
int auth_user_ids_after(app_ctx_t *c, int64_t after, int64_t *ids, int max, int *n, err_t *e)
    __attribute__((warn_unused_result));

#endif
