/* auth_int.h - declarations shared by the files of auth/ only. */
#ifndef WLK_AUTH_INT_H
#define WLK_AUTH_INT_H

#include "auth/auth.h"
#include "stream/stream.h"

/* Seals value for (table.field, row id) under dek into a new buffer. */
uint8_t *auth_seal(const sec_key_t *dek, const char *place, int64_t row, const char *value,
                   size_t *len);
/* Opens a sealed field into a new NUL-terminated string, or NULL. */
char *auth_open(const sec_key_t *dek, const char *place, int64_t row, const void *sealed,
                size_t len);
/* Reads and unwraps the data key of user_id (UNAUTHORIZED if gone). */
int auth_user_key(app_ctx_t *c, int64_t user_id, sec_key_t *dek, err_t *e);
/* Unwraps the data key of user_id from users.dek_wrapped (the row read by
 * the caller). */
int auth_user_dek(app_ctx_t *c, int64_t user_id, const void *wrapped, size_t len, sec_key_t *dek,
                  err_t *e);
/* Creates the account for phone; writes its id. Inside a transaction. */
int auth_user_create(app_ctx_t *c, const char *phone, const uint8_t bidx[SEC_HASH_LEN],
                     int64_t *user_id, err_t *e);
/* Finds or creates the device row of the client device id; kills the
 * device's previous sessions; records a security event for a new device
 * of an existing account. Inside a transaction. */
int auth_device_attach(app_ctx_t *c, stream_notify_t *n, int64_t user_id, bool new_user,
                       const auth_login_req_t *req, int64_t *device_id, err_t *e);
/* Opens a session for the device; writes the token. Inside a transaction. */
int auth_session_open(app_ctx_t *c, int64_t user_id, int64_t device_id,
                      char token[SEC_TOKEN_LEN + 1], err_t *e);

/* What a code is for: it is good for that only. */
#define AUTH_CODE_LOGIN    "login"
#define AUTH_CODE_VERIFY   "verify"
#define AUTH_CODE_CARD     "bank"     /* a bank card's reserved phone (identity/) */
#define AUTH_CODE_GUARDIAN "guardian" /* a child's guardian (identity/) */
/* Issues a code for purpose to phone under the sign-in limits (shared by
 * all purposes), sent with the purpose's SMS template. */
int auth_code_issue(app_ctx_t *c, const char *phone, const char *client_ip, const char *purpose,
                    err_t *e);
/* Same, for user_id's data (a code to a phone that is not the account's:
 * its disclosure is recorded for user_id). */
int auth_code_issue_for(app_ctx_t *c, const char *phone, const char *client_ip, const char *purpose,
                        int64_t user_id, err_t *e);
/* Checks code against the newest live code of the phone with blind index
 * pb for purpose (inside a transaction). A wrong try is counted: the caller commits
 * even though it fails. Returns the code's id (> 0) when it matches;
 * INVALID_CODE or TOO_MANY_ATTEMPTS otherwise. The caller marks it used. */
int64_t auth_code_check(app_ctx_t *c, const uint8_t *pb, const char *purpose, const char *code,
                        err_t *e);

#endif
