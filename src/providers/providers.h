/* providers.h - outside services behind one small vtable per channel
 * ("sms", "push"; payment and identity verification later). Each channel
 * has a local driver (appends exactly what would leave the system, one
 * JSON line, to <data-dir>/sink/<channel>.jsonl) and a webhook driver
 * (POSTs the same JSON with an X-Wlk-Signature HMAC). Every method may
 * block: call them from the outbox worker only, never from a handler. */
#ifndef WLK_PROVIDERS_H
#define WLK_PROVIDERS_H

#include "core/config.h"
#include "core/err.h"

#include <stddef.h>

typedef struct providers providers_t;

typedef struct providers_ops {
    const char *name;
    /* Delivers one message (compact JSON). */
    int (*send)(providers_t *self, const char *json, size_t len, err_t *e);
    /* Delivers one message and returns the provider's answer (*reply new,
     * free(); compact JSON). The verify channel's way. */
    int (*ask)(providers_t *self, const char *json, size_t len, char **reply, size_t *rlen,
               err_t *e);
    void (*destroy)(providers_t *self);
} providers_ops_t;

struct providers {
    const providers_ops_t *ops;
    const char *channel;
};

/* The driver cfg names for channel ("sms": --sms-driver, "push":
 * --push-driver, "verify": --verify-driver). Returns new (ops->destroy). */
int providers_create(const config_t *cfg, const char *channel, providers_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* Shared by every local driver: appends line + '\n' to
 * <data_dir>/sink/<name>.jsonl in one write, creating the folder (0700). */
int providers_sink_append(const char *data_dir, const char *name, const char *line, size_t len,
                          err_t *e) __attribute__((warn_unused_result));
/* The local SMS driver, for a person trying wlk on their own machine:
 * when standard output is a terminal, prints the masked phone and the
 * code of the SMS just delivered there (never to the log, which is
 * standard error; nothing when stdout is a file, a pipe or a journal). */
void providers_sms_to_terminal(const char *json, size_t len);
/* Shared by every webhook driver: POSTs body; a 2xx answer is success. */
int providers_webhook_post(const char *url, const char *secret, const char *body, size_t len,
                           err_t *e) __attribute__((warn_unused_result));
/* Same, keeping the answer's body (*reply new, at most 64 KiB). */
int providers_webhook_ask(const char *url, const char *secret, const char *body, size_t len,
                          char **reply, size_t *rlen, err_t *e) __attribute__((warn_unused_result));
/* The local verify driver's rule (docs/PRIVACY.md): a check of a message
 * {"method","name","id_number",…} passes unless the name ends with 不符
 * ("does not match"); a bank card must also pass the Luhn check. The
 * answer: {"passed": bool, "reason": "name_mismatch"|"card_invalid"|null}.
 * Returns new (free()). */
char *providers_verify_rule(const char *json, size_t len, size_t *rlen);

#endif
