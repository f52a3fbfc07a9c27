/* audit.c - the hash-chained audit trail. mac(n) = keyed hash (vault blind
 * index, domain "audit") of mac(n-1) and every field of record n, so
 * rewriting a record, or the chain after it, needs the master key. */
#include "audit/audit.h"
#include "core/ids.h"
#include "core/str.h"
#include "sec/sec.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
    int64_t seq, at, subject;
    const char *actor, *action, *categories, *reason, *detail;
} row_t;

/* The previous MAC, the numbers, then each text field length-prefixed. */
static void mac_of(app_ctx_t *c, const uint8_t prev[SEC_HASH_LEN], const row_t *r,
                   uint8_t out[SEC_HASH_LEN])
{
    str_t s = {0};
    char num[64];
    str_append(&s, (const char *)prev, SEC_HASH_LEN);
    snprintf(num, sizeof(num), "%lld\x1f%lld\x1f%lld\x1f", (long long)r->seq, (long long)r->at,
             (long long)r->subject);
    str_append(&s, num, strlen(num));
    const char *f[] = {r->actor, r->action, r->categories, r->reason, r->detail};
    /* each field with its length first (NULL: "-"), so no text can move
     * from one field into the next and keep the MAC */
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        int n = f[i] ? snprintf(num, sizeof(num), "%zu:", strlen(f[i]))
                     : snprintf(num, sizeof(num), "-");
        str_append(&s, num, (size_t)n);
        if (f[i])
            str_append(&s, f[i], strlen(f[i]));
    }
    sec_blind_index(c->app->vault, "audit", s.buf, s.len, out);
    str_free(&s);
}

static int append_in_tx(app_ctx_t *c, const audit_entry_t *a, err_t *e)
{
    uint8_t prev[SEC_HASH_LEN] = {0}, mac[SEC_HASH_LEN];
    row_t r = {.seq = 1,
               .at = c->now_ms(),
               .subject = a->subject_id,
               .actor = a->actor,
               .action = a->action,
               .categories = a->categories,
               .reason = a->reason};
    db_stmt_t *st;
    /* one writer of the chain at a time, on every node: two appends that
     * read the same head would fork it */
    int rc = db_xlock(c->db, "audit", NULL, 0, e);
    if (rc < 0)
        return rc;
    /* after the newest record, or after the anchor when all were pruned */
    rc = db_one(c->db, &st,
                "SELECT seq, mac FROM audit_log UNION ALL SELECT seq, mac FROM audit_anchor "
                "ORDER BY seq DESC LIMIT 1",
                DB_NOARGS, e);
    if (rc < 0)
        return rc;
    if (rc == DB_ROW) {
        size_t len;
        const void *m = db_bytes(st, 1, &len);
        r.seq = db_i64(st, 0) + 1;
        if (len == SEC_HASH_LEN)
            memcpy(prev, m, len);
        db_done(st);
    }
    char *detail = a->detail ? json_dumps(a->detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    r.detail = detail;
    mac_of(c, prev, &r, mac);
    int64_t n = db_exec(
        c->db,
        "INSERT INTO audit_log (seq, at, actor, action, subject_id, categories, reason, detail, "
        "mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        DB_ARGS(DB_I64(r.seq), DB_I64(r.at), DB_TEXT(r.actor), DB_TEXT(r.action),
                r.subject ? DB_I64(r.subject) : DB_NULL,
                r.categories ? DB_TEXT(r.categories) : DB_NULL,
                r.reason ? DB_TEXT(r.reason) : DB_NULL, detail ? DB_TEXT(detail) : DB_NULL,
                DB_BLOB(mac, SEC_HASH_LEN)),
        e);
    free(detail);
    return n < 0 ? (int)n : 0;
}

typedef struct appending {
    app_ctx_t *c;
    const audit_entry_t *a;
} appending_t;

static int append_one(void *arg, err_t *e)
{
    const appending_t *x = arg;
    return append_in_tx(x->c, x->a, e);
}

int audit_append(app_ctx_t *c, const audit_entry_t *a, err_t *e)
{
    appending_t x = {c, a};
    return db_atomically(c->db, append_one, &x, e);
}

/* A text column as a NUL-terminated copy (NULL for SQL NULL). */
static char *text_col(db_stmt_t *st, int col)
{
    if (db_is_null(st, col))
        return NULL;
    size_t len;
    const char *p = db_bytes(st, col, &len);
    return strndup(p, len);
}

/* Statements are cached by the address of their text: SQL is always a
 * literal, never built in a buffer. */
#define COLUMNS                                                                                    \
    "SELECT seq, at, subject_id, actor, action, categories, reason, detail, mac FROM audit_log "

/* The anchor's own MAC: the seq and MAC of the last record pruned and the
 * time before which records were pruned. */
static void anchor_mac(app_ctx_t *c, int64_t seq, const uint8_t mac[SEC_HASH_LEN], int64_t before,
                       uint8_t out[SEC_HASH_LEN])
{
    uint8_t buf[SEC_HASH_LEN + 48];
    int n = snprintf((char *)buf + SEC_HASH_LEN, 48, "anchor:%lld:%lld", (long long)seq,
                     (long long)before);
    memcpy(buf, mac, SEC_HASH_LEN);
    sec_blind_index(c->app->vault, "audit", buf, SEC_HASH_LEN + (size_t)n, out);
}

/* Where the chain starts: after the anchor (prev = the last pruned MAC),
 * or at seq 1 (prev = zeros). 1 when the anchor was tampered with. */
static int chain_start(app_ctx_t *c, uint8_t prev[SEC_HASH_LEN], int64_t *first, err_t *e)
{
    db_stmt_t *st;
    memset(prev, 0, SEC_HASH_LEN);
    *first = 1;
    int rc = db_one(c->db, &st, "SELECT seq, mac, before_at, anchor_mac FROM audit_anchor",
                    DB_NOARGS, e);
    if (rc < 0 || rc == DB_DONE)
        return rc < 0 ? rc : 0;
    size_t ml, al;
    const void *m = db_bytes(st, 1, &ml), *am = db_bytes(st, 3, &al);
    int64_t seq = db_i64(st, 0), before = db_i64(st, 2);
    uint8_t want[SEC_HASH_LEN];
    bool ok = ml == SEC_HASH_LEN && al == SEC_HASH_LEN;
    if (ok) {
        memcpy(prev, m, SEC_HASH_LEN);
        anchor_mac(c, seq, prev, before, want);
        ok = sodium_memcmp(want, am, SEC_HASH_LEN) == 0;
    }
    db_done(st);
    *first = seq + 1;
    return ok ? 0 : 1;
}

int audit_prune(app_ctx_t *c, int64_t before, bool dry_run, int64_t *n, err_t *e)
{
    db_stmt_t *st;
    *n = 0;
    /* a prefix of the chain: every record up to the first one kept */
    int rc =
        db_one(c->db, &st,
               "SELECT COALESCE((SELECT MIN(seq) FROM audit_log WHERE at >= $1), "
               "(SELECT MAX(seq) + 1 FROM audit_log), 1) - 1, (SELECT MIN(seq) FROM audit_log)",
               DB_ARGS(DB_I64(before)), e);
    if (rc < 0)
        return rc;
    int64_t last = db_i64(st, 0), lo = db_is_null(st, 1) ? last + 1 : db_i64(st, 1);
    db_done(st);
    *n = last >= lo ? last - lo + 1 : 0;
    if (dry_run || *n == 0)
        return 0;
    if ((rc = db_one(c->db, &st, "SELECT mac FROM audit_log WHERE seq = $1", DB_ARGS(DB_I64(last)),
                     e)) != DB_ROW)
        return rc < 0 ? rc : err_internal(e, "audit record %lld vanished", (long long)last);
    size_t ml;
    uint8_t mac[SEC_HASH_LEN], am[SEC_HASH_LEN];
    const void *m = db_bytes(st, 0, &ml);
    memcpy(mac, m, ml == SEC_HASH_LEN ? SEC_HASH_LEN : 0);
    db_done(st);
    if (ml != SEC_HASH_LEN)
        return err_internal(e, "audit record %lld has no MAC", (long long)last);
    anchor_mac(c, last, mac, before, am);
    int64_t x = db_exec(c->db,
                        "INSERT INTO audit_anchor (id, seq, mac, before_at, anchor_mac) VALUES (1, "
                        "$1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET seq = $1, mac = $2, "
                        "before_at = $3, anchor_mac = $4",
                        DB_ARGS(DB_I64(last), DB_BLOB(mac, SEC_HASH_LEN), DB_I64(before),
                                DB_BLOB(am, SEC_HASH_LEN)),
                        e);
    if (x >= 0)
        x = db_exec(c->db, "DELETE FROM audit_log WHERE seq <= $1", DB_ARGS(DB_I64(last)), e);
    return x < 0 ? (int)x : 0;
}

int audit_verify(app_ctx_t *c, int64_t *bad, int64_t *count, char head[65], err_t *e)
{
    uint8_t prev[SEC_HASH_LEN];
    int64_t expect;
    *bad = 0;
    *count = 0;
    int rc = chain_start(c, prev, &expect, e);
    if (rc < 0)
        return rc;
    if (rc == 1)
        *bad = expect; /* the anchor itself was changed */
    db_stmt_t *st;
    if ((rc = db_query(c->db, &st, COLUMNS "ORDER BY seq", DB_NOARGS, e)) < 0)
        return rc;
    while ((rc = db_step(st, e)) == DB_ROW) {
        row_t r = {.seq = db_i64(st, 0), .at = db_i64(st, 1), .subject = db_i64(st, 2)};
        char *f[5];
        for (int i = 0; i < 5; i++)
            f[i] = text_col(st, 3 + i);
        r.actor = f[0];
        r.action = f[1];
        r.categories = f[2];
        r.reason = f[3];
        r.detail = f[4];
        size_t mlen;
        const uint8_t *stored = db_bytes(st, 8, &mlen);
        uint8_t mac[SEC_HASH_LEN];
        mac_of(c, prev, &r, mac);
        bool ok = r.seq == expect && mlen == SEC_HASH_LEN && sodium_memcmp(mac, stored, mlen) == 0;
        for (int i = 0; i < 5; i++)
            free(f[i]);
        (*count)++;
        if (!ok && *bad == 0)
            *bad = r.seq;
        /* go on from the stored MAC: one bad record is named, not all after it */
        if (mlen == SEC_HASH_LEN)
            memcpy(prev, stored, mlen);
        expect = r.seq + 1;
    }
    if (rc < 0)
        return rc;
    for (int i = 0; i < SEC_HASH_LEN; i++)
        snprintf(head + 2 * i, 3, "%02x", prev[i]);
    return 0;
}

int audit_list(app_ctx_t *c, int64_t subject, int64_t after, int limit, json_t **out, err_t *e)
{
    db_stmt_t *st;
    int rc = db_query(
        c->db, &st, COLUMNS "WHERE seq > $1 AND ($2 = 0 OR subject_id = $2) ORDER BY seq LIMIT $3",
        DB_ARGS(DB_I64(after), DB_I64(subject), DB_I64(limit)), e);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    int64_t last = after;
    while ((rc = db_step(st, e)) == DB_ROW) {
        last = db_i64(st, 0);
        json_t *item =
            json_pack("{s:I, s:I}", "seq", (json_int_t)last, "at", (json_int_t)db_i64(st, 1));
        char sid[21];
        ids_format(db_i64(st, 2), sid);
        json_object_set_new(item, "subject_id", db_is_null(st, 2) ? json_null() : json_string(sid));
        static const char *const names[] = {"actor", "action", "categories", "reason"};
        for (int i = 0; i < 4; i++) {
            char *v = text_col(st, 3 + i);
            json_object_set_new(item, names[i], v ? json_string(v) : json_null());
            free(v);
        }
        char *detail = text_col(st, 7);
        json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
        free(detail);
        json_object_set_new(item, "detail", d ? d : json_null());
        json_array_append_new(items, item);
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o, s:I}", "items", items, "next_after", (json_int_t)last);
    return 0;
}
