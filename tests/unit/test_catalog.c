/* test_catalog.c - the developments catalogue without sockets: coordinate
 * conversion, pinyin initials, the document check, and a search over a
 * real (SQLite) database with its filters, sorts and cursors. */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_int.h"
#include "sec/sec.h"

static char path[64];
static const uint8_t master[SEC_KEY_LEN] = {1, 3};
static int64_t clock_ms = 1760000000000LL;

static int64_t fake_now(void)
{
    return clock_ms += 1000;
}

static void test_gcj_to_bd_matches_the_published_transform_and_goes_back(void **state)
{
    (void)state;
    double blat, blng, lat, lng;
    /* Tiananmen: (39.908692, 116.397477) in Amap's (GCJ-02) documentation,
     * (39.915, 116.404) in Baidu's (BD-09, three decimals) */
    catalog_gcj_to_bd(39.908692, 116.397477, &blat, &blng);
    assert_true(fabs(blat - 39.915) < 5e-4);
    assert_true(fabs(blng - 116.404) < 5e-4);
    for (double a = 18.0; a < 54.0; a += 3.7)
        for (double b = 74.0; b < 136.0; b += 5.3) {
            catalog_gcj_to_bd(a, b, &blat, &blng);
            assert_true(fabs(blat - a) < 0.02 && fabs(blng - b) < 0.02);
            catalog_bd_to_gcj(blat, blng, &lat, &lng);
            assert_true(catalog_distance_m(a, b, lat, lng) < 1.0);
        }
}

static void test_wgs_to_gcj_moves_a_few_hundred_metres_in_china_only(void **state)
{
    (void)state;
    double lat, lng;
    /* Tiananmen by GPS (WGS-84) lands near its GCJ-02 position above */
    catalog_wgs_to_gcj(39.907333, 116.391278, &lat, &lng);
    assert_true(catalog_distance_m(lat, lng, 39.908692, 116.397477) < 60.0);
    for (double a = 20.0; a < 50.0; a += 2.9)
        for (double b = 100.0; b < 125.0; b += 3.1) {
            catalog_wgs_to_gcj(a, b, &lat, &lng);
            double d = catalog_distance_m(a, b, lat, lng);
            assert_true(d > 50.0 && d < 1200.0);
        }
    catalog_wgs_to_gcj(48.85, 2.35, &lat, &lng); /* Paris: no offset */
    assert_true(lat == 48.85 && lng == 2.35);
}

static void test_distance_and_the_china_box(void **state)
{
    (void)state;
    /* one degree of latitude is about 111.2 km */
    double d = catalog_distance_m(31.0, 121.0, 32.0, 121.0);
    assert_true(fabs(d - 111195) < 50);
    assert_true(catalog_distance_m(31.2, 121.5, 31.2, 121.5) < 1e-6);
    assert_true(catalog_in_china(31.23, 121.47));
    assert_false(catalog_in_china(48.85, 2.35)); /* Paris */
    assert_false(catalog_in_china(NAN, 121.0));
}

static void test_initials_of_common_and_rare_characters(void **state)
{
    (void)state;
    char out[64];
    catalog_initials("万科城", out, sizeof(out));
    assert_string_equal(out, "wkc");
    catalog_initials("保利·天汇 ONE", out, sizeof(out));
    assert_string_equal(out, "blthone");
    catalog_initials("深圳湾壹号", out, sizeof(out)); /* 圳 is outside GB2312 level 1; 壹 is not */
    assert_string_equal(out, "szwyh");
    catalog_initials("珑玥府", out, sizeof(out));
    assert_string_equal(out, "lyf");
    assert_int_equal(catalog_initials("", out, sizeof(out)), 0);
    /* a broken UTF-8 sequence is skipped, the cap is kept */
    assert_int_equal(catalog_initials("\xe4\xb8", out, sizeof(out)), 0);
    assert_int_equal(catalog_initials("万科城", out, 3), 2);
    assert_string_equal(out, "wk");
}

static json_t *load(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

/* The field a document fails on, or "" when it passes. */
static const char *fails_on(const char *text)
{
    static char field[64];
    json_t *in = load(text), *out = NULL;
    catalog_keys_t k;
    err_t e = {0};
    int rc = catalog_doc_check(in, &out, &k, &e);
    snprintf(field, sizeof(field), "%s", rc < 0 ? e.field : "");
    if (rc < 0)
        assert_int_equal(rc, ERR_VALIDATION_FAILED);
    err_clear(&e);
    json_decref(in);
    json_decref(out);
    return field;
}

#define BASE                                                                                       \
    "\"name\":\"绿城桂语\",\"city\":\"杭州\",\"district\":\"西湖\",\"sale_status\":\"在售\""

static void test_a_document_is_checked_field_by_field(void **state)
{
    (void)state;
    assert_string_equal(fails_on("{" BASE "}"), "");
    assert_string_equal(
        fails_on("{\"city\":\"杭州\",\"district\":\"西湖\",\"sale_status\":\"在售\"}"), "name");
    assert_string_equal(fails_on("{" BASE ",\"colour\":\"red\"}"), "colour");
    assert_string_equal(fails_on("{" BASE ",\"price_avg\":0}"), "price_avg");
    assert_string_equal(fails_on("{" BASE ",\"price_avg\":1.5}"), "price_avg");
    assert_string_equal(fails_on("{" BASE ",\"area\":{\"min\":90,\"max\":40}}"), "area");
    assert_string_equal(fails_on("{" BASE ",\"opening\":\"2027-02-30\"}"), "opening");
    assert_string_equal(fails_on("{" BASE ",\"opening\":\"2027-Q5\"}"), "opening");
    assert_string_equal(fails_on("{" BASE ",\"opening\":\"2028-02-29\"}"), "");
    assert_string_equal(fails_on("{" BASE ",\"location\":{\"lat\":48.8,\"lng\":2.3}}"), "location");
    assert_string_equal(fails_on("{" BASE ",\"decoration\":\"golden\"}"), "decoration");
    assert_string_equal(fails_on("{" BASE ",\"tags\":[\"\"]}"), "tags");
    assert_string_equal(
        fails_on("{" BASE ",\"layouts\":[{\"name\":\"A\",\"rooms\":0,\"area\":80}]}"),
        "layouts[0].rooms");
    assert_string_equal(
        fails_on("{" BASE ",\"layouts\":[{\"id\":\"1\",\"name\":\"A\",\"rooms\":2,\"area\":80},"
                 "{\"id\":\"1\",\"name\":\"B\",\"rooms\":3,\"area\":90}]}"),
        "layouts[1].id");
    assert_string_equal(fails_on("{" BASE ",\"sale_status\":null}"), "sale_status");
}

static void test_the_canonical_form_derives_labels_prices_rooms_and_keys(void **state)
{
    (void)state;
    json_t *in = load("{" BASE ",\"alias\":\"Gui Yu\",\"price_avg\":35000,\"opening\":\"2027-Q2\","
                      "\"location\":{\"lat\":30.25,\"lng\":120.15},\"layouts\":["
                      "{\"name\":\"A\",\"rooms\":3,\"area\":89.456},"
                      "{\"name\":\"B\",\"rooms\":6,\"area\":143}]}");
    json_t *out;
    catalog_keys_t k;
    err_t e = {0};
    assert_int_equal(catalog_doc_check(in, &out, &k, &e), 0);
    assert_string_equal(json_string_value(json_object_get(out, "sale_status")), "on_sale");
    assert_string_equal(json_string_value(json_object_get(out, "sale_status_label")), "在售");
    assert_string_equal(json_string_value(json_object_get(out, "price_text")), "35000元/㎡");
    assert_string_equal(json_string_value(json_object_get(out, "price_notice")),
                        CATALOG_PRICE_NOTICE);
    assert_string_equal(json_string_value(json_object_get(out, "total_price_text")), "待定");
    const json_t *opening = json_object_get(out, "opening");
    assert_string_equal(json_string_value(json_object_get(opening, "text")), "2027年第二季度");
    assert_true(json_is_null(json_object_get(json_object_get(out, "handover"), "date")));
    assert_int_equal(k.opening_key, 20270401);
    assert_int_equal(k.price_key, 35000);
    assert_int_equal(k.rooms_mask, (1u << 2) | (1u << 4)); /* six rooms count as five or more */
    assert_int_equal(k.area_min, 89);                      /* from the layouts */
    assert_int_equal(k.area_max, 143);
    assert_int_equal(k.lat_e6, 30250000);
    assert_non_null(json_object_get(out, "location_bd09"));
    assert_string_equal(k.search, "绿城桂语\ngui yu\nlcgy\nguiyu\n");
    double area = json_real_value(
        json_object_get(json_array_get(json_object_get(out, "layouts"), 0), "area"));
    assert_true(fabs(area - 89.46) < 1e-9);
    /* the canonical form is accepted back as it is */
    json_t *again;
    catalog_keys_t k2;
    assert_int_equal(catalog_doc_check(out, &again, &k2, &e), 0);
    assert_true(json_equal(out, again));
    json_decref(again);
    json_decref(out);
    json_decref(in);
    /* 待定 everywhere: unknown keys sort last */
    in = load("{" BASE "}");
    assert_int_equal(catalog_doc_check(in, &out, &k, &e), 0);
    assert_int_equal(k.price_key, CATALOG_UNKNOWN_KEY);
    assert_int_equal(k.opening_key, CATALOG_UNKNOWN_KEY);
    assert_false(k.has_location);
    json_decref(out);
    json_decref(in);
}

static int setup(void **state)
{
    static app_t app;
    static app_ctx_t ctx;
    if (sec_init() < 0 || unit_db_open("catalog", path, &ctx.db) < 0)
        return -1;
    app.vault = sec_vault_from_key(master);
    ctx.app = &app;
    ctx.now_ms = fake_now;
    *state = &ctx;
    return 0;
}

static int teardown(void **state)
{
    app_ctx_t *c = *state;
    unit_db_remove(c->db, path);
    sec_vault_destroy(c->app->vault);
    return 0;
}

static void add(app_ctx_t *c, const char *name, const char *city, int price, double lat)
{
    char text[512];
    if (price)
        snprintf(text, sizeof(text),
                 "{\"name\":\"%s\",\"city\":\"%s\",\"district\":\"X\",\"sale_status\":\"on_sale\","
                 "\"price_avg\":%d,\"location\":{\"lat\":%f,\"lng\":121.5}}",
                 name, city, price, lat);
    else
        snprintf(text, sizeof(text),
                 "{\"name\":\"%s\",\"city\":\"%s\",\"district\":\"X\",\"sale_status\":\"pending\"}",
                 name, city);
    json_t *in = load(text), *out;
    err_t e = {0};
    assert_int_equal(catalog_create(c, "cli", in, &out, &e), 0);
    json_decref(out);
    json_decref(in);
}

/* The names of a search's pages, joined by spaces, following cursors. */
static void names(app_ctx_t *c, catalog_query_t q, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    char cursor[64];
    for (int pages = 0; pages < 20; pages++) {
        char *text;
        size_t len;
        err_t e = {0};
        assert_int_equal(catalog_search(c, &q, &text, &len, &e), 0);
        json_t *out = json_loadb(text, len, 0, NULL);
        free(text);
        assert_non_null(out);
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(out, "items"), i, d) o += (size_t)snprintf(
            buf + o, cap - o, "%s%s", o ? " " : "", json_string_value(json_object_get(d, "name")));
        const char *next = json_string_value(json_object_get(out, "next_cursor"));
        if (next)
            snprintf(cursor, sizeof(cursor), "%s", next);
        json_decref(out);
        if (!next)
            return;
        q.cursor = cursor;
    }
    fail_msg("too many pages");
}

static void test_search_filters_sorts_and_pages(void **state)
{
    app_ctx_t *c = *state;
    add(c, "万科城", "上海", 50000, 31.20);
    add(c, "万科翡翠", "上海", 80000, 31.30);
    add(c, "保利天汇", "上海", 0, 0);
    add(c, "绿地中心", "杭州", 30000, 30.25);
    add(c, "One 88_%", "上海", 60000, 31.25);
    char buf[512];
    names(c, (catalog_query_t){.limit = 2}, buf, sizeof(buf));
    assert_string_equal(buf, "万科城 万科翡翠 保利天汇 绿地中心 One 88_%");
    names(c, (catalog_query_t){.q = "万科", .limit = 1}, buf, sizeof(buf));
    assert_string_equal(buf, "万科城 万科翡翠");
    names(c, (catalog_query_t){.q = "wk", .limit = 5}, buf, sizeof(buf));
    assert_string_equal(buf, "万科城 万科翡翠");
    names(c, (catalog_query_t){.q = "科翡", .limit = 5}, buf, sizeof(buf));
    assert_string_equal(buf, "万科翡翠");
    names(c, (catalog_query_t){.q = "万科翡翠", .limit = 5}, buf,
          sizeof(buf)); /* by two runs of three */
    assert_string_equal(buf, "万科翡翠");
    names(c, (catalog_query_t){.q = "wkfc", .limit = 5}, buf, sizeof(buf));
    assert_string_equal(buf, "万科翡翠");
    names(c, (catalog_query_t){.q = "one", .limit = 5}, buf, sizeof(buf));
    assert_string_equal(buf, "One 88_%");
    names(c, (catalog_query_t){.q = "8_%", .limit = 5}, buf, sizeof(buf)); /* no wildcards */
    assert_string_equal(buf, "One 88_%");
    names(c, (catalog_query_t){.q = "_", .limit = 5}, buf, sizeof(buf));
    assert_string_equal(buf, "One 88_%");
    names(c, (catalog_query_t){.q = "城翡", .limit = 5}, buf, sizeof(buf));
    assert_string_equal(buf, "");
    names(c, (catalog_query_t){.city = "上海", .sort = CATALOG_SORT_PRICE, .limit = 1}, buf,
          sizeof(buf));
    assert_string_equal(buf, "万科城 One 88_% 万科翡翠 保利天汇");
    names(c, (catalog_query_t){.city = "上海", .sort = CATALOG_SORT_PRICE_DESC, .limit = 3}, buf,
          sizeof(buf));
    assert_string_equal(buf, "万科翡翠 One 88_% 万科城 保利天汇");
    names(c, (catalog_query_t){.price_min = 40000, .price_max = 70000, .limit = 5}, buf,
          sizeof(buf));
    assert_string_equal(buf, "万科城 One 88_%");
    names(c, (catalog_query_t){.sale = catalog_sale_bit("pending"), .limit = 5}, buf, sizeof(buf));
    assert_string_equal(buf, "保利天汇");
    /* nearby: within 8 km of (31.21, 121.5), nearest first, a page at a time */
    names(c,
          (catalog_query_t){.near = true,
                            .lat = 31.21,
                            .lng = 121.5,
                            .radius_km = 8,
                            .sort = CATALOG_SORT_DISTANCE,
                            .limit = 1},
          buf, sizeof(buf));
    assert_string_equal(buf, "万科城 One 88_%");
    /* a cursor of another sort, or a broken one, is refused */
    err_t e = {0};
    char *out;
    size_t len;
    assert_int_equal(
        catalog_search(
            c, &(catalog_query_t){.sort = CATALOG_SORT_PRICE, .cursor = "i.1.2", .limit = 5}, &out,
            &len, &e),
        ERR_VALIDATION_FAILED);
    assert_string_equal(e.field, "cursor");
    err_clear(&e);
    assert_int_equal(
        catalog_search(c, &(catalog_query_t){.cursor = "i.1.2x", .limit = 5}, &out, &len, &e),
        ERR_VALIDATION_FAILED);
    err_clear(&e);
    assert_int_equal(catalog_search(c,
                                    &(catalog_query_t){.sort = CATALOG_SORT_DISTANCE, .limit = 5},
                                    &out, &len, &e),
                     ERR_VALIDATION_FAILED);
    assert_string_equal(e.field, "sort");
    err_clear(&e);
}

/* An import run's record: progress while it runs, counts and the first
 * hundred refused lines when done, stalled when it stops updating. */
static void test_an_import_run_is_recorded_with_progress_and_problems(void **state)
{
    app_ctx_t *c = *state;
    err_t e = {0};
    int64_t id, stalled_id;
    json_t *out;
    assert_int_equal(catalog_import_begin(c, "a.jsonl", "cli", 1000, &id, &e), 0);
    catalog_import_t t = {.lines = 300, .created = 250, .bytes_read = 400};
    for (long i = 1; i <= 130; i++) {
        err_t bad = {0};
        err_set(&bad, ERR_VALIDATION_FAILED, "price_avg", "must be positive");
        catalog_import_problem(&t, i, &bad);
        err_clear(&bad);
    }
    assert_int_equal(catalog_import_update(c, id, &t, "running", &e), 0);
    assert_int_equal(catalog_imports_list(c, 5, &out, &e), 0);
    json_t *run = json_array_get(json_object_get(out, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(run, "status")), "running");
    assert_int_equal(json_integer_value(json_object_get(run, "percent")), 40);
    assert_int_equal(json_integer_value(json_object_get(run, "refused")), 130);
    assert_int_equal(json_array_size(json_object_get(run, "problems")), 100);
    assert_true(json_is_null(json_object_get(run, "finished_at")));
    json_decref(out);
    t.bytes_read = 1000;
    assert_int_equal(catalog_import_update(c, id, &t, "done", &e), 0);
    /* another run that stops reporting: stalled after ten minutes */
    assert_int_equal(catalog_import_begin(c, "b.jsonl", "cli", 10, &stalled_id, &e), 0);
    clock_ms += 11 * 60 * 1000;
    assert_int_equal(catalog_imports_list(c, 5, &out, &e), 0);
    json_t *items = json_object_get(out, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "source")),
                        "b.jsonl");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "status")),
                        "stalled");
    run = json_array_get(items, 1);
    assert_string_equal(json_string_value(json_object_get(run, "status")), "done");
    assert_int_equal(json_integer_value(json_object_get(run, "percent")), 100);
    assert_true(json_is_integer(json_object_get(run, "finished_at")));
    json_decref(out);
    json_decref(t.problems);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_gcj_to_bd_matches_the_published_transform_and_goes_back),
        cmocka_unit_test(test_wgs_to_gcj_moves_a_few_hundred_metres_in_china_only),
        cmocka_unit_test(test_distance_and_the_china_box),
        cmocka_unit_test(test_initials_of_common_and_rare_characters),
        cmocka_unit_test(test_a_document_is_checked_field_by_field),
        cmocka_unit_test(test_the_canonical_form_derives_labels_prices_rooms_and_keys),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_search_filters_sorts_and_pages),
        cmocka_unit_test(test_an_import_run_is_recorded_with_progress_and_problems),
    };
    int failed = cmocka_run_group_tests_name("catalog", pure, NULL, NULL);
    return failed + cmocka_run_group_tests_name("catalog search", db, setup, teardown);
}
