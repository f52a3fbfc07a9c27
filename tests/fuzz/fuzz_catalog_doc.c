/* fuzz_catalog_doc.c - the development document check: any JSON is
 * refused with a field or accepted, never crashes, and its canonical form
 * is a fixed point (checking what it returned gives the same document
 * and the same keys). */
#include "catalog/catalog_int.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!in)
        return 0;
    json_t *out = NULL, *again = NULL;
    catalog_keys_t k, k2;
    err_t e = {0};
    if (catalog_doc_check(in, &out, &k, &e) == 0) {
        err_t e2 = {0};
        if (catalog_doc_check(out, &again, &k2, &e2) != 0 || !json_equal(out, again) ||
            strcmp(k.search, k2.search) != 0 || k.price_key != k2.price_key ||
            k.sale_bit != k2.sale_bit || k.rooms_mask != k2.rooms_mask ||
            k.area_min != k2.area_min || k.lat_e6 != k2.lat_e6)
            abort();
        json_decref(again);
        json_decref(out);
    } else if (e.code == ERR_NONE) {
        abort(); /* a refusal says why */
    }
    err_clear(&e);
    json_decref(in);
    return 0;
}
