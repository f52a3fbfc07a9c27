/* test_rights.c - the export covers the whole data map: every category
 * is read by a source or marked as not held, so a new category cannot be
 * forgotten, and a category that has a store is never marked "not held". */
#include "unit.h"

#include <string.h>

#include "privacy/privacy.h"
#include "rights/rights.h"

static void test_every_category_has_exactly_one_export_source(void **state)
{
    (void)state;
    for (size_t i = 0; i < privacy_categories_count; i++) {
        int n = 0;
        for (size_t j = 0; j < rights_sources_count; j++)
            n += strcmp(rights_sources[j].category, privacy_categories[i].id) == 0;
        if (n != 1)
            fail_msg("category %s has %d export sources", privacy_categories[i].id, n);
    }
}

static void test_every_export_source_names_a_category_of_the_map(void **state)
{
    (void)state;
    for (size_t j = 0; j < rights_sources_count; j++)
        if (privacy_category_find(rights_sources[j].category) == NULL)
            fail_msg("export source %s is not in the data map", rights_sources[j].category);
}

static void test_a_category_without_a_reader_says_why(void **state)
{
    (void)state;
    for (size_t j = 0; j < rights_sources_count; j++) {
        const rights_source_t *s = &rights_sources[j];
        if (s->fn == NULL && (s->note == NULL || strlen(s->note) < 10))
            fail_msg("export source %s has neither a reader nor a note", s->category);
    }
}

static void test_every_category_stored_for_an_account_is_exported(void **state)
{
    (void)state;
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_store_t *st = &privacy_stores[i];
        if (st->owner == NULL)
            continue;
        const rights_source_t *s = rights_source_find(st->category);
        if (s == NULL || s->fn == NULL)
            fail_msg("%s (table %s) is stored for an account but not exported", st->category,
                     st->table);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_category_has_exactly_one_export_source),
        cmocka_unit_test(test_every_export_source_names_a_category_of_the_map),
        cmocka_unit_test(test_a_category_without_a_reader_says_why),
        cmocka_unit_test(test_every_category_stored_for_an_account_is_exported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
