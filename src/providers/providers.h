/* providers.h - outside services behind small vtables. Each has a local
 * driver (appends exactly what would leave the system, one JSON line, to
 * <data-dir>/sink/<name>.jsonl) and a webhook driver (POSTs the same JSON
 * with an X-Wlk-Signature HMAC). Every method here may block: call them
 * from the outbox worker only, never from a request handler. */
#ifndef WLK_PROVIDERS_H
#define WLK_PROVIDERS_H

#include "core/config.h"
#include "core/err.h"

#include <stddef.h>

typedef struct providers_sms providers_sms_t;

typedef struct providers_sms_ops {
    const char *name;
    /* Delivers one message {"to","template","params","at"} (compact JSON). */
    int (*send)(providers_sms_t *self, const char *json, size_t len, err_t *e);
    void (*destroy)(providers_sms_t *self);
} providers_sms_ops_t;

struct providers_sms {
    const providers_sms_ops_t *ops;
};

/* Picks the driver named by cfg->sms_driver. Returns new (ops->destroy). */
int providers_sms_create(const config_t *cfg, providers_sms_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* Shared by every local driver: appends line + '\n' to
 * <data_dir>/sink/<name>.jsonl in one write, creating the folder (0700). */
int providers_sink_append(const char *data_dir, const char *name, const char *line, size_t len,
                          err_t *e) __attribute__((warn_unused_result));
/* Shared by every webhook driver: POSTs body; a 2xx answer is success. */
int providers_webhook_post(const char *url, const char *secret, const char *body, size_t len,
                           err_t *e) __attribute__((warn_unused_result));

#endif
