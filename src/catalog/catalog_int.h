/* catalog_int.h - shared between the catalogue's files: a checked
 * document and the keys the tables index it by. */
#ifndef WLK_CATALOG_INT_H
#define WLK_CATALOG_INT_H

#include "catalog/catalog.h"

#define CATALOG_UNKNOWN_KEY 9000000000000000LL /* sort key of 待定: last */
#define CATALOG_SEARCH_MAX  512

typedef struct catalog_keys {
    const char *ext_id, *name, *city, *district; /* borrowed from the document */
    char search[CATALOG_SEARCH_MAX];             /* name \n alias \n initials, lower case */
    unsigned sale_bit, rooms_mask;
    bool has_price, has_area, has_location;
    int64_t price_avg, price_key, area_min, area_max, opening_key, lat_e6, lng_e6;
} catalog_keys_t;

/* Checks a development document and returns its canonical form (*out,
 * new: every field, null where not known, derived fields added) with its
 * keys (borrowing from *out). VALIDATION_FAILED naming the field. */
int catalog_doc_check(const json_t *in, json_t **out, catalog_keys_t *k, err_t *e)
    __attribute__((warn_unused_result));
/* the columns catalog_row_json reads, in its order */
#define DEV_COLUMNS                                                                                \
    "SELECT d.id, x.doc, d.retired_at, d.created_at, d.updated_at FROM developments d "            \
    "JOIN development_docs x ON x.id = d.id "
/* The development of a row of DEV_COLUMNS (its first five columns), as
 * GET returns it. Returns new. */
json_t *catalog_row_json(db_stmt_t *st);
/* Drops the fields a list does not show from a canonical document. */
void catalog_doc_summary(json_t *doc);

#endif
