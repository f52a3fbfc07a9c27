/* gate.c - what an account may use, from its policy state: nothing but its
 * rights after withdrawing consent to the policy (七.三), and nothing but
 * its rights after a material policy change it has not accepted (九). */
#include "core/clock.h"
#include "privacy/privacy.h"

#include <string.h>

#define GATE_VERSIONS   16   /* cached versions at or after the last material one */
#define GATE_REFRESH_MS 1000 /* a published version takes effect within this */

/* Per loop thread: the versions a user may have accepted and still be
 * served, newest (the current one) first. Read from the database at most
 * once a second, so the gate costs no query per request. */
static __thread struct {
    int64_t read_at;
    int n;
    char v[GATE_VERSIONS][17];
} acceptable;

static int refresh(app_ctx_t *c, err_t *e)
{
    int64_t now = clock_now_ms();
    if (acceptable.n > 0 && now - acceptable.read_at < GATE_REFRESH_MS)
        return 0;
    db_stmt_t *st;
    int rc = db_query(c->db, &st,
                      "SELECT version FROM policy_versions WHERE published_at >= COALESCE(("
                      "SELECT MAX(published_at) FROM policy_versions WHERE material = 1), 0) "
                      "ORDER BY published_at DESC, version LIMIT $1",
                      DB_ARGS(DB_I64(GATE_VERSIONS)), e);
    if (rc < 0)
        return rc;
    int n = 0;
    while ((rc = db_step(st, e)) == DB_ROW) {
        size_t len;
        const char *v = db_bytes(st, 0, &len);
        if (len < sizeof(acceptable.v[0])) {
            memcpy(acceptable.v[n], v, len);
            acceptable.v[n++][len] = '\0';
        }
    }
    if (rc < 0)
        return rc;
    acceptable.n = n;
    acceptable.read_at = now;
    return 0;
}

bool privacy_policy_is_newest(app_ctx_t *c, const char *accepted)
{
    err_t e = {0};
    bool yes = refresh(c, &e) == 0 && acceptable.n > 0 && strcmp(acceptable.v[0], accepted) == 0;
    err_clear(&e);
    return yes;
}

void privacy_gate_reset(void)
{
    acceptable.n = 0;
}

int privacy_gate(app_ctx_t *c, const char *accepted, bool withdrawn, err_t *e)
{
    if (withdrawn)
        return err_set(e, ERR_POLICY_WITHDRAWN, NULL, NULL);
    int rc = refresh(c, e);
    if (rc < 0 || acceptable.n == 0)
        return rc;
    for (int i = 0; i < acceptable.n; i++)
        if (strcmp(acceptable.v[i], accepted) == 0)
            return 0;
    /* more versions since the last material one than the cache holds:
     * an older one may still be good (wording-only changes never gate) */
    if (acceptable.n == GATE_VERSIONS) {
        db_stmt_t *st;
        rc = db_one(c->db, &st,
                    "SELECT 1 FROM policy_versions WHERE version = $1 AND published_at >= "
                    "COALESCE((SELECT MAX(published_at) FROM policy_versions WHERE material = 1), "
                    "0)",
                    DB_ARGS(DB_TEXT(accepted)), e);
        if (rc == DB_ROW) {
            db_done(st);
            return 0;
        }
        if (rc < 0)
            return rc;
    }
    err_set(e, ERR_POLICY_UPDATE_REQUIRED, NULL, NULL);
    err_extra(e, "version", json_string(acceptable.v[0]));
    return e->code;
}
