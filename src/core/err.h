/* err.h - the one error table (X-macro) and the per-request error record.
 * Codes are negative ints; each maps to an HTTP status and a stable string
 * that is public API: append only, never rename. docs/ERRORS.md is generated
 * from this table by `wlk errors`. */
#ifndef WLK_ERR_H
#define WLK_ERR_H

#include <stdbool.h>
#include <jansson.h>

/* Columns: name, HTTP status, code string (API), default message (English,
 * in error bodies), the message shown to users (zh-CN; GET /v1/errors). */
#define ERR_TABLE(X)                                                                               \
    X(INVALID_JSON, 400, "invalid_json", "The request body is not a valid JSON object.",           \
      "请求格式不正确。")                                                                          \
    X(UNAUTHORIZED, 401, "unauthorized", "Sign in first: the bearer token is missing or dead.",    \
      "请先登录。")                                                                                \
    X(INVALID_CODE, 401, "invalid_code", "The verification code is wrong, expired or used.",       \
      "验证码错误、已过期或已使用。")                                                              \
    X(VERIFICATION_REQUIRED, 401, "verification_required",                                         \
      "Confirm with a fresh code sent to your phone (POST /v1/me/sms-code).",                      \
      "请输入发送到本账号手机号的新验证码以确认身份。")                                            \
    X(FORBIDDEN, 403, "forbidden", "You may not do this.", "你无权进行此操作。")                   \
    X(POLICY_WITHDRAWN, 403, "policy_withdrawn",                                                   \
      "You withdrew your consent to the privacy policy; grant it again to use this.",              \
      "你已撤回对隐私政策的同意，重新同意后才能使用此功能。")                                      \
    X(CONSENT_REQUIRED, 403, "consent_required", "Consent is required for this.",                  \
      "此功能需要你的单独同意。")                                                                  \
    X(POLICY_UPDATE_REQUIRED, 403, "policy_update_required", "Accept the updated policy first.",   \
      "隐私政策已更新，请先阅读并同意。")                                                          \
    X(NOT_FOUND, 404, "not_found", "No such resource.", "找不到该内容。")                          \
    X(METHOD_NOT_ALLOWED, 405, "method_not_allowed", "This method is not allowed here.",           \
      "不支持此操作。")                                                                            \
    X(CONFLICT, 409, "conflict", "The resource changed or already exists.",                        \
      "内容已变化或已存在，请刷新后重试。")                                                        \
    X(PAYLOAD_TOO_LARGE, 413, "payload_too_large", "The request body is too large.",               \
      "文件或内容太大。")                                                                          \
    X(UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type", "Unsupported content type.",          \
      "不支持此文件类型。")                                                                        \
    X(VALIDATION_FAILED, 422, "validation_failed", "A field is missing or invalid.",               \
      "填写的内容有误，请检查。")                                                                  \
    X(RATE_LIMITED, 429, "rate_limited", "Too many requests; retry later.",                        \
      "操作太频繁，请稍后再试。")                                                                  \
    X(TOO_MANY_ATTEMPTS, 429, "too_many_attempts", "Too many wrong codes; request a new one.",     \
      "验证码错误次数过多，请重新获取验证码。")                                                    \
    X(INTERNAL, 500, "internal", "Internal error.", "服务器出错了，请稍后再试。")                  \
    X(UNAVAILABLE, 503, "unavailable", "The service is shutting down or overloaded.",              \
      "服务暂时不可用，请稍后再试。")                                                              \
    X(CURSOR_EXPIRED, 410, "cursor_expired", "The cursor is too old; reload and sync again.",      \
      "同步记录已过期，需要重新加载。")                                                            \
    X(RECALL_WINDOW_PASSED, 409, "recall_window_passed", "Too late to recall this message.",       \
      "已超过可撤回的时间。")                                                                      \
    X(RANGE_NOT_SATISFIABLE, 416, "range_not_satisfiable", "The requested range is outside.",      \
      "请求的范围超出了文件。")                                                                    \
    X(UPGRADE_REQUIRED, 426, "upgrade_required", "Open this URL as a WebSocket.",                  \
      "请以 WebSocket 方式连接。")                                                                 \
    X(CROSS_ORIGIN, 403, "cross_origin",                                                           \
      "A write signed in by cookie must come from this site's own pages.",                         \
      "请从本站页面进行此操作。")                                                                  \
    X(MINOR_NOT_ALLOWED, 403, "minor_not_allowed",                                                 \
      "Identity verification is for adults: the ID number says you are under 18.",                 \
      "根据身份证号码，您未满18周岁，不能进行实名认证。")                                          \
    X(IDENTITY_REQUIRED, 403, "identity_required",                                                 \
      "Verify your identity first (POST /v1/me/identity).", "请先完成实名认证。")                  \
    X(GUARDIAN_CONSENT_REQUIRED, 403, "guardian_consent_required",                                 \
      "You are under 14: a guardian must consent first (POST /v1/me/guardian).",                   \
      "您未满十四周岁，需要监护人同意后才能使用此功能。")                                          \
    X(CONTENT_REJECTED, 422, "content_rejected",                                                   \
      "The text contains a word that may not be published (see span and word).",                   \
      "内容包含不允许发布的词语，请修改后再发布。")

/* Negative codes in table order: ERR_INVALID_JSON = -999, ... */
enum {
    ERR_NONE = 0,
    ERR_BASE_ = -1000,
#define X(name, status, code, msg, zh) ERR_##name,
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
/* Sets e's Retry-After to wait_ms rounded up to seconds (at least 1). */
void err_retry_in(err_t *e, int64_t wait_ms);
/* Adds an extra key to the error object; takes ownership of v. */
void err_extra(err_t *e, const char *key, json_t *v);
void err_clear(err_t *e);
/* The database is unavailable (lost, busy, failing over): the request may be
 * retried; an operator's warning rather than a bug. */
bool err_is_outage(const err_t *e);

int err_status(int code);
const char *err_string(int code);
const char *err_default_message(int code);
typedef struct err_info {
    int code, status;
    const char *str, *msg, *zh;
} err_info_t;
/* Calls fn for every table row, in order (docs/ERRORS.md, GET /v1/errors). */
void err_foreach(void (*fn)(const err_info_t *row, void *arg), void *arg);

#endif
