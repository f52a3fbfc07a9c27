/* retention.c - staff handlers of issue 4: erasing a user's categories
 * after a finding of unlawful processing (七.二 5). */
#include "api/api_int.h"
#include "core/jread.h"
#include "retention/retention.h"

#include <stdio.h>

static int read_categories(api_req_t *r, const char **cats, int *n)
{
    json_t *a = json_object_get(r->body, "categories");
    size_t i;
    json_t *v;
    if (!json_is_array(a) || json_array_size(a) == 0 ||
        json_array_size(a) > RETENTION_MAX_CATEGORIES)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "categories",
                       "an array of 1 to %d category ids", RETENTION_MAX_CATEGORIES);
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v))
            return err_set(&r->err, ERR_VALIDATION_FAILED, "categories", "category ids");
        cats[i] = json_string_value(v);
    }
    *n = (int)json_array_size(a);
    return 0;
}

int api_admin_unlawful(api_req_t *r)
{
    static const char *const keys[] = {"categories", "reason", NULL};
    const char *cats[RETENTION_MAX_CATEGORIES], *reason;
    char actor[80];
    int64_t user, rows;
    int n = 0, rc;
    if ((rc = api_param_id(r, 0, &user)) < 0 ||
        (rc = jread_keys(r->body, NULL, keys, &r->err)) < 0 ||
        (rc = read_categories(r, cats, &n)) < 0 ||
        (rc = jread_text(r->body, NULL, "reason", true, 1, 500, &reason, &r->err)) < 0)
        return rc;
    staff_actor(&r->staff, actor);
    if ((rc = retention_erase(r->ctx, user, cats, n, actor, reason, &rows, &r->err)) < 0)
        return rc;
    if (r->ctx->app->recheck) /* erased sessions close their live sockets */
        r->ctx->app->recheck(r->ctx->app, user);
    return api_reply(r, 200, json_pack("{s:I}", "erased_rows", (json_int_t)rows));
}
