/* test_rights.c - the export covers the whole data map: every category
 * is read (by its module or from its stores' columns) or marked as not
 * held, so a new category cannot be forgotten; a category that has a store
 * of an account is never marked "not held"; and every column the stores
 * name exists in the migrated schema, so export and erasure cannot drift
 * from the tables. */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "db/db.h"
#include "privacy/privacy.h"
#include "rights/rights.h"

static int exported_stores(const char *category)
{
    int n = 0;
    for (size_t i = 0; i < privacy_stores_count; i++)
        n += strcmp(privacy_stores[i].category, category) == 0 &&
             privacy_store_select(&privacy_stores[i]) != NULL;
    return n;
}

static void test_every_category_is_covered_one_way(void **state)
{
    (void)state;
    for (size_t i = 0; i < privacy_categories_count; i++) {
        const char *id = privacy_categories[i].id;
        int n = 0;
        for (size_t j = 0; j < rights_sources_count; j++)
            n += strcmp(rights_sources[j].category, id) == 0;
        if (n > 1)
            fail_msg("category %s has %d export sources", id, n);
        const rights_source_t *s = rights_source_find(id);
        bool read = (s && s->fn) || exported_stores(id) > 0;
        bool noted = s && s->note;
        if (read == noted)
            fail_msg("category %s: %s", id,
                     read ? "read and also noted as not held" : "neither read nor noted");
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
        if (st->owner == NULL || privacy_store_select(st))
            continue;
        const rights_source_t *s = rights_source_find(st->category);
        if (s == NULL || s->fn == NULL)
            fail_msg("%s (table %s) is stored for an account but not exported", st->category,
                     st->table);
    }
}

static void test_a_sealed_column_is_bound_to_a_place_of_its_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_store_t *st = &privacy_stores[i];
        for (int k = 0; k < PRIVACY_MAX_COLS && st->cols[k].name; k++) {
            const privacy_col_t *c = &st->cols[k];
            if (!strchr("dibtxe", c->type))
                fail_msg("%s.%s has no type", st->table, c->name);
            size_t n = strlen(st->table);
            if (c->type == 'e' &&
                (c->place == NULL || strncmp(c->place, st->table, n) != 0 || c->place[n] != '.'))
                fail_msg("%s.%s is sealed at %s", st->table, c->name,
                         c->place ? c->place : "(no place)");
        }
    }
}

/* Every table, row id, owner, time and column of the stores, and every
 * export query, prepared against the migrated schema. */
static void test_every_store_names_columns_of_the_schema(void **state)
{
    (void)state;
    char path[64];
    db_t *db;
    err_t e = {0};
    assert_int_equal(unit_db_open("stores", path, &db), 0);
    assert_int_equal(db_migrate(db, &e), 0);
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_store_t *st = &privacy_stores[i];
        str_t q = {0};
        str_printf(&q, "SELECT %s", st->at);
        if (st->id)
            str_printf(&q, ", %s", st->id);
        if (st->owner)
            str_printf(&q, ", %s", st->owner);
        for (int k = 0; k < PRIVACY_MAX_COLS && st->cols[k].name; k++)
            str_printf(&q, ", %s", st->cols[k].name);
        str_printf(&q, " FROM %s LIMIT 0", st->table);
        const char *sqls[] = {q.buf, privacy_store_select(st)};
        for (int k = 0; k < 2; k++) {
            if (sqls[k] == NULL)
                continue;
            db_stmt_t *s;
            err_clear(&e);
            int rc = db_query(db, &s, sqls[k], k ? DB_ARGS(DB_I64(1)) : DB_NOARGS, &e);
            while (rc == 0 && (rc = db_step(s, &e)) == DB_ROW)
                ;
            if (rc >= 0)
                db_done(s);
            if (rc < 0)
                fail_msg("store %s (%s): %s: %s", st->category, st->table, sqls[k], e.cause);
        }
        str_free(&q);
    }
    unit_db_remove(db, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_category_is_covered_one_way),
        cmocka_unit_test(test_every_export_source_names_a_category_of_the_map),
        cmocka_unit_test(test_a_category_without_a_reader_says_why),
        cmocka_unit_test(test_every_category_stored_for_an_account_is_exported),
        cmocka_unit_test(test_a_sealed_column_is_bound_to_a_place_of_its_table),
        cmocka_unit_test(test_every_store_names_columns_of_the_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
