/* login.c - staff sign-in behind limits on failed tries, per name and per
 * client address, counted in rate_hits under keyed hashes (never the name
 * or the address in clear). */
#include "staff/staff.h"
#include "sec/sec.h"

#include <string.h>

static int hits(app_ctx_t *c, const uint8_t *bucket, int64_t now, int64_t *n, int64_t *oldest,
                err_t *e)
{
    db_stmt_t *st;
    int rc =
        db_one(c->db, &st, "SELECT COUNT(*), MIN(at) FROM rate_hits WHERE bucket = $1 AND at > $2",
               DB_ARGS(DB_BLOB(bucket, SEC_HASH_LEN), DB_I64(now - STAFF_LOGIN_WINDOW_MS)), e);
    if (rc < 0)
        return rc;
    *n = db_i64(st, 0);
    *oldest = db_i64(st, 1);
    db_done(st);
    return 0;
}

static int limited(err_t *e, int64_t wait_ms)
{
    int rc = err_set(e, ERR_RATE_LIMITED, NULL, "too many failed sign-ins; retry later");
    err_retry_in(e, wait_ms);
    return rc;
}

/* 0 when both buckets are under their limits. */
static int check(app_ctx_t *c, const uint8_t *nb, const uint8_t *ib, int64_t now, err_t *e)
{
    int64_t n, oldest;
    int rc = hits(c, nb, now, &n, &oldest, e);
    if (rc < 0)
        return rc;
    if (n >= STAFF_LOGIN_NAME_LIMIT)
        return limited(e, oldest + STAFF_LOGIN_WINDOW_MS - now);
    if ((rc = hits(c, ib, now, &n, &oldest, e)) < 0)
        return rc;
    if (n >= c->app->cfg.staff_login_ip_limit)
        return limited(e, oldest + STAFF_LOGIN_WINDOW_MS - now);
    return 0;
}

/* Counts a try against both buckets before the password is checked, once
 * both are under their limits: tries in flight at once, on any node, are
 * all counted (the locks order them). A right password takes it back. */
static int reserve(app_ctx_t *c, const uint8_t *nb, const uint8_t *ib, int64_t now, err_t *e)
{
    int rc = db_begin(c->db, e);
    if (rc < 0)
        return rc;
    if ((rc = db_xlock(c->db, "staff-login", nb, SEC_HASH_LEN, e)) < 0 ||
        (rc = db_xlock(c->db, "staff-login", ib, SEC_HASH_LEN, e)) < 0 ||
        (rc = check(c, nb, ib, now, e)) < 0 ||
        (rc = (int)db_exec(
             c->db, "INSERT INTO rate_hits (bucket, at) VALUES ($1, $2), ($3, $2)",
             DB_ARGS(DB_BLOB(nb, SEC_HASH_LEN), DB_I64(now), DB_BLOB(ib, SEC_HASH_LEN)), e)) < 0) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, e);
}

static void take_back(app_ctx_t *c, const uint8_t *nb, const uint8_t *ib, int64_t now)
{
    err_t e = {0};
    (void)db_exec(c->db, "DELETE FROM rate_hits WHERE (bucket = $1 OR bucket = $3) AND at = $2",
                  DB_ARGS(DB_BLOB(nb, SEC_HASH_LEN), DB_I64(now), DB_BLOB(ib, SEC_HASH_LEN)), &e);
    err_clear(&e);
}

int staff_login_limited(app_ctx_t *c, const char *name, const char *password, const char *client_ip,
                        char *token, size_t token_len, unsigned *role, err_t *e)
{
    uint8_t nb[SEC_HASH_LEN], ib[SEC_HASH_LEN];
    sec_blind_index(c->app->vault, "staff-login-name", name, strlen(name), nb);
    sec_blind_index(c->app->vault, "staff-login-ip", client_ip, strlen(client_ip), ib);
    int64_t now = c->now_ms();
    int rc = reserve(c, nb, ib, now, e);
    if (rc < 0)
        return rc;
    if ((rc = staff_login(c, name, password, token, token_len, e)) < 0) {
        if (e->code != ERR_UNAUTHORIZED)
            take_back(c, nb, ib, now);
        return rc;
    }
    take_back(c, nb, ib, now);
    staff_session_t s;
    if ((rc = staff_session_resolve(c, token, strlen(token), &s, e)) < 0)
        return rc;
    *role = s.role;
    return 0;
}
