/* catalog.h - the developments (楼盘) catalogue and their layouts (户型)
 * (F3; domain.md §6): the check of a development's document, staff
 * writes, public browsing and search, and the JSONL import. A development
 * is public fact, not personal data: nothing here touches the vault.
 * Owns the tables developments and development_terms. */
#ifndef WLK_CATALOG_H
#define WLK_CATALOG_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* shown with every price (domain.md §6.1) */
#define CATALOG_PRICE_NOTICE "实际售价以开发商取得“预售许可证”后的实际开盘价格为准"
#define CATALOG_PAGE_MAX     50
#define CATALOG_Q_MAX        20           /* code points of a search text */
#define CATALOG_RADIUS_MAX   50           /* km of a nearby search */
#define CATALOG_LINE_MAX     (256 * 1024) /* bytes of one import line */

/* Creates a development from its document (the API's fields; see
 * docs/openapi.yaml, Development), audited as actor ("staff:<name>",
 * "cli"). VALIDATION_FAILED naming the field; CONFLICT when ext_id is
 * taken. *out: the development as GET returns it (new). */
int catalog_create(app_ctx_t *c, const char *actor, const json_t *doc, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Replaces the document of development id (a whole document, as for
 * create; layouts keep the ids they are given). NOT_FOUND; CONFLICT for
 * another development's ext_id. */
int catalog_update(app_ctx_t *c, const char *actor, int64_t id, const json_t *doc, json_t **out,
                   err_t *e) __attribute__((warn_unused_result));
/* Takes development id out of the public catalogue (staff still see it;
 * an update brings it back). NOT_FOUND when unknown or retired already. */
int catalog_retire(app_ctx_t *c, const char *actor, int64_t id, err_t *e)
    __attribute__((warn_unused_result));
/* Development id with its layouts. NOT_FOUND when unknown, or retired and
 * !staff. *out new. */
int catalog_get(app_ctx_t *c, int64_t id, bool staff, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Whether development id is in the public catalogue. */
int catalog_exists(app_ctx_t *c, int64_t id, err_t *e) __attribute__((warn_unused_result));

typedef enum {
    CATALOG_SORT_DEFAULT, /* the order they were added */
    CATALOG_SORT_PRICE,   /* average price, lowest first, 待定 last */
    CATALOG_SORT_PRICE_DESC,
    CATALOG_SORT_OPENING, /* opening date, soonest first, 待定 last */
    CATALOG_SORT_DISTANCE /* from (lat, lng); needs a position */
} catalog_sort_t;

/* A search of the public catalogue. Strings are borrowed; NULL or 0
 * leaves a filter out. */
typedef struct catalog_query {
    const char *q; /* name, alias or pinyin initials, a substring */
    const char *city, *district;
    int64_t price_min, price_max; /* 元/㎡, on the average price (待定 excluded) */
    int64_t area_min, area_max;   /* ㎡: developments whose area range meets it */
    unsigned rooms;               /* bit r-1 for r rooms (bit 4: five or more) */
    unsigned sale;                /* bits of catalog_sale_bit() */
    bool near;                    /* lat, lng (GCJ-02) and radius_km are set */
    double lat, lng;
    int radius_km;
    catalog_sort_t sort;
    const char *cursor; /* next_cursor of the page before, or NULL */
    int limit;          /* 1..CATALOG_PAGE_MAX */
} catalog_query_t;

/* The bit of a sale status code or label ("on_sale", "在售"), or 0. */
unsigned catalog_sale_bit(const char *s);
/* The page as JSON text: {"items":[development summary…],"next_cursor"}
 * (items with "distance_m" when near). VALIDATION_FAILED naming "cursor"
 * for a cursor of another search or a broken one, "sort" for a distance
 * sort without a position. *out new (free()), *len its length. */
int catalog_search(app_ctx_t *c, const catalog_query_t *q, char **out, size_t *len, err_t *e)
    __attribute__((warn_unused_result));

#define CATALOG_VISIT_DAYS 7  /* 到访保护期 by default */
#define CATALOG_DEAL_DAYS  30 /* 成交保护期 by default */
/* The protection periods of development id (its own, or the defaults).
 * NOT_FOUND when it is not in the public catalogue. */
int catalog_protection(app_ctx_t *c, int64_t id, int *visit_days, int *deal_days, err_t *e)
    __attribute__((warn_unused_result));
/* The development card a chat opens with (a "property" message body):
 * development_id, name, city, district, address, price_text,
 * price_notice, sale_status_label, area, tags. NOT_FOUND. *out new. */
int catalog_card(app_ctx_t *c, int64_t id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* How many developments there are, retired ones too. */
int catalog_count(app_ctx_t *c, int64_t *n, err_t *e) __attribute__((warn_unused_result));

typedef enum { CATALOG_CREATED, CATALOG_UPDATED, CATALOG_UNCHANGED } catalog_outcome_t;

/* A line of an import: a development document with an ext_id. */
typedef struct catalog_line {
    const char *text; /* borrowed */
    size_t len;
    long number;               /* its line number, for the audit record */
    catalog_outcome_t outcome; /* out: created, or replaced (its document differed), or not */
    err_t err;                 /* out: why it was refused (code 0: it was not) */
    int64_t _id;
    json_t *_doc;
    void *_keys; /* its keys (catalog_keys_t), borrowing from _doc */
} catalog_line_t;
#define CATALOG_BATCH 256

/* Imports lines (at most CATALOG_BATCH): each is checked, then the batch
 * is written in one transaction with one audit record
 * ("development.import"); when that fails, a line at a time. Either way
 * all of a line or nothing of it is written. The result of each is in
 * its outcome and err (err_clear each). */
void catalog_import_batch(app_ctx_t *c, const char *actor, catalog_line_t *lines, size_t n);

/* The record of an import run (imports.c), for the staff console. */
typedef struct catalog_import {
    long lines, created, updated, unchanged, refused;
    int64_t bytes_read;
    json_t *problems; /* owned: the first refused lines, as listed */
} catalog_import_t;
/* Opens a run (status running) of the file named source (its base name),
 * bytes long. */
int catalog_import_begin(app_ctx_t *c, const char *source, const char *actor, int64_t bytes,
                         int64_t *id, err_t *e) __attribute__((warn_unused_result));
/* Counts a refused line into t (keeping the first hundred). */
void catalog_import_problem(catalog_import_t *t, long line, const err_t *err);
/* Writes t's counts: status running (progress) or done (closed). */
int catalog_import_update(app_ctx_t *c, int64_t id, const catalog_import_t *t, const char *status,
                          err_t *e) __attribute__((warn_unused_result));
/* The latest runs, newest first: {"items":[{"id","source","actor",
 * "started_at","updated_at","finished_at","status" (running | done |
 * stalled: no progress for ten minutes),"percent","lines",
 * "created","updated","unchanged","refused","bytes_total","problems":
 * [{"line","code","field","message"}]}]}. */
int catalog_imports_list(app_ctx_t *c, int limit, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* Pictures (images.c): floor plans and albums, public. */
#define CATALOG_IMAGE_MAX (2 * 1024 * 1024)
/* Keeps a JPEG or PNG (once per content: the same bytes give the same
 * id). UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE. */
int catalog_image_put(app_ctx_t *c, const uint8_t *p, size_t len, int64_t *id, err_t *e)
    __attribute__((warn_unused_result));
/* The bytes (*bytes new, free()) and type of picture id. NOT_FOUND. */
int catalog_image_get(app_ctx_t *c, int64_t id, char **bytes, size_t *len, char type[32], err_t *e)
    __attribute__((warn_unused_result));

/* Coordinates (geo.c). GCJ-02 (China's map datum, stored) to BD-09
 * (Baidu's), and back (to within a few centimetres). */
void catalog_gcj_to_bd(double lat, double lng, double *bd_lat, double *bd_lng);
void catalog_bd_to_gcj(double bd_lat, double bd_lng, double *lat, double *lng);
/* WGS-84 (a device's position) to GCJ-02; the same outside China. */
void catalog_wgs_to_gcj(double lat, double lng, double *gcj_lat, double *gcj_lng);
/* Great-circle distance in metres. */
double catalog_distance_m(double lat1, double lng1, double lat2, double lng2);
/* Whether (lat, lng) lies in the box around China the catalogue accepts. */
bool catalog_in_china(double lat, double lng);

/* Text (text.c). The pinyin initials of s, lower case, into out (cap
 * bytes): a letter per Chinese character known (GB2312 level 1 and the
 * rarer characters of place and development names), ASCII letters and
 * digits lowered, anything else skipped. Returns the length. */
size_t catalog_initials(const char *s, char *out, size_t cap);

#endif
