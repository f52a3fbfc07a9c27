/* config.c - the option table and its parser. */
#include "core/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { OPT_STR, OPT_INT } opt_type_t;

typedef struct opt {
    const char *flag; /* without the leading "--" */
    const char *env;
    opt_type_t type;
    size_t offset, size;
    long min, max;
    const char *def;
    const char *help;
} opt_t;

#define STR(field, flag, env, def, help)                                                           \
    {                                                                                              \
        flag, env, OPT_STR, offsetof(config_t, field), sizeof(((config_t *)0)->field), 0, 0, def,  \
            help                                                                                   \
    }
#define INT(field, flag, env, lo, hi, def, help)                                                   \
    {                                                                                              \
        flag, env, OPT_INT, offsetof(config_t, field), sizeof(int), lo, hi, def, help              \
    }

static const opt_t opts[] = {
    STR(listen, "listen", "WLK_LISTEN", "127.0.0.1:8080", "address:port to serve HTTP on"),
    STR(data_dir, "data-dir", "WLK_DATA_DIR", "./var", "data directory (database, key, sinks)"),
    STR(database, "database", "WLK_DATABASE", "",
        "postgres://user@host:port/db for PostgreSQL (empty: SQLite in the data directory)"),
    STR(bus, "bus", "WLK_BUS", "",
        "nats://host:port (comma-separated for a NATS cluster) to reach the other nodes"),
    INT(threads, "threads", "WLK_THREADS", 0, 256, "0", "event-loop threads (0: one per core)"),
    STR(log_level, "log-level", "WLK_LOG_LEVEL", "info", "debug | info | warn | error"),
    INT(node_id, "node-id", "WLK_NODE_ID", 0, 1023, "0", "node id in generated ids (0-1023)"),
    INT(otp_ttl, "otp-ttl", "WLK_OTP_TTL", 1, 3600, "300", "seconds a sign-in code is valid"),
    INT(sms_interval, "sms-interval", "WLK_SMS_INTERVAL", 0, 3600, "60",
        "seconds between two codes to one phone"),
    INT(sms_daily_limit, "sms-daily-limit", "WLK_SMS_DAILY_LIMIT", 1, 1000, "10",
        "codes per phone per 24 hours"),
    INT(sms_ip_limit, "sms-ip-limit", "WLK_SMS_IP_LIMIT", 1, 100000, "30",
        "codes per client IP per hour"),
    INT(staff_login_ip_limit, "staff-login-ip-limit", "WLK_STAFF_LOGIN_IP_LIMIT", 1, 100000, "20",
        "failed staff sign-ins per client IP per 15 minutes"),
    INT(session_idle_days, "session-idle-days", "WLK_SESSION_IDLE_DAYS", 1, 365, "30",
        "days of inactivity after which a session dies"),
    INT(shutdown_grace, "shutdown-grace", "WLK_SHUTDOWN_GRACE", 0, 600, "5",
        "seconds to finish requests in flight on SIGTERM"),
    STR(sms_driver, "sms-driver", "WLK_SMS_DRIVER", "local", "local | webhook"),
    STR(sms_webhook_url, "sms-webhook-url", "WLK_SMS_WEBHOOK_URL", "",
        "URL the webhook SMS driver POSTs to"),
    STR(webhook_secret, "webhook-secret", "WLK_WEBHOOK_SECRET", "",
        "HMAC-SHA256 key that signs webhook bodies"),
    STR(sqlite_lock, "sqlite-lock", "WLK_SQLITE_LOCK", "exclusive",
        "exclusive (fastest; other processes wait) | shared"),
    INT(recall_window, "recall-window", "WLK_RECALL_WINDOW", 0, 86400, "120",
        "seconds a sender may recall a message"),
    INT(call_ring_timeout, "call-ring-timeout", "WLK_CALL_RING_TIMEOUT", 1, 600, "30",
        "seconds an unanswered call rings"),
    INT(ws_ping_interval, "ws-ping-interval", "WLK_WS_PING_INTERVAL", 1, 3600, "30",
        "seconds between WebSocket pings"),
    INT(ws_idle_timeout, "ws-idle-timeout", "WLK_WS_IDLE_TIMEOUT", 1, 86400, "75",
        "seconds without a frame before a WebSocket is closed"),
    INT(ws_max_queue, "ws-max-queue", "WLK_WS_MAX_QUEUE", 4096, 1 << 30, "4194304",
        "unsent bytes before a slow WebSocket consumer is cut"),
    INT(event_retention_days, "event-retention-days", "WLK_EVENT_RETENTION_DAYS", 1, 3650, "30",
        "days the per-user event stream is kept for sync"),
    STR(push_driver, "push-driver", "WLK_PUSH_DRIVER", "local", "local | webhook"),
    STR(push_webhook_url, "push-webhook-url", "WLK_PUSH_WEBHOOK_URL", "",
        "URL the webhook push driver POSTs to"),
    STR(verify_driver, "verify-driver", "WLK_VERIFY_DRIVER", "local",
        "identity checks: local (a documented rule) | webhook"),
    STR(verify_webhook_url, "verify-webhook-url", "WLK_VERIFY_WEBHOOK_URL", "",
        "URL the webhook verify driver POSTs to"),
    STR(master_key_file, "master-key-file", "WLK_MASTER_KEY_FILE", "",
        "master key file (default <data-dir>/master.key; WLK_MASTER_KEY overrides)"),
    STR(media_dir, "media-dir", "WLK_MEDIA_DIR", "",
        "uploaded files, sealed (default <data-dir>/media; shared by the nodes of a cluster)"),
    STR(shredded_file, "shredded-file", "WLK_SHREDDED_FILE", "",
        "the shredded-key list, kept outside backups (default <data-dir>/shredded.keys)"),
    STR(trusted_proxy, "trusted-proxy", "WLK_TRUSTED_PROXY", "",
        "proxy addresses/CIDRs (comma-separated) whose X-Forwarded-For is believed"),
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static int set(config_t *c, const opt_t *o, const char *v, char *errbuf, size_t errlen)
{
    char *dst = (char *)c + o->offset;
    if (o->type == OPT_STR) {
        if (strlen(v) >= o->size) {
            snprintf(errbuf, errlen, "--%s: value too long", o->flag);
            return -1;
        }
        strcpy(dst, v);
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < o->min || n > o->max) {
        snprintf(errbuf, errlen, "--%s: expected an integer in %ld..%ld", o->flag, o->min, o->max);
        return -1;
    }
    *(int *)dst = (int)n;
    return 0;
}

static const opt_t *find(const char *flag, size_t len)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (strlen(opts[i].flag) == len && memcmp(opts[i].flag, flag, len) == 0)
            return &opts[i];
    return NULL;
}

bool config_flag(const char *arg, const char **name, size_t *len, const char **value)
{
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0' || arg[2] == '=')
        return false;
    const char *eq = strchr(arg + 2, '=');
    *name = arg + 2;
    *len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
    *value = eq ? eq + 1 : NULL;
    return true;
}

const char *config_flag_value(int argc, char **argv, int *i, const char *inline_value)
{
    if (inline_value)
        return inline_value;
    if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)
        return NULL; /* "--name --role x": --name was given no value */
    return argv[++*i];
}

static int parse_args(config_t *c, int argc, char **argv, char *errbuf, size_t errlen)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return 1;
        const char *name, *inline_value;
        size_t len;
        if (!config_flag(a, &name, &len, &inline_value)) {
            snprintf(errbuf, errlen, "unexpected argument '%s'", a);
            return -1;
        }
        const opt_t *o = find(name, len);
        if (o == NULL) {
            snprintf(errbuf, errlen, "unknown option '%.*s'", (int)len + 2, a);
            return -1;
        }
        const char *v = config_flag_value(argc, argv, &i, inline_value);
        if (v == NULL) {
            snprintf(errbuf, errlen, "--%s needs a value", o->flag);
            return -1;
        }
        if (set(c, o, v, errbuf, errlen) != 0)
            return -1;
    }
    return 0;
}

int config_load(config_t *c, int argc, char **argv, char *errbuf, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < NOPTS; i++) {
        const char *env = getenv(opts[i].env);
        if (set(c, &opts[i], opts[i].def, errbuf, errlen) != 0)
            return -1;
        if (env && set(c, &opts[i], env, errbuf, errlen) != 0)
            return -1;
    }
    int rc = parse_args(c, argc, argv, errbuf, errlen);
    if (rc != 0)
        return rc;
    if (c->threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->threads = n > 0 ? (int)n : 1;
    }
    if ((c->master_key_file[0] == '\0' &&
         snprintf(c->master_key_file, sizeof(c->master_key_file), "%s/master.key", c->data_dir) >=
             (int)sizeof(c->master_key_file)) ||
        (c->shredded_file[0] == '\0' &&
         snprintf(c->shredded_file, sizeof(c->shredded_file), "%s/shredded.keys", c->data_dir) >=
             (int)sizeof(c->shredded_file)) ||
        (c->media_dir[0] == '\0' && snprintf(c->media_dir, sizeof(c->media_dir), "%s/media",
                                             c->data_dir) >= (int)sizeof(c->media_dir))) {
        snprintf(errbuf, errlen, "--data-dir: path too long");
        return -1;
    }
    return 0;
}

int config_apply(config_t *c, int argc, char **argv, char *errbuf, size_t errlen)
{
    return parse_args(c, argc, argv, errbuf, errlen);
}

void config_usage(FILE *f)
{
    fprintf(f, "Settings (flag, environment variable, default):\n");
    for (size_t i = 0; i < NOPTS; i++)
        fprintf(f, "  --%-18s %-22s %-16s %s\n", opts[i].flag, opts[i].env,
                opts[i].def[0] ? opts[i].def : "\"\"", opts[i].help);
    fprintf(f, "  %-20s %-22s %-16s %s\n", "", "WLK_MASTER_KEY", "",
            "master key as 64 hex characters (instead of the key file)");
}
