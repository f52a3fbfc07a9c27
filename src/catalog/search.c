/* search.c - the public catalogue's search: filters, sorts and cursors.
 * The SQL of a search depends on which filters it has; each combination
 * is built once per thread and kept (statements are cached by the
 * address of their text), its parameters bound in the order it names
 * them. A text is looked up through one term of the index (a character or
 * a pair), then matched as a substring. */
#include "catalog/catalog_int.h"
#include "core/ids.h"
#include "core/jread.h"
#include "core/str.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    HAS_Q = 1 << 0,
    HAS_CITY = 1 << 1,
    HAS_DISTRICT = 1 << 2,
    HAS_PMIN = 1 << 3,
    HAS_PMAX = 1 << 4,
    HAS_AMIN = 1 << 5,
    HAS_AMAX = 1 << 6,
    HAS_ROOMS = 1 << 7,
    HAS_SALE = 1 << 8,
    HAS_NEAR = 1 << 9,
    HAS_AFTER = 1 << 10,
    HAS_Q2 = 1 << 11, /* a second term of the text, to intersect with */
    NMASKS = 1 << 12,
};
#define NSORTS   5
#define MAX_ARGS 24

/* the sort key of each sort, and the cursor's letter */
static const struct {
    const char *key;
    char letter;
} sorts[NSORTS] = {
    {"d.id", 'i'},
    {"d.price_key", 'p'},
    {"CASE WHEN d.price_avg IS NULL THEN 9000000000000000 ELSE -d.price_avg END", 'q'},
    {"d.opening_key", 'o'},
    {NULL, 'd'}, /* distance: by offset */
};

/* squared distance in (1e-6 degree)², longitude scaled by cos(lat) ($K/1024) */
#define DIST2                                                                                      \
    "((d.lat_e6 - $A) * (d.lat_e6 - $A) + ((d.lng_e6 - $B) * $K / 1024) * "                        \
    "((d.lng_e6 - $B) * $K / 1024))"

typedef struct plan {
    char *sql;
    char letters[MAX_ARGS + 1]; /* letter of $1, $2 … */
} plan_t;

/* The SQL of mask and sort, written with letters ($A) renumbered in the
 * order they first appear. */
static void build(unsigned mask, int sort, plan_t *pl)
{
    str_t s = {0};
    /* with a text, the default order is that of the term's postings, so a
     * page stops after its rows instead of sorting every candidate */
    const char *key = sort == CATALOG_SORT_DEFAULT && (mask & HAS_Q) ? "t.development_id"
                      : sorts[sort].key                              ? sorts[sort].key
                                                                     : DIST2;
    str_printf(&s, "SELECT d.id, d.summary, d.lat_e6, d.lng_e6, %s FROM ", key);
    /* with a text: its rarest term, probed for the second one, and only
     * then the development rows (CROSS JOIN keeps SQLite to that order) */
    if (mask & HAS_Q)
        str_puts(&s, "development_terms t CROSS JOIN ");
    if (mask & HAS_Q2)
        str_puts(&s, "development_terms u CROSS JOIN ");
    str_puts(&s, "developments d WHERE d.retired_at IS NULL ");
    if (mask & HAS_Q)
        str_puts(&s, "AND t.term = $T AND d.id = t.development_id "
                     "AND d.search LIKE $Q ESCAPE '\\' ");
    if (mask & HAS_Q2)
        str_puts(&s, "AND u.term = $U AND u.development_id = t.development_id ");
    if (mask & HAS_CITY)
        str_puts(&s, "AND d.city = $C ");
    if (mask & HAS_DISTRICT)
        str_puts(&s, "AND d.district = $D ");
    if (mask & HAS_PMIN)
        str_puts(&s, "AND d.price_avg >= $P ");
    if (mask & HAS_PMAX)
        str_puts(&s, "AND d.price_avg <= $R ");
    if (mask & HAS_AMIN)
        str_puts(&s, "AND d.area_max >= $M ");
    if (mask & HAS_AMAX)
        str_puts(&s, "AND d.area_min <= $N ");
    if (mask & HAS_ROOMS)
        str_puts(&s, "AND (d.rooms_mask & $O) <> 0 ");
    if (mask & HAS_SALE)
        str_puts(&s, "AND (d.sale_bit & $S) <> 0 ");
    if (mask & HAS_NEAR)
        str_puts(&s, "AND d.lat_e6 BETWEEN $E AND $F AND d.lng_e6 BETWEEN $G AND $H "
                     "AND " DIST2 " <= $J ");
    if (mask & HAS_AFTER)
        str_printf(&s, "AND (%s, d.id) > ($X, $Y) ", key);
    str_printf(&s, "ORDER BY %s, d.id LIMIT $L", key);
    if (sort == CATALOG_SORT_DISTANCE)
        str_puts(&s, " OFFSET $Z");
    char *sql = str_take(&s);
    str_t out = {0};
    memset(pl->letters, 0, sizeof(pl->letters));
    for (const char *p = sql; *p; p++) {
        if (*p != '$' || p[1] < 'A' || p[1] > 'Z') {
            str_append(&out, p, 1);
            continue;
        }
        char *at = strchr(pl->letters, p[1]);
        if (!at) {
            at = pl->letters + strlen(pl->letters);
            *at = p[1];
        }
        str_printf(&out, "$%d", (int)(at - pl->letters) + 1);
        p++;
    }
    free(sql);
    pl->sql = str_take(&out);
}

static pthread_key_t plans_key;
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;

/* At a thread's exit: its plans go. */
static void plans_free(void *arg)
{
    plan_t **cache = arg;
    for (size_t i = 0; i < NMASKS * NSORTS; i++)
        if (cache[i]) {
            free(cache[i]->sql);
            free(cache[i]);
        }
    free(cache);
}

static void plans_init(void)
{
    pthread_key_create(&plans_key, plans_free);
}

/* The plan of mask and sort: this thread's, built at first use and kept
 * while the thread lives (the database caches its statement). */
static const plan_t *plan_of(unsigned mask, int sort)
{
    pthread_once(&plans_once, plans_init);
    plan_t **cache = pthread_getspecific(plans_key);
    if (!cache) {
        if (!(cache = calloc(NMASKS * NSORTS, sizeof(*cache))))
            abort();
        pthread_setspecific(plans_key, cache);
    }
    plan_t **pl = &cache[mask * NSORTS + (size_t)sort];
    if (!*pl) {
        if (!(*pl = calloc(1, sizeof(**pl))))
            abort();
        build(mask, sort, *pl);
    }
    return *pl;
}

/* q as a LIKE pattern: %q% with \, % and _ escaped, ASCII lowered. */
static void like_pattern(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '%';
    for (; *q && o + 4 < cap; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            out[o++] = '\\';
        out[o++] = *q >= 'A' && *q <= 'Z' ? (char)(*q - 'A' + 'a') : *q;
    }
    out[o++] = '%';
    out[o] = '\0';
}

/* The statements that read the counts of 1 to CATALOG_Q_MAX runs, built
 * once: the statement cache knows them by address. */
static char in_sql[CATALOG_Q_MAX][80 + CATALOG_Q_MAX * 6];
static pthread_once_t in_once = PTHREAD_ONCE_INIT;

static void build_in_sql(void)
{
    for (size_t n = 1; n <= CATALOG_Q_MAX; n++) {
        char *p = in_sql[n - 1];
        size_t cap = sizeof(in_sql[0]);
        int l = snprintf(p, cap, "SELECT term, n FROM development_term_stats WHERE term IN (");
        for (size_t i = 1; i <= n; i++)
            l += snprintf(p + l, cap - (size_t)l, "%s$%zu", i > 1 ? ", " : "", i);
        snprintf(p + l, cap - (size_t)l, ")");
    }
}

/* The terms q is looked up by: the two rarest runs of three adjacent
 * characters of q lowered (of two when it has two, its one character
 * when it has one; out2 "" when there is one run). *none: a run of q is
 * in no development, so nothing matches. */
static int rarest_terms(app_ctx_t *c, const char *q, char *out, char *out2, bool *none, err_t *e)
{
    char low[CATALOG_Q_MAX * 4 + 1];
    size_t n = 0, starts[CATALOG_Q_MAX + 1], ncp = 0;
    for (; q[n] && n + 1 < sizeof(low); n++) {
        low[n] = q[n] >= 'A' && q[n] <= 'Z' ? (char)(q[n] - 'A' + 'a') : q[n];
        if ((low[n] & 0xC0) != 0x80 && ncp < CATALOG_Q_MAX)
            starts[ncp++] = n;
    }
    low[n] = '\0';
    starts[ncp] = n;
    size_t run = ncp >= 3 ? 3 : ncp, nruns = ncp >= run ? ncp - run + 1 : 0;
    int64_t best = INT64_MAX, second = INT64_MAX, df[CATALOG_Q_MAX + 1] = {0};
    *none = false;
    out[0] = out2[0] = '\0';
    if (nruns == 0)
        return 0;
    /* every run's count in one statement (one round trip on PostgreSQL) */
    pthread_once(&in_once, build_in_sql);
    db_arg_t args[CATALOG_Q_MAX + 1];
    for (size_t i = 0; i < nruns; i++)
        args[i] = DB_TEXTN(low + starts[i], starts[i + run] - starts[i]);
    args[nruns].type = DB_T_END;
    db_stmt_t *st;
    int rc = db_query(c->db, &st, in_sql[nruns - 1], args, e);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st, e)) == DB_ROW) {
        size_t tl;
        const char *t = (const char *)db_bytes(st, 0, &tl);
        for (size_t i = 0; i < nruns; i++)
            if (starts[i + run] - starts[i] == tl && memcmp(low + starts[i], t, tl) == 0)
                df[i] = db_i64(st, 1);
    }
    db_done(st);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < nruns && !*none; i++) {
        const char *t = low + starts[i];
        size_t tl = starts[i + run] - starts[i];
        bool same = strlen(out) == tl && memcmp(out, t, tl) == 0;
        if (df[i] <= 0) {
            *none = true;
        } else if (df[i] < best && !same) {
            second = best;
            strcpy(out2, out);
            best = df[i];
            memcpy(out, t, tl);
            out[tl] = '\0';
        } else if (df[i] < second && !same) {
            second = df[i];
            memcpy(out2, t, tl);
            out2[tl] = '\0';
        }
    }
    return 0;
}

typedef struct cursor {
    int64_t key, id, offset;
} cursor_t;

static int parse_cursor(const char *s, int sort, cursor_t *cur, err_t *e)
{
    char letter, end;
    long long a = 0, b = 0;
    int n = sort == CATALOG_SORT_DISTANCE ? sscanf(s, "%c.%lld%c", &letter, &a, &end)
                                          : sscanf(s, "%c.%lld.%lld%c", &letter, &a, &b, &end);
    if (n != (sort == CATALOG_SORT_DISTANCE ? 2 : 3) || letter != sorts[sort].letter || b < 0 ||
        (sort == CATALOG_SORT_DISTANCE && (a < 0 || a > 100000)))
        return err_set(e, ERR_VALIDATION_FAILED, "cursor", "not a cursor of this search");
    cur->key = sort == CATALOG_SORT_DISTANCE ? 0 : a;
    cur->id = b;
    cur->offset = sort == CATALOG_SORT_DISTANCE ? a : 0;
    return 0;
}

/* The parameters by letter, and the filters they make. */
typedef struct bindings {
    db_arg_t by[26];
    unsigned mask;
    char like[CATALOG_Q_MAX * 8 + 8], term[CATALOG_Q_MAX * 4 + 1], term2[CATALOG_Q_MAX * 4 + 1];
} bindings_t;

static void set(bindings_t *b, char letter, unsigned bit, db_arg_t a)
{
    b->by[letter - 'A'] = a;
    b->mask |= bit;
}

static int filters(app_ctx_t *c, const catalog_query_t *q, bindings_t *b, bool *none, err_t *e)
{
    memset(b, 0, sizeof(*b));
    *none = false;
    if (q->q && *q->q) {
        if (jread_utf8_len(q->q, strlen(q->q)) > CATALOG_Q_MAX)
            return err_set(e, ERR_VALIDATION_FAILED, "q", "at most %d characters", CATALOG_Q_MAX);
        like_pattern(q->q, b->like, sizeof(b->like));
        int rc = rarest_terms(c, q->q, b->term, b->term2, none, e);
        if (rc < 0)
            return rc;
        set(b, 'T', HAS_Q, DB_TEXT(b->term));
        if (b->term2[0])
            set(b, 'U', HAS_Q2, DB_TEXT(b->term2));
        b->by['Q' - 'A'] = DB_TEXT(b->like);
    }
    if (q->city)
        set(b, 'C', HAS_CITY, DB_TEXT(q->city));
    if (q->district)
        set(b, 'D', HAS_DISTRICT, DB_TEXT(q->district));
    if (q->price_min)
        set(b, 'P', HAS_PMIN, DB_I64(q->price_min));
    if (q->price_max)
        set(b, 'R', HAS_PMAX, DB_I64(q->price_max));
    if (q->area_min)
        set(b, 'M', HAS_AMIN, DB_I64(q->area_min));
    if (q->area_max)
        set(b, 'N', HAS_AMAX, DB_I64(q->area_max));
    if (q->rooms)
        set(b, 'O', HAS_ROOMS, DB_I64(q->rooms));
    if (q->sale)
        set(b, 'S', HAS_SALE, DB_I64(q->sale));
    if (q->sort == CATALOG_SORT_DISTANCE && !q->near)
        return err_set(e, ERR_VALIDATION_FAILED, "sort", "sorting by distance needs lat and lng");
    if (q->near) {
        if (!catalog_in_china(q->lat, q->lng))
            return err_set(e, ERR_VALIDATION_FAILED, "lat", "a position in China (GCJ-02)");
        /* a box (lat ± r, lng ± r / cos lat), then the circle in it */
        double cl = cos(q->lat * M_PI / 180), r = q->radius_km / 111.195 * 1e6;
        int64_t lat = llround(q->lat * 1e6), lng = llround(q->lng * 1e6);
        set(b, 'E', HAS_NEAR, DB_I64(lat - (int64_t)r));
        b->by['F' - 'A'] = DB_I64(lat + (int64_t)r);
        b->by['G' - 'A'] = DB_I64(lng - (int64_t)(r / cl));
        b->by['H' - 'A'] = DB_I64(lng + (int64_t)(r / cl));
        b->by['J' - 'A'] = DB_I64((int64_t)(r * r));
    }
    if (q->near || q->sort == CATALOG_SORT_DISTANCE) {
        b->by['A' - 'A'] = DB_I64(llround(q->lat * 1e6));
        b->by['B' - 'A'] = DB_I64(llround(q->lng * 1e6));
        b->by['K' - 'A'] = DB_I64(llround(cos(q->lat * M_PI / 180) * 1024));
    }
    return 0;
}

/* Appends the list item of the row (its stored summary), with its
 * distance from the searched position when near. */
static void item(str_t *out, db_stmt_t *st, const catalog_query_t *q, bool first)
{
    size_t len;
    const char *text = db_bytes(st, 1, &len);
    if (!first)
        str_append(out, ",", 1);
    if (!q->near || db_is_null(st, 2) || len < 2) {
        str_append(out, text, len);
        return;
    }
    double m = catalog_distance_m(q->lat, q->lng, (double)db_i64(st, 2) / 1e6,
                                  (double)db_i64(st, 3) / 1e6);
    str_printf(out, "{\"distance_m\":%lld,", (long long)llround(m));
    str_append(out, text + 1, len - 1);
}

int catalog_search(app_ctx_t *c, const catalog_query_t *q, char **out, size_t *len, err_t *e)
{
    bindings_t b;
    cursor_t cur = {0};
    bool none;
    int rc = filters(c, q, &b, &none, e);
    if (rc < 0)
        return rc;
    if (q->cursor && (rc = parse_cursor(q->cursor, (int)q->sort, &cur, e)) < 0)
        return rc;
    if (none) { /* a term of the text is in no development */
        *out = strdup("{\"items\":[],\"next_cursor\":null}");
        *len = strlen(*out);
        return 0;
    }
    if (q->cursor && q->sort != CATALOG_SORT_DISTANCE) {
        set(&b, 'X', HAS_AFTER, DB_I64(cur.key));
        b.by['Y' - 'A'] = DB_I64(cur.id);
    }
    b.by['L' - 'A'] = DB_I64(q->limit + 1);
    b.by['Z' - 'A'] = DB_I64(cur.offset);
    const plan_t *pl = plan_of(b.mask, (int)q->sort);
    db_arg_t args[MAX_ARGS + 1];
    size_t na = 0;
    for (; pl->letters[na]; na++)
        args[na] = b.by[pl->letters[na] - 'A'];
    args[na].type = DB_T_END;
    db_stmt_t *st;
    if ((rc = db_query(c->db, &st, pl->sql, args, e)) < 0)
        return rc;
    str_t page = {0};
    char next[64] = "null";
    int64_t last_key = 0, last_id = 0;
    int n = 0;
    str_puts(&page, "{\"items\":[");
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (n == q->limit) { /* the one more row asked for: there is a next page */
            if (q->sort == CATALOG_SORT_DISTANCE)
                snprintf(next, sizeof(next), "\"d.%lld\"", (long long)(cur.offset + q->limit));
            else
                snprintf(next, sizeof(next), "\"%c.%lld.%lld\"", sorts[q->sort].letter,
                         (long long)last_key, (long long)last_id);
            break;
        }
        last_id = db_i64(st, 0);
        last_key = db_i64(st, 4);
        item(&page, st, q, n++ == 0);
    }
    db_done(st);
    if (rc < 0) {
        str_free(&page);
        return rc;
    }
    str_printf(&page, "],\"next_cursor\":%s}", next);
    *len = page.len;
    *out = str_take(&page);
    return 0;
}
