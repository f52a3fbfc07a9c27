/* admin.c - the admin socket: a running server runs the operator commands
 * its own user sends it (server side), and `wlk <command>` sends them
 * there when a server listens (command side). */
#include "admin/admin.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "sec/sec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_REQUEST (1024 * 1024)
#define MAX_ARGS    64

struct admin {
    app_t *app;
    int fd, wake[2];
    pthread_t tid;
    char real[PATH_MAX];
};

/* The socket of a data directory: "\0wlk-admin-<64-bit FNV-1a of its real
 * path>" in the abstract namespace (no path length limit, no file left
 * behind); the request repeats the path, so a collision is refused. */
static int socket_of(const char *data_dir, char real[PATH_MAX], struct sockaddr_un *sa,
                     socklen_t *len)
{
    if (realpath(data_dir, real) == NULL)
        return -1;
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = real; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    int n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "wlk-admin-%016llx",
                     (unsigned long long)h);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
    return 0;
}

static int read_all(int fd, char **out, size_t *len, size_t max)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        abort();
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= max) {
                free(buf);
                return -1;
            }
            cap *= 2;
            if ((buf = realloc(buf, cap)) == NULL)
                abort();
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ------------------------------------------------------------ server side */

/* Runs one request: {"data_dir","command","args":[..],"stdin"} ->
 * {"status","stdout","stderr"}. */
static json_t *run_request(admin_t *a, const json_t *req)
{
    const char *dir = json_string_value(json_object_get(req, "data_dir"));
    const char *name = json_string_value(json_object_get(req, "command"));
    const json_t *args = json_object_get(req, "args");
    const char *in = json_string_value(json_object_get(req, "stdin"));
    const char *file = json_string_value(json_object_get(req, "file"));
    const cli_command_t *cmd = name ? cli_command_named(name) : NULL;
    if (dir == NULL || strcmp(dir, a->real) != 0 || cmd == NULL || !json_is_array(args) ||
        json_array_size(args) > MAX_ARGS)
        return json_pack("{s:i, s:s, s:s}", "status", 2, "stdout", "", "stderr",
                         "wlk: the running server refused a malformed admin request\n");
    char *argv[MAX_ARGS + 1] = {0}, *rest[MAX_ARGS];
    int argc = 0, nrest = 0, status;
    for (size_t i = 0; i < json_array_size(args); i++) {
        const char *v = json_string_value(json_array_get(args, i));
        argv[argc++] = strdup(v ? v : "");
    }
    char *out = NULL, *err = NULL, errbuf[256];
    size_t outlen = 0, errlen = 0;
    cli_t cli = {.in = fmemopen((void *)(in ? in : ""), in ? strlen(in) : 0, "r"),
                 .out = open_memstream(&out, &outlen),
                 .err = open_memstream(&err, &errlen),
                 .file = file && *file ? file : NULL};
    app_t app = *a->app; /* the server's settings, with the command's own on top */
    status = cli_parse(cmd, argc, argv, &cli, rest, MAX_ARGS, &nrest);
    if (status == 0 && config_apply(&app.cfg, nrest, rest, errbuf, sizeof(errbuf)) != 0) {
        fprintf(cli.err, "wlk %s: %s\n", cmd->name, errbuf);
        status = 2;
    }
    err_t e = {0};
    app_ctx_t ctx = {.app = &app, .now_ms = clock_now_ms};
    if (status == 0 && db_open(a->app->db_dsn, &ctx.db, &e) < 0) {
        fprintf(cli.err, "wlk %s: the server cannot open its database: %s\n", cmd->name, e.cause);
        err_clear(&e);
        status = 1;
    }
    if (status == 0) {
        status = cmd->run(&ctx, &cli);
        log_msg(LOG_INFO, "operator command", "%s: exit %d", cmd->name, status);
    }
    db_close(ctx.db);
    fclose(cli.in);
    fclose(cli.out);
    fclose(cli.err);
    json_t *res = json_pack("{s:i, s:s%, s:s%}", "status", status, "stdout", out, outlen, "stderr",
                            err, errlen);
    free(out);
    free(err);
    for (int i = 0; i < argc; i++) {
        sec_wipe(argv[i], strlen(argv[i]));
        free(argv[i]);
    }
    return res ? res
               : json_pack("{s:i, s:s, s:s}", "status", 1, "stdout", "", "stderr",
                           "wlk: the command's output is not UTF-8\n");
}

static void serve_one(admin_t *a, int c)
{
    struct ucred cred;
    socklen_t cl = sizeof(cred);
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != geteuid()) {
        log_msg(LOG_WARN, "admin socket", "refused a process of another user");
        return;
    }
    char *body;
    size_t len;
    struct timeval tv = {10, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (read_all(c, &body, &len, MAX_REQUEST) < 0)
        return;
    if (len == 0) { /* admin_running() looking */
        free(body);
        return;
    }
    json_t *req = json_loadb(body, len, 0, NULL);
    sec_wipe(body, len); /* it may carry a password */
    free(body);
    json_t *res = req ? run_request(a, req)
                      : json_pack("{s:i, s:s, s:s}", "status", 2, "stdout", "", "stderr",
                                  "wlk: not an admin request\n");
    json_t *in = json_object_get(req, "stdin");
    if (json_is_string(in))
        sec_wipe((char *)json_string_value(in), json_string_length(in));
    json_decref(req);
    char *text = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    if (text) {
        (void)write_all(c, text, strlen(text));
        free(text);
    }
}

static void *admin_main(void *arg)
{
    admin_t *a = arg;
    struct pollfd p[2] = {{a->fd, POLLIN, 0}, {a->wake[0], POLLIN, 0}};
    for (;;) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int c = accept4(a->fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        serve_one(a, c);
        close(c);
    }
    return NULL;
}

int admin_start(app_t *app, admin_t **out, err_t *e)
{
    admin_t *a = calloc(1, sizeof(*a));
    struct sockaddr_un sa;
    socklen_t len;
    if (a == NULL)
        abort();
    a->app = app;
    a->fd = -1;
    a->wake[0] = a->wake[1] = -1;
    if (socket_of(app->cfg.data_dir, a->real, &sa, &len) < 0) {
        free(a);
        return err_internal(e, "admin socket: %s: %s", app->cfg.data_dir, strerror(errno));
    }
    a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (a->fd < 0 || bind(a->fd, (struct sockaddr *)&sa, len) != 0 || listen(a->fd, 16) != 0 ||
        pipe2(a->wake, O_CLOEXEC) != 0) {
        int rc = err_internal(e, "admin socket: %s (another server on this data directory?)",
                              strerror(errno));
        admin_stop(a);
        return rc;
    }
    pthread_create(&a->tid, NULL, admin_main, a);
    *out = a;
    return 0;
}

void admin_stop(admin_t *a)
{
    if (a == NULL)
        return;
    if (a->wake[1] >= 0) {
        (void)write_all(a->wake[1], "x", 1);
        pthread_join(a->tid, NULL);
    }
    for (int i = 0; i < 2; i++)
        if (a->wake[i] >= 0)
            close(a->wake[i]);
    if (a->fd >= 0)
        close(a->fd);
    free(a);
}

/* ----------------------------------------------------------- command side */

char *admin_request_args(int argc, char **argv)
{
    json_t *a = json_array();
    for (int i = 0; i < argc; i++) {
        json_t *v = json_string(argv[i]);
        json_array_append_new(a, v ? v : json_string(""));
    }
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

/* A connection to the server of data_dir (its real path in real), or -1. */
static int connect_to(const char *data_dir, char real[PATH_MAX])
{
    struct sockaddr_un sa;
    socklen_t len;
    if (socket_of(data_dir, real, &sa, &len) < 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

bool admin_running(const char *data_dir)
{
    char real[PATH_MAX];
    int fd = connect_to(data_dir, real);
    if (fd >= 0)
        close(fd); /* the server reads an empty request and answers nothing */
    return fd >= 0;
}

int admin_call(const char *data_dir, const cli_command_t *cmd, const char *args, const char *file,
               int *status)
{
    char real[PATH_MAX];
    int fd = connect_to(data_dir, real);
    if (fd < 0)
        return -1; /* no server: run it here */
    char in[1100] = "";
    size_t inlen = 0;
    if (cmd->reads_stdin && fgets(in, sizeof(in), stdin)) /* one line, as the command reads it */
        inlen = strlen(in);
    json_t *req = json_pack("{s:s, s:s, s:o, s:s%, s:s}", "data_dir", real, "command", cmd->name,
                            "args", json_loads(args ? args : "[]", 0, NULL), "stdin", in, inlen,
                            "file", file ? file : "");
    sec_wipe(in, sizeof(in));
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    int ok = text && write_all(fd, text, strlen(text)) == 0 && shutdown(fd, SHUT_WR) == 0;
    if (text) {
        sec_wipe(text, strlen(text));
        free(text);
    }
    char *body = NULL;
    size_t blen = 0;
    json_t *res = NULL;
    if (ok && read_all(fd, &body, &blen, 64 * 1024 * 1024) == 0)
        res = json_loadb(body, blen, 0, NULL);
    free(body);
    close(fd);
    if (!json_is_integer(json_object_get(res, "status"))) {
        fprintf(stderr, "wlk %s: the running server did not answer the command\n", cmd->name);
        json_decref(res);
        *status = 1;
        return 0;
    }
    const json_t *o = json_object_get(res, "stdout"), *er = json_object_get(res, "stderr");
    fwrite(json_string_value(o), 1, json_string_length(o), stdout);
    fwrite(json_string_value(er), 1, json_string_length(er), stderr);
    *status = (int)json_integer_value(json_object_get(res, "status"));
    json_decref(res);
    return 0;
}
