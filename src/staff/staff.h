/* staff.h - staff accounts (六.二.3): roles with least privilege, Argon2id
 * passwords, staff sessions. Plain C over app_ctx_t: no HTTP here. */
#ifndef WLK_STAFF_H
#define WLK_STAFF_H

#include "app/app.h"
#include "core/err.h"

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

/* Creates a staff member; the password is hashed with Argon2id. CONFLICT
 * when the name is taken; VALIDATION_FAILED for a bad name, role or a
 * password under 12 characters. */
int staff_add(app_ctx_t *c, const char *name, const char *role, const char *password, int64_t *id,
              err_t *e) __attribute__((warn_unused_result));
/* Disables a staff member and ends their sessions. NOT_FOUND if unknown. */
int staff_disable(app_ctx_t *c, const char *name, err_t *e) __attribute__((warn_unused_result));
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

#endif
