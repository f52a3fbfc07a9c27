/* identity.h - identity verification (实名认证, F2; policy 三.一.2) and
 * the minors' rules (八, F20). A check by face photo or by bank card with
 * its reserved phone, each after the separate consent
 * identity_verification, made by the verify provider through the outbox.
 * Kept: the verified name and ID number sealed under the user's key (in
 * identities, apart from the account row), the masked number, method and
 * time. The photo or card goes when the check is done. Under 18 is
 * refused; under 14 nothing of the attempt is kept. Owns identities. */
#ifndef WLK_IDENTITY_H
#define WLK_IDENTITY_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* idcard.c: the 18-character resident ID number (GB 11643). */
typedef struct identity_id {
    char number[19]; /* the last character upper case */
    char masked[19]; /* "11**************3X" */
    int birth;       /* yyyymmdd */
    bool male;
} identity_id_t;

enum {
    IDENTITY_ID_LENGTH = -1,
    IDENTITY_ID_DIGITS = -2,
    IDENTITY_ID_REGION = -3,
    IDENTITY_ID_BIRTH = -4,   /* no such date, or after today */
    IDENTITY_ID_CHECKSUM = -5 /* ISO 7064 MOD 11-2 */
};

/* Parses s as of today (yyyymmdd): 0, or an IDENTITY_ID_* code. */
int identity_id_parse(const char *s, int today, identity_id_t *out);
/* The check character of the first 17 digits. */
char identity_id_check_char(const char *first17);
/* Full years from birth to today (both yyyymmdd). */
int identity_age(int birth, int today);
/* What an IDENTITY_ID_* code means, for the error message. */
const char *identity_id_problem(int rc);
/* yyyymmdd of a time in ms (China Standard Time, UTC+8). */
int identity_date_of(int64_t ms);

#define IDENTITY_ADULT     18 /* 八: under 18 is refused */
#define IDENTITY_CHILD     14 /* 八: under 14 leaves no trace */
#define IDENTITY_PHOTO_MAX (512 * 1024)
#define IDENTITY_CHECK_MS  (24 * 3600 * 1000LL) /* a check not done by then fails */

typedef struct identity_submit {
    const char *method; /* "face" or "bank_card" */
    const char *name;   /* 2..30 characters */
    const char *id_number;
    const uint8_t *photo; /* face: a JPEG or PNG face photo */
    size_t photo_len;
    const char *bank_card;      /* bank_card: 12..19 digits (Luhn) */
    const char *reserved_phone; /* bank_card: the card's reserved mobile */
    const char *client_ip;      /* for the SMS limits */
} identity_submit_t;

/* Starts a verification of user_id. CONSENT_REQUIRED (scope
 * identity_verification) without the separate consent; VALIDATION_FAILED
 * naming the field (id_number: length, region, birth date, check
 * character); MINOR_NOT_ALLOWED under 18, and under 14 with nothing of
 * the attempt written but an anonymous security event; CONFLICT when the
 * account is verified already. A face check is queued at once (status
 * "checking"); a bank card first sends a code to its reserved phone
 * ("code_sent", identity_confirm). A pending attempt is replaced. *out:
 * as identity_get. */
int identity_submit(app_ctx_t *c, int64_t user_id, const identity_submit_t *in, json_t **out,
                    err_t *e) __attribute__((warn_unused_result));
/* The code sent to the reserved phone: the bank card check is queued.
 * INVALID_CODE / TOO_MANY_ATTEMPTS; NOT_FOUND when no attempt waits for
 * one. */
int identity_confirm(app_ctx_t *c, int64_t user_id, const char *code, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* {"status": none|code_sent|checking|verified|failed, "method", "name",
 * "id_masked", "reason", "created_at", "checked_at"}: the latest attempt;
 * name only once verified. Returns new. */
int identity_get(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Whether user_id is verified (R25). */
int identity_is_verified(app_ctx_t *c, int64_t user_id, bool *yes, err_t *e)
    __attribute__((warn_unused_result));
/* The verified name of user_id into out (cap bytes); NOT_FOUND when not
 * verified. */
int identity_verified_name(app_ctx_t *c, int64_t user_id, char *out, size_t cap, err_t *e)
    __attribute__((warn_unused_result));

/* minors.c (八). Sets the age range a user states: under_14, 14_17 or
 * adult. Under 14 blocks every business route (guardian_consent_required)
 * until a guardian consents; FORBIDDEN when a child without that consent
 * or a verified identity says it is older. VALIDATION_FAILED. */
int identity_age_range_set(app_ctx_t *c, int64_t user_id, const char *range, err_t *e)
    __attribute__((warn_unused_result));
/* Sends a code to the guardian's phone (phone: a new guardian, asking for
 * consent; NULL: the consented guardian's, to withdraw). CONFLICT when no
 * guardian is needed or one consented already; NOT_FOUND when there is
 * none to withdraw; VALIDATION_FAILED (phone); RATE_LIMITED. */
int identity_guardian_ask(app_ctx_t *c, int64_t user_id, const char *phone, const char *client_ip,
                          err_t *e) __attribute__((warn_unused_result));
/* The guardian's code: consent recorded (ledger scope "guardian"), the
 * block lifted. INVALID_CODE, TOO_MANY_ATTEMPTS, NOT_FOUND. */
int identity_guardian_confirm(app_ctx_t *c, int64_t user_id, const char *code, err_t *e)
    __attribute__((warn_unused_result));
/* Checks and consumes the consented guardian's code before a withdrawal. */
int identity_guardian_withdrawing(app_ctx_t *c, int64_t user_id, const char *code, err_t *e)
    __attribute__((warn_unused_result));
/* {"age_range","guardian_required","guardian_consented","guardian_phone_masked"}. */
int identity_guardian_get(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* Registers the verify channel's hooks with the outbox (once, at start). */
void identity_init(void);

#endif
