/* err.h - the one error table (X-macro) and the per-request error record.
 * Codes are negative ints; each maps to an HTTP status and a stable string
 * that is public API: append only, never rename. docs/ERRORS.md is generated
 * from this table by `wlk errors`. */
#ifndef WLK_ERR_H
#define WLK_ERR_H

#include <stdbool.h>
#include <jansson.h>

/*     name                    status  code string               default message */
#define ERR_TABLE(X)                                                                               \
    X(INVALID_JSON, 400, "invalid_json", "The request body is not a valid JSON object.")           \
    X(UNAUTHORIZED, 401, "unauthorized", "Sign in first: the bearer token is missing or dead.")    \
    X(INVALID_CODE, 401, "invalid_code", "The verification code is wrong, expired or used.")       \
    X(VERIFICATION_REQUIRED, 401, "verification_required",                                         \
      "Confirm with a fresh code sent to your phone (POST /v1/me/sms-code).")                      \
    X(FORBIDDEN, 403, "forbidden", "You may not do this.")                                         \
    X(POLICY_WITHDRAWN, 403, "policy_withdrawn",                                                   \
      "You withdrew your consent to the privacy policy; grant it again to use this.")              \
    X(CONSENT_REQUIRED, 403, "consent_required", "Consent is required for this.")                  \
    X(POLICY_UPDATE_REQUIRED, 403, "policy_update_required", "Accept the updated policy first.")   \
    X(NOT_FOUND, 404, "not_found", "No such resource.")                                            \
    X(METHOD_NOT_ALLOWED, 405, "method_not_allowed", "This method is not allowed here.")           \
    X(CONFLICT, 409, "conflict", "The resource changed or already exists.")                        \
    X(PAYLOAD_TOO_LARGE, 413, "payload_too_large", "The request body is too large.")               \
    X(UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type", "Unsupported content type.")          \
    X(VALIDATION_FAILED, 422, "validation_failed", "A field is missing or invalid.")               \
    X(RATE_LIMITED, 429, "rate_limited", "Too many requests; retry later.")                        \
    X(TOO_MANY_ATTEMPTS, 429, "too_many_attempts", "Too many wrong codes; request a new one.")     \
    X(INTERNAL, 500, "internal", "Internal error.")                                                \
    X(UNAVAILABLE, 503, "unavailable", "The service is shutting down or overloaded.")              \
    X(CURSOR_EXPIRED, 410, "cursor_expired", "The cursor is too old; reload and sync again.")      \
    X(RECALL_WINDOW_PASSED, 409, "recall_window_passed", "Too late to recall this message.")       \
    X(RANGE_NOT_SATISFIABLE, 416, "range_not_satisfiable", "The requested range is outside.")      \
    X(UPGRADE_REQUIRED, 426, "upgrade_required", "Open this URL as a WebSocket.")

/* Negative codes in table order: ERR_INVALID_JSON = -999, ... */
enum {
    ERR_NONE = 0,
    ERR_BASE_ = -1000,
#define X(name, status, code, msg) ERR_##name,
    ERR_TABLE(X)
#undef X
};

typedef struct err {
    int code;          /* 0 or an ERR_* value; the first error set wins */
    int retry_after;   /* seconds, for 429 answers; 0 when unset */
    bool has_field;    /* a request field is at fault (its name may be "") */
    char field[64];    /* offending request field */
    char message[160]; /* client-safe message */
    char cause[200];   /* internal cause: logged with the request id, never sent */
    json_t *extra;     /* owned: extra keys merged into the error object, or NULL */
} err_t;

/* Sets the error unless one is set already. Returns the (first) code, so
 * `return err_set(e, ERR_X, "field", NULL);` reads naturally. A NULL fmt
 * uses the table's default message. */
__attribute__((format(printf, 4, 5))) int err_set(err_t *e, int code, const char *field,
                                                  const char *fmt, ...);
/* Records an internal failure: code ERR_INTERNAL, cause only for the log. */
__attribute__((format(printf, 2, 3))) int err_internal(err_t *e, const char *fmt, ...);
/* Adds an extra key to the error object; takes ownership of v. */
void err_extra(err_t *e, const char *key, json_t *v);
void err_clear(err_t *e);

int err_status(int code);
const char *err_string(int code);
const char *err_default_message(int code);
/* Calls fn for every table row, in order (used to generate docs/ERRORS.md). */
void err_foreach(void (*fn)(int code, int status, const char *str, const char *msg, void *arg),
                 void *arg);

#endif
