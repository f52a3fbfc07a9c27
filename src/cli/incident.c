/* incident.c - `wlk incident notify`: record a security incident and tell
 * every affected user (六.二.6). */
#include "cli/cli_int.h"
#include "core/ids.h"
#include "incident/incident.h"
#include "retention/retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_USERS 1000

static int parse_users(const char *v, int64_t *out, int *n)
{
    *n = 0;
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ",");
        if (*n == MAX_USERS || !ids_parse(p, len, &out[*n]))
            return -1;
        (*n)++;
        p += len + (p[len] == ',');
    }
    return *n > 0 ? 0 : -1;
}

static int usage(const cli_t *cli)
{
    fprintf(cli->err, "usage: wlk incident notify --categories a,b --cause T --harm T --remedies T "
                      "--actions T --contact T [--users all|ID,ID]\n");
    return 2;
}

int cli_incident_notify(app_ctx_t *c, const cli_t *cli)
{
    const char *list = cli_get(cli, "categories"), *users = cli_get(cli, "users");
    char buf[512];
    const char *cats[RETENTION_MAX_CATEGORIES];
    static int64_t ids[MAX_USERS];
    int ncats = -1, nusers = 0;
    if (list && strlen(list) < sizeof(buf)) {
        snprintf(buf, sizeof(buf), "%s", list);
        ncats = retention_categories_parse(buf, cats, RETENTION_MAX_CATEGORIES);
    }
    bool all = users == NULL || strcmp(users, "all") == 0;
    if (ncats < 0 || (!all && parse_users(users, ids, &nusers) < 0))
        return usage(cli);
    incident_t in = {.categories = cats,
                     .ncategories = ncats,
                     .cause = cli_get(cli, "cause"),
                     .harm = cli_get(cli, "harm"),
                     .remedies = cli_get(cli, "remedies"),
                     .actions = cli_get(cli, "actions"),
                     .contact = cli_get(cli, "contact"),
                     .users = all ? NULL : ids,
                     .nusers = nusers};
    err_t e = {0};
    int64_t id, notified;
    if (incident_notify(c, &in, "cli", &id, &notified, &e) < 0) {
        int code = e.code == ERR_VALIDATION_FAILED || e.code == ERR_NOT_FOUND ? 2 : 1;
        cli_fail(cli, "incident notify", &e);
        return code;
    }
    char s[21];
    ids_format(id, s);
    fprintf(cli->out,
            "incident %s recorded; %lld users notified (in the app, and by push to offline "
            "devices when the server runs)\n",
            s, (long long)notified);
    return 0;
}
