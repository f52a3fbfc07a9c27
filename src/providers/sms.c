/* sms.c - the SMS provider registry and its two drivers. */
#include "providers/providers.h"

#include <stdlib.h>
#include <string.h>

typedef struct sms_driver {
    providers_sms_t super;
    const config_t *cfg;
} sms_driver_t;

static int local_send(providers_sms_t *self, const char *json, size_t len, err_t *e)
{
    sms_driver_t *d = (sms_driver_t *)self;
    return providers_sink_append(d->cfg->data_dir, "sms", json, len, e);
}

static int webhook_send(providers_sms_t *self, const char *json, size_t len, err_t *e)
{
    sms_driver_t *d = (sms_driver_t *)self;
    return providers_webhook_post(d->cfg->sms_webhook_url, d->cfg->webhook_secret, json, len, e);
}

static void destroy(providers_sms_t *self)
{
    free(self);
}

static const providers_sms_ops_t drivers[] = {
    {"local", local_send, destroy},
    {"webhook", webhook_send, destroy},
};

int providers_sms_create(const config_t *cfg, providers_sms_t **out, err_t *e)
{
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        if (strcmp(drivers[i].name, cfg->sms_driver) != 0)
            continue;
        sms_driver_t *d = calloc(1, sizeof(*d));
        if (d == NULL)
            abort();
        d->super.ops = &drivers[i];
        d->cfg = cfg;
        *out = &d->super;
        return 0;
    }
    return err_internal(e, "unknown --sms-driver '%s' (local | webhook)", cfg->sms_driver);
}
