/* common.c - the sink file and the signed webhook POST used by drivers. */
#include "providers/providers.h"
#include "sec/sec.h"

#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int providers_sink_append(const char *data_dir, const char *name, const char *line, size_t len,
                          err_t *e)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/sink", data_dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return err_internal(e, "mkdir %s: %s", path, strerror(errno));
    snprintf(path, sizeof(path), "%s/sink/%s.jsonl", data_dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_internal(e, "open %s: %s", path, strerror(errno));
    char *buf = malloc(len + 1);
    if (buf == NULL)
        abort();
    memcpy(buf, line, len);
    buf[len] = '\n';
    ssize_t n = write(fd, buf, len + 1);
    free(buf);
    int ok = n == (ssize_t)(len + 1) && fsync(fd) == 0;
    close(fd);
    return ok ? 0 : err_internal(e, "write %s failed", path);
}

void providers_sms_to_terminal(const char *json, size_t len)
{
    if (!isatty(STDOUT_FILENO))
        return;
    json_t *m = json_loadb(json, len, 0, NULL);
    const char *to = json_string_value(json_object_get(m, "to"));
    const char *code = json_string_value(json_object_get(json_object_get(m, "params"), "code"));
    const char *tpl = json_string_value(json_object_get(m, "template"));
    size_t n = to ? strlen(to) : 0;
    if (n >= 11 && code) /* "+86" and 11 digits: keep the first 3 and last 4 */
        printf("[wlk 本地短信 local SMS] %.3s****%s 的%s：%s\n", to + n - 11, to + n - 4,
               tpl && strcmp(tpl, "verify_code") == 0 ? "身份验证码"
               : tpl && strcmp(tpl, "bank_code") == 0 ? "银行卡验证码"
                                                      : "登录验证码",
               code);
    fflush(stdout);
    json_decref(m);
}

#define REPLY_MAX (64 * 1024)

typedef struct reply {
    char *buf; /* NULL: the answer is not kept */
    size_t len;
    bool keep;
} reply_t;

static size_t collect(void *p, size_t size, size_t n, void *arg)
{
    reply_t *r = arg;
    size_t got = size * n;
    if (!r->keep)
        return got;
    if (r->len + got > REPLY_MAX)
        return 0; /* too long: curl stops with an error */
    char *b = realloc(r->buf, r->len + got + 1);
    if (b == NULL)
        abort();
    memcpy(b + r->len, p, got);
    r->buf = b;
    r->len += got;
    b[r->len] = '\0';
    return got;
}

static int post(const char *url, const char *secret, const char *body, size_t len, reply_t *r,
                err_t *e)
{
    if (url == NULL || *url == '\0')
        return err_internal(e, "webhook driver needs a URL");
    CURL *h = curl_easy_init();
    if (h == NULL)
        return err_internal(e, "curl_easy_init failed");
    char sig[65], hdr[96];
    sec_hmac_hex(secret, body, len, sig);
    snprintf(hdr, sizeof(hdr), "X-Wlk-Signature: sha256=%s", sig);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, hdr);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK)
        return err_internal(e, "webhook: %s", curl_easy_strerror(rc));
    if (status < 200 || status > 299)
        return err_internal(e, "webhook answered %ld", status);
    return 0;
}

int providers_webhook_post(const char *url, const char *secret, const char *body, size_t len,
                           err_t *e)
{
    reply_t r = {0};
    return post(url, secret, body, len, &r, e);
}

int providers_webhook_ask(const char *url, const char *secret, const char *body, size_t len,
                          char **reply, size_t *rlen, err_t *e)
{
    reply_t r = {.keep = true};
    int rc = post(url, secret, body, len, &r, e);
    if (rc < 0 || r.buf == NULL) {
        free(r.buf);
        return rc < 0 ? rc : err_internal(e, "webhook answered with no body");
    }
    *reply = r.buf;
    *rlen = r.len;
    return 0;
}

static bool luhn(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = s[n - 1 - i] - '0';
        if (d < 0 || d > 9)
            return false;
        if (i % 2 == 1 && (d *= 2) > 9)
            d -= 9;
        sum += d;
    }
    return n > 0 && sum % 10 == 0;
}

char *providers_verify_rule(const char *json, size_t len, size_t *rlen)
{
    json_t *m = json_loadb(json, len, 0, NULL);
    const char *name = json_string_value(json_object_get(m, "name"));
    const char *method = json_string_value(json_object_get(m, "method"));
    const char *mismatch = "不符";
    size_t nl = name ? strlen(name) : 0, ml = strlen(mismatch);
    const char *reason = NULL;
    if (!name || (nl >= ml && strcmp(name + nl - ml, mismatch) == 0))
        reason = "name_mismatch";
    else if (method && strcmp(method, "bank_card") == 0 &&
             !luhn(json_string_value(json_object_get(m, "bank_card"))))
        reason = "card_invalid";
    json_t *a = json_pack("{s:b, s:s?}", "passed", reason == NULL, "reason", reason);
    char *out = json_dumps(a, JSON_COMPACT);
    *rlen = strlen(out);
    json_decref(a);
    json_decref(m);
    return out;
}
