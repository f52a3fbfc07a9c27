/* registry.c - channel name + driver name -> driver. */
#include "providers/providers.h"

#include <stdlib.h>
#include <string.h>

typedef struct driver {
    providers_t super;
    const config_t *cfg;
    const char *url;
} driver_t;

static int local_send(providers_t *self, const char *json, size_t len, err_t *e)
{
    driver_t *d = (driver_t *)self;
    int rc = providers_sink_append(d->cfg->data_dir, self->channel, json, len, e);
    if (rc == 0 && strcmp(self->channel, "sms") == 0)
        providers_sms_to_terminal(json, len);
    return rc;
}

static int webhook_send(providers_t *self, const char *json, size_t len, err_t *e)
{
    driver_t *d = (driver_t *)self;
    return providers_webhook_post(d->url, d->cfg->webhook_secret, json, len, e);
}

static void destroy(providers_t *self)
{
    free(self);
}

static const providers_ops_t drivers[] = {
    {"local", local_send, destroy},
    {"webhook", webhook_send, destroy},
};

int providers_create(const config_t *cfg, const char *channel, providers_t **out, err_t *e)
{
    bool sms = strcmp(channel, "sms") == 0;
    const char *name = sms ? cfg->sms_driver : cfg->push_driver;
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        if (strcmp(drivers[i].name, name) != 0)
            continue;
        driver_t *d = calloc(1, sizeof(*d));
        if (d == NULL)
            abort();
        d->super.ops = &drivers[i];
        d->super.channel = sms ? "sms" : "push";
        d->cfg = cfg;
        d->url = sms ? cfg->sms_webhook_url : cfg->push_webhook_url;
        *out = &d->super;
        return 0;
    }
    return err_internal(e, "unknown --%s-driver '%s' (local | webhook)", channel, name);
}
