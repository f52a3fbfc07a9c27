/* requests.c - `wlk requests overdue`: open requests past their 15-day
 * deadline, most late first. Prints ids and types only, never texts. */
#include "cli/cli_int.h"
#include "requests/requests.h"

#include <stdio.h>
#include <time.h>

int cli_requests_overdue(app_ctx_t *c, const cli_t *cli)
{
    int64_t now;
    if (cli_time(cli, "now", c->now_ms(), c->now_ms(), &now) < 0)
        return 2;
    err_t e = {0};
    json_t *out, *it;
    if (requests_overdue(c, now, &out, &e) < 0)
        return cli_fail(cli, "requests overdue", &e);
    json_t *items = json_object_get(out, "items");
    size_t i;
    json_array_foreach(items, i, it)
    {
        time_t due = (time_t)(json_integer_value(json_object_get(it, "due_at")) / 1000);
        struct tm tm;
        char when[32];
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&due, &tm));
        fprintf(cli->out, "%s\t%s\tdue %s\t%lld days late\n",
                json_string_value(json_object_get(it, "id")),
                json_string_value(json_object_get(it, "type")), when,
                (long long)json_integer_value(json_object_get(it, "days_late")));
    }
    fprintf(cli->out, "%zu overdue request%s\n", json_array_size(items),
            json_array_size(items) == 1 ? "" : "s");
    json_decref(out);
    return 0;
}
