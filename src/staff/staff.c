/* staff.c - staff accounts and sessions. Passwords: Argon2id
 * (crypto_pwhash_str, interactive limits). */
#include "staff/staff.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/ids.h"
#include "sec/sec.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define MIN_PASSWORD 12
#define MAX_PASSWORD 1024
#define TOUCH_MS     60000

static const struct {
    unsigned bit;
    const char *name;
} roles[] = {
    {STAFF_ROLE_ADMIN, "admin"},
    {STAFF_ROLE_REVIEWER, "reviewer"},
    {STAFF_ROLE_SUPPORT, "support"},
    {STAFF_ROLE_AUDITOR, "auditor"},
};

unsigned staff_role_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].bit;
    return 0;
}

const char *staff_role_name(unsigned role)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (roles[i].bit == role)
            return roles[i].name;
    return "none";
}

static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= sizeof(((staff_session_t *)0)->name))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(name[i] == '.' || name[i] == '-' || name[i] == '_' ||
              (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
            return false;
    return true;
}

static int audit_staff(app_ctx_t *c, const char *actor, const char *action, const char *name,
                       const char *role, err_t *e)
{
    json_t *d = role ? json_pack("{s:s, s:s}", "name", name, "role", role)
                     : json_pack("{s:s}", "name", name);
    audit_entry_t a = {.actor = actor, .action = action, .detail = d};
    int rc = audit_append(c, &a, e);
    json_decref(d);
    return rc;
}

typedef struct add_args {
    app_ctx_t *c;
    const char *actor, *name, *role, *hash;
    int64_t id;
} add_args_t;

static int add_tx(void *arg, err_t *e)
{
    add_args_t *a = arg;
    int64_t rc = db_exec(a->c->db,
                         "INSERT INTO staff (id, name, role, password_hash, created_at) "
                         "VALUES ($1, $2, $3, $4, $5)",
                         DB_ARGS(DB_I64(a->id), DB_TEXT(a->name), DB_TEXT(a->role),
                                 DB_TEXT(a->hash), DB_I64(a->c->now_ms())),
                         e);
    if (rc < 0 && e->code == ERR_CONFLICT) {
        err_clear(e);
        return err_set(e, ERR_CONFLICT, "name", "a staff member has this name");
    }
    return rc < 0 ? (int)rc : audit_staff(a->c, a->actor, "staff.add", a->name, a->role, e);
}

int staff_add(app_ctx_t *c, const char *actor, const char *name, const char *role,
              const char *password, int64_t *id, err_t *e)
{
    if (!name_ok(name))
        return err_set(e, ERR_VALIDATION_FAILED, "name", "1-63 characters of a-z 0-9 . - _");
    if (staff_role_parse(role) == 0)
        return err_set(e, ERR_VALIDATION_FAILED, "role", "admin, reviewer, support or auditor");
    size_t plen = password ? strlen(password) : 0;
    if (plen < MIN_PASSWORD || plen > MAX_PASSWORD)
        return err_set(e, ERR_VALIDATION_FAILED, "password", "12 to 1024 characters");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return err_internal(e, "argon2id: out of memory");
    add_args_t a = {c, actor, name, role, hash, ids_next()};
    int rc = db_atomically(c->db, add_tx, &a, e);
    if (rc == 0)
        *id = a.id;
    return rc;
}

typedef struct disable_args {
    app_ctx_t *c;
    const char *actor, *name;
} disable_args_t;

static int disable_tx(void *arg, err_t *e)
{
    disable_args_t *a = arg;
    int64_t n = db_exec(a->c->db,
                        "UPDATE staff SET disabled_at = $1 WHERE name = $2 AND disabled_at IS NULL",
                        DB_ARGS(DB_I64(a->c->now_ms()), DB_TEXT(a->name)), e);
    if (n == 0)
        n = err_set(e, ERR_NOT_FOUND, "name", "no enabled staff member has this name");
    if (n >= 0)
        n = db_exec(a->c->db,
                    "DELETE FROM staff_sessions WHERE staff_id = (SELECT id FROM staff WHERE "
                    "name = $1)",
                    DB_ARGS(DB_TEXT(a->name)), e);
    return n < 0 ? (int)n : audit_staff(a->c, a->actor, "staff.disable", a->name, NULL, e);
}

int staff_disable(app_ctx_t *c, const char *actor, const char *name, err_t *e)
{
    disable_args_t a = {c, actor, name ? name : ""};
    return db_atomically(c->db, disable_tx, &a, e);
}

/* A hash of a random password, verified when the name is unknown so that
 * a wrong name costs the same time as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    char pw[SEC_TOKEN_LEN + 1];
    sec_token_new(pw);
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
    sec_wipe(pw, sizeof(pw));
}

int staff_login(app_ctx_t *c, const char *name, const char *password, char *token, size_t token_len,
                err_t *e)
{
    if (token_len < SEC_TOKEN_LEN + 1)
        return err_internal(e, "staff_login: token buffer too small");
    pthread_once(&dummy_once, make_dummy_hash);
    db_stmt_t *st;
    int rc = db_one(c->db, &st,
                    "SELECT id, password_hash FROM staff WHERE name = $1 AND disabled_at IS NULL",
                    DB_ARGS(DB_TEXT(name ? name : "")), e);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    char hash[crypto_pwhash_STRBYTES] = "";
    if (rc == DB_ROW) {
        size_t len;
        const char *h = db_bytes(st, 1, &len);
        if (len < sizeof(hash))
            memcpy(hash, h, len);
        id = db_i64(st, 0);
        db_done(st);
    }
    size_t plen = password ? strlen(password) : 0;
    if (plen > MAX_PASSWORD)
        plen = MAX_PASSWORD;
    if (id == 0 || hash[0] == '\0') {
        memcpy(hash, dummy_hash, sizeof(hash));
        id = 0;
    }
    /* verified even for an unknown name: the same work either way */
    bool ok =
        hash[0] != '\0' && crypto_pwhash_str_verify(hash, password ? password : "", plen) == 0;
    if (id == 0 || !ok || (password && strlen(password) > MAX_PASSWORD))
        return err_set(e, ERR_UNAUTHORIZED, NULL, "wrong name or password");
    uint8_t th[SEC_HASH_LEN];
    sec_token_new(token);
    sec_token_hash(token, SEC_TOKEN_LEN, th);
    int64_t now = c->now_ms();
    int64_t n =
        db_exec(c->db,
                "INSERT INTO staff_sessions (id, token_hash, staff_id, created_at, "
                "last_seen_at) VALUES ($1, $2, $3, $4, $4)",
                DB_ARGS(DB_I64(ids_next()), DB_BLOB(th, SEC_HASH_LEN), DB_I64(id), DB_I64(now)), e);
    return n < 0 ? (int)n : 0;
}

int staff_session_resolve(app_ctx_t *c, const char *token, size_t len, staff_session_t *out,
                          err_t *e)
{
    db_stmt_t *st;
    int rc = auth_token_row(c,
                            "SELECT ss.id, ss.staff_id, ss.last_seen_at, s.role, s.name FROM "
                            "staff_sessions ss JOIN staff s ON s.id = ss.staff_id "
                            "WHERE ss.token_hash = $1 AND s.disabled_at IS NULL",
                            token, len, &st, e);
    if (rc < 0)
        return rc;
    out->id = db_i64(st, 0);
    out->staff_id = db_i64(st, 1);
    int64_t seen = db_i64(st, 2), now = c->now_ms();
    size_t rl, nl;
    const char *role = db_bytes(st, 3, &rl), *name = db_bytes(st, 4, &nl);
    char rbuf[16] = "";
    if (rl < sizeof(rbuf))
        memcpy(rbuf, role, rl);
    out->role = staff_role_parse(rbuf);
    if (nl >= sizeof(out->name))
        nl = sizeof(out->name) - 1;
    memcpy(out->name, name, nl);
    out->name[nl] = '\0';
    db_done(st);
    if (now - seen > STAFF_IDLE_MS)
        return err_set(e, ERR_UNAUTHORIZED, NULL, "the staff session expired");
    if (now - seen > TOUCH_MS) {
        err_t ignored = {0};
        (void)db_exec(c->db, "UPDATE staff_sessions SET last_seen_at = $1 WHERE id = $2",
                      DB_ARGS(DB_I64(now), DB_I64(out->id)), &ignored);
        err_clear(&ignored);
    }
    return 0;
}

int staff_logout(app_ctx_t *c, const staff_session_t *s, err_t *e)
{
    int64_t n =
        db_exec(c->db, "DELETE FROM staff_sessions WHERE id = $1", DB_ARGS(DB_I64(s->id)), e);
    return n < 0 ? (int)n : 0;
}

int staff_list(app_ctx_t *c, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT id, name, role, created_at, disabled_at FROM staff ORDER BY name",
                      DB_NOARGS, e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        char id[21];
        size_t nl, rl;
        const char *name = db_bytes(st, 1, &nl), *role = db_bytes(st, 2, &rl);
        ids_format(db_i64(st, 0), id);
        json_array_append_new(
            items, json_pack("{s:s, s:s%, s:s%, s:I, s:o}", "id", id, "name", name, nl, "role",
                             role, rl, "created_at", (json_int_t)db_i64(st, 3), "disabled_at",
                             db_is_null(st, 4) ? json_null() : json_integer(db_i64(st, 4))));
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}
