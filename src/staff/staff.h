/* staff.h - staff accounts (六.二.3): roles with least privilege, Argon2id
 * passwords, staff sessions. Plain C over app_ctx_t: no HTTP here. */
#ifndef WLK_STAFF_H
#define WLK_STAFF_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>
#include <stdint.h>

/* Roles are bits, so a route names the set it allows. */
enum {
    STAFF_ROLE_ADMIN = 1u << 0,    /* staff and policy; personal data only with a reason */
    STAFF_ROLE_REVIEWER = 1u << 1, /* bindings and content review */
    STAFF_ROLE_SUPPORT = 1u << 2,  /* requests and complaints */
    STAFF_ROLE_AUDITOR = 1u << 3,  /* the audit trail, nothing else */
};
#define STAFF_ROLES_ALL                                                                            \
    (STAFF_ROLE_ADMIN | STAFF_ROLE_REVIEWER | STAFF_ROLE_SUPPORT | STAFF_ROLE_AUDITOR)

typedef struct staff_session {
    int64_t id, staff_id;
    unsigned role; /* one STAFF_ROLE_* bit */
    char name[64];
} staff_session_t;

/* The role bit of a name ("admin" ...), or 0. */
unsigned staff_role_parse(const char *name);
const char *staff_role_name(unsigned role);

/* Creates a staff member; the password is hashed with Argon2id. Audited
 * ("staff.add" by actor: "cli" or "staff:<name>") in the same
 * transaction. CONFLICT when the name is taken; VALIDATION_FAILED for a
 * bad name, role or a password under 12 characters. */
int staff_add(app_ctx_t *c, const char *actor, const char *name, const char *role,
              const char *password, int64_t *id, err_t *e) __attribute__((warn_unused_result));
/* Disables a staff member and ends their sessions, audited
 * ("staff.disable") in the same transaction. NOT_FOUND if unknown or
 * disabled already. */
int staff_disable(app_ctx_t *c, const char *actor, const char *name, err_t *e)
    __attribute__((warn_unused_result));
/* Checks name and password of an enabled member; opens a session whose
 * token goes into token. UNAUTHORIZED otherwise (same answer for every
 * failure). */
int staff_login(app_ctx_t *c, const char *name, const char *password, char *token, size_t token_len,
                err_t *e) __attribute__((warn_unused_result));
/* The live session of a staff token. UNAUTHORIZED when unknown, idle for
 * more than STAFF_IDLE_MS or the member was disabled. */
int staff_session_resolve(app_ctx_t *c, const char *token, size_t len, staff_session_t *out,
                          err_t *e) __attribute__((warn_unused_result));

#define STAFF_IDLE_MS (30 * 60 * 1000LL)

/* Failed sign-ins counted per name and per client address over this
 * window; past the limits every try (even a right one) is RATE_LIMITED. */
#define STAFF_LOGIN_WINDOW_MS  (15 * 60 * 1000LL)
#define STAFF_LOGIN_NAME_LIMIT 5

/* staff_login behind the limits: a failure is counted against the name and
 * the client address (both as keyed hashes). RATE_LIMITED (retry_after
 * set) before any password check once either limit is reached. *role: the
 * member's role bit. Blocks for one Argon2id verification. */
int staff_login_limited(app_ctx_t *c, const char *name, const char *password, const char *client_ip,
                        char *token, size_t token_len, unsigned *role, err_t *e)
    __attribute__((warn_unused_result));
/* Ends the session s. */
int staff_logout(app_ctx_t *c, const staff_session_t *s, err_t *e)
    __attribute__((warn_unused_result));
/* {"items":[{"id","name","role","created_at","disabled_at"}]} by name; no
 * password hashes. Returns new. */
int staff_list(app_ctx_t *c, json_t **out, err_t *e) __attribute__((warn_unused_result));

/* Personal data seen by staff (access.c). Revealable categories are data-map
 * ids; which role may reveal which is the table in access.c. */
#define STAFF_MAX_CATEGORIES 8
#define STAFF_REASON_MIN     5
#define STAFF_REASON_MAX     500

/* VALIDATION_FAILED (field reason) unless reason has STAFF_REASON_MIN..MAX
 * characters: what staff must state before reading or refusing. */
int staff_reason_check(const char *reason, err_t *e) __attribute__((warn_unused_result));
/* The categories role may reveal, as a JSON array (returns new). */
json_t *staff_revealable(unsigned role);
/* "staff:<name>": the actor of audit records. */
void staff_actor(const staff_session_t *s, char out[80]);
/* {"id","phone","nickname","role","created_at"} with phone and nickname
 * masked ("138****5678", "张*"). NOT_FOUND for an unknown user. Not
 * audited: nothing in clear. Returns new. */
int staff_user_view(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Finds the account of a phone number (the keyed index) and answers its
 * masked view (staff_user_view), with an audit record
 * "personal_data.lookup" (category phone, reason) in the same
 * transaction: the person sees the look-up in their access log.
 * VALIDATION_FAILED (phone, reason), NOT_FOUND when no account has it. */
int staff_user_lookup(app_ctx_t *c, const staff_session_t *s, const char *phone, const char *reason,
                      json_t **out, err_t *e) __attribute__((warn_unused_result));
/* The categories of user_id in clear, and an audit record
 * "personal_data.read" (categories, reason) in the same transaction:
 * nothing is answered unless the record is stored. VALIDATION_FAILED
 * (categories, reason: STAFF_REASON_MIN..MAX characters), FORBIDDEN for a
 * category the role may not reveal, NOT_FOUND for an unknown user. */
int staff_user_reveal(app_ctx_t *c, const staff_session_t *s, int64_t user_id,
                      const char *const *categories, int ncat, const char *reason, json_t **out,
                      err_t *e) __attribute__((warn_unused_result));
/* The staff accesses to user_id's data from the audit trail, oldest first:
 * {"items":[{"seq","at","staff","role","action","categories","reason"}],
 * "next_after"}. Returns new. */
int staff_access_log(app_ctx_t *c, int64_t user_id, int64_t after, int limit, json_t **out,
                     err_t *e) __attribute__((warn_unused_result));

/* Bulk exports (export.c): four eyes. A request names users and a reason;
 * another admin approves; only then may the requester read the data, each
 * user's read audited. */
#define STAFF_EXPORT_MAX_USERS 100
/* VALIDATION_FAILED (user_ids: unknown, repeated; reason). */
int staff_export_request(app_ctx_t *c, const staff_session_t *s, const int64_t *users, int n,
                         const char *reason, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* NOT_FOUND; FORBIDDEN for the requester themself; CONFLICT when decided. */
int staff_export_approve(app_ctx_t *c, const staff_session_t *s, int64_t id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The bulk exports, newest first (at most 200): {"items":[{"id","status"
 * (pending, approved, read),"requested_by","approved_by","user_ids",
 * "reason","created_at","decided_at"}]}; no personal data. */
int staff_export_list(app_ctx_t *c, json_t **out, err_t *e) __attribute__((warn_unused_result));
/* The users' data, for the requester only (FORBIDDEN for anyone else),
 * once approved (CONFLICT before). */
int staff_export_read(app_ctx_t *c, const staff_session_t *s, int64_t id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

#endif
