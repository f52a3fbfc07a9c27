/* config.h - every setting of every subcommand, from flags and WLK_* env.
 * The option table in config.c is the single source of names, defaults,
 * limits and help text. Flags win over the environment. */
#ifndef WLK_CONFIG_H
#define WLK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct config {
    char listen[128];
    char data_dir[512];
    char database[1024]; /* "": SQLite in data_dir; postgres://... : PostgreSQL */
    char bus[1024];      /* "": one process; nats://host:port[,nats://...]: a cluster */
    int threads;
    char log_level[16];
    int node_id;
    int otp_ttl;           /* seconds a sign-in code is valid */
    int sms_interval;      /* seconds between two codes for one phone */
    int sms_daily_limit;   /* codes per phone per 24 h */
    int sms_ip_limit;      /* codes per client IP per hour */
    int session_idle_days; /* a session dies after this many idle days */
    int shutdown_grace;    /* seconds to finish requests in flight on SIGTERM */
    char sms_driver[16];   /* local | webhook */
    char sms_webhook_url[512];
    char webhook_secret[128];
    char master_key_file[512]; /* default <data-dir>/master.key */
    char shredded_file[512];   /* default <data-dir>/shredded.keys */
    char media_dir[512];       /* default <data-dir>/media */
    char sqlite_lock[16];      /* exclusive | shared */
    int recall_window;         /* seconds a sender may recall a message */
    int call_ring_timeout;     /* seconds an unanswered call rings */
    int ws_ping_interval;      /* seconds between server pings */
    int ws_idle_timeout;       /* seconds without a frame before closing */
    int ws_max_queue;          /* unsent bytes before a slow consumer is cut */
    int event_retention_days;  /* events older than this are pruned */
    char push_driver[16];      /* local | webhook */
    char push_webhook_url[512];
    char verify_driver[16]; /* local | webhook */
    char verify_webhook_url[512];
    char trusted_proxy[512]; /* proxies whose X-Forwarded-For is believed */
    /* failed staff sign-ins per client IP per 15 minutes */
    int staff_login_ip_limit;
} config_t;

/* Reads one command-line flag, "--name value" or "--name=value" (the one
 * reader of every command's flags): *name and *len name it (without
 * "--"); *value is the inline value after "=", or NULL. false when arg is
 * not a flag. */
bool config_flag(const char *arg, const char **name, size_t *len, const char **value);
/* The value of the flag at argv[*i]: inline_value if given, else the next
 * argument (*i moves past it) unless there is none or it is itself a flag
 * ("--name --role x"): NULL, "needs a value". */
const char *config_flag_value(int argc, char **argv, int *i, const char *inline_value);
/* Fills c from defaults, then WLK_* variables, then argv[0..argc). Returns 0,
 * 1 when --help was asked, or -1 with a message in errbuf. */
int config_load(config_t *c, int argc, char **argv, char *errbuf, size_t errlen);
/* Applies flags (argv) on top of c as it is (a running server's settings
 * for one operator command it runs). 0, 1 (--help) or -1 with errbuf. */
int config_apply(config_t *c, int argc, char **argv, char *errbuf, size_t errlen);
/* Prints the settings, their variables and defaults. */
void config_usage(FILE *f);

#endif
