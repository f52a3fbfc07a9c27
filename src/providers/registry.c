/* registry.c - channel name + driver name -> driver. */
#include "providers/providers.h"

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
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

/* The sink gets what would leave, but a face photo only as its digest:
 * a copy of biometric data in the data directory is one too many. */
static int local_ask(providers_t *self, const char *json, size_t len, char **reply, size_t *rlen,
                     err_t *e)
{
    driver_t *d = (driver_t *)self;
    json_t *m = json_loadb(json, len, 0, NULL);
    const char *photo = json_string_value(json_object_get(m, "face_photo"));
    if (photo) {
        uint8_t h[32];
        char hex[65];
        crypto_hash_sha256(h, (const uint8_t *)photo, strlen(photo));
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        json_object_set_new(m, "face_photo",
                            json_pack("{s:s, s:I}", "sha256_of_base64", hex, "base64_bytes",
                                      (json_int_t)strlen(photo)));
    }
    char *line = m ? json_dumps(m, JSON_COMPACT) : NULL;
    json_decref(m);
    if (line == NULL)
        return err_internal(e, "verify: a message that is not JSON");
    int rc = providers_sink_append(d->cfg->data_dir, self->channel, line, strlen(line), e);
    free(line);
    if (rc == 0)
        *reply = providers_verify_rule(json, len, rlen);
    return rc;
}

static int webhook_ask(providers_t *self, const char *json, size_t len, char **reply, size_t *rlen,
                       err_t *e)
{
    driver_t *d = (driver_t *)self;
    return providers_webhook_ask(d->url, d->cfg->webhook_secret, json, len, reply, rlen, e);
}

static void destroy(providers_t *self)
{
    free(self);
}

static const providers_ops_t drivers[] = {
    {"local", local_send, local_ask, destroy},
    {"webhook", webhook_send, webhook_ask, destroy},
};

/* The channels: their driver and webhook settings. */
static const struct channel {
    const char *name;
    size_t driver, url; /* offsets in config_t */
} channels[] = {
    {"sms", offsetof(config_t, sms_driver), offsetof(config_t, sms_webhook_url)},
    {"push", offsetof(config_t, push_driver), offsetof(config_t, push_webhook_url)},
    {"verify", offsetof(config_t, verify_driver), offsetof(config_t, verify_webhook_url)},
};

int providers_create(const config_t *cfg, const char *channel, providers_t **out, err_t *e)
{
    const struct channel *ch = NULL;
    for (size_t i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
        if (strcmp(channels[i].name, channel) == 0)
            ch = &channels[i];
    if (ch == NULL)
        return err_internal(e, "no provider channel '%s'", channel);
    const char *name = (const char *)cfg + ch->driver;
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        if (strcmp(drivers[i].name, name) != 0)
            continue;
        driver_t *d = calloc(1, sizeof(*d));
        if (d == NULL)
            abort();
        d->super.ops = &drivers[i];
        d->super.channel = ch->name;
        d->cfg = cfg;
        d->url = (const char *)cfg + ch->url;
        *out = &d->super;
        return 0;
    }
    return err_internal(e, "unknown --%s-driver '%s' (local | webhook)", channel, name);
}
