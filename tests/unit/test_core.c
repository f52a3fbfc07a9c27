/* test_core.c - the error table, ids, phone numbers, field readers. */
#include "unit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/config.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/jread.h"
#include "core/str.h"
#include "core/jwrite.h"
#include "api/api.h"
#include <stdio.h>

static void count_row(const err_info_t *row, void *arg)
{
    int *n = arg;
    assert_true(row->code < 0);
    assert_true(row->status >= 400 && row->status <= 599);
    assert_true(strlen(row->str) > 0 && strlen(row->msg) > 0);
    /* every code has a message for users, and it is Chinese (not ASCII) */
    assert_true(strlen(row->zh) > 0 && (unsigned char)row->zh[0] >= 0x80);
    for (const char *p = row->str; *p; p++)
        assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
    assert_int_equal(err_status(row->code), row->status);
    assert_string_equal(err_string(row->code), row->str);
    (*n)++;
}

static void test_every_error_code_maps_to_a_status_and_a_snake_case_string(void **state)
{
    (void)state;
    int n = 0;
    err_foreach(count_row, &n);
    assert_true(n >= 15);
    assert_int_equal(err_status(ERR_INVALID_JSON), 400);
    assert_string_equal(err_string(ERR_VALIDATION_FAILED), "validation_failed");
    assert_int_equal(err_status(ERR_RATE_LIMITED), 429);
    assert_string_equal(err_string(12345), "internal");
}

static void test_the_first_error_set_wins(void **state)
{
    (void)state;
    err_t e = {0};
    assert_int_equal(err_set(&e, ERR_NOT_FOUND, "a", NULL), ERR_NOT_FOUND);
    assert_int_equal(err_set(&e, ERR_CONFLICT, "b", "x"), ERR_NOT_FOUND);
    assert_string_equal(e.field, "a");
    err_extra(&e, "scope", json_string("policy"));
    err_clear(&e);
    assert_int_equal(e.code, 0);
}

static void test_ids_grow_strictly_even_when_the_clock_steps_back(void **state)
{
    (void)state;
    int64_t a = ids_next_at(IDS_EPOCH_MS + 5000);
    int64_t b = ids_next_at(IDS_EPOCH_MS + 5000);
    int64_t c = ids_next_at(IDS_EPOCH_MS + 1000);
    assert_true(a > 0 && b > a && c > b);
    for (int i = 0; i < 10000; i++) {
        int64_t d = ids_next_at(IDS_EPOCH_MS + 5000);
        assert_true(d > c);
        c = d;
    }
}

#define PER_THREAD 20000
static void *make_ids(void *arg)
{
    int64_t *out = arg;
    for (int i = 0; i < PER_THREAD; i++)
        out[i] = ids_next();
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_ids_are_unique_across_threads(void **state)
{
    (void)state;
    enum { T = 4 };
    int64_t *all = calloc(T * PER_THREAD, sizeof(int64_t));
    pthread_t th[T];
    for (int i = 0; i < T; i++)
        pthread_create(&th[i], NULL, make_ids, all + i * PER_THREAD);
    for (int i = 0; i < T; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < T; i++)
        for (int j = 1; j < PER_THREAD; j++)
            assert_true(all[i * PER_THREAD + j] > all[i * PER_THREAD + j - 1]);
    qsort(all, T * PER_THREAD, sizeof(int64_t), cmp);
    for (int i = 1; i < T * PER_THREAD; i++)
        assert_true(all[i] != all[i - 1]);
    free(all);
}

static void test_ids_format_and_parse_as_decimal(void **state)
{
    (void)state;
    char buf[21];
    int64_t v;
    size_t n = ids_format(385647349399027712LL, buf);
    assert_string_equal(buf, "385647349399027712");
    assert_true(ids_parse(buf, n, &v) && v == 385647349399027712LL);
    assert_false(ids_parse("", 0, &v));
    assert_false(ids_parse("0", 1, &v));
    assert_false(ids_parse("12a", 3, &v));
    assert_false(ids_parse("-5", 2, &v));
    assert_false(ids_parse("99999999999999999999", 20, &v));
    assert_false(ids_parse("9999999999999999999", 19, &v)); /* > INT64_MAX */
}

static void test_mainland_mobile_numbers_are_normalised(void **state)
{
    (void)state;
    char out[12];
    const char *good[] = {"13812345678",    "+8613812345678", "+86 138-1234-5678",
                          "86 13812345678", "199 9999 9999",  "15000000000"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(auth_phone_parse(good[i], out));
        assert_int_equal(strlen(out), 11);
    }
    assert_true(auth_phone_parse("+86 138-1234-5678", out));
    assert_string_equal(out, "13812345678");
}

static void test_other_numbers_are_refused(void **state)
{
    (void)state;
    char out[12];
    const char *bad[] = {"",
                         "1381234567",
                         "138123456789",
                         "12812345678",
                         "23812345678",
                         "+8513812345678",
                         "+1 3812345678",
                         "1381234567a",
                         "138.1234.5678",
                         "+86+8613812345678",
                         "８６13812345678",
                         "1381234567８",
                         "+86",
                         "11111111111111111111111111111"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(auth_phone_parse(bad[i], out));
}

static void test_string_fields_are_checked_for_presence_type_length_and_controls(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:s, s:i, s:n, s:s, s:s}", "a", "张三", "b", 5, "c", "d", "x\ty",
                          "long", "123456789");
    const char *v;
    err_t e = {0};
    assert_int_equal(jread_str(o, NULL, "a", true, 1, 2, &v, &e), 0);
    assert_string_equal(v, "张三");
    assert_int_equal(jread_str(o, NULL, "zz", false, 1, 2, &v, &e), 0);
    assert_null(v);
    const char *keys[] = {"b", "c", "d", "long", "missing"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(jread_str(o, "dev", keys[i], true, 1, 8, &v, &e), ERR_VALIDATION_FAILED);
        char want[32];
        snprintf(want, sizeof(want), "dev.%s", keys[i]);
        assert_string_equal(e.field, want);
        err_clear(&e);
    }
    json_t *empty = json_pack("{s:i}", "", 1);
    static const char *const none[] = {NULL};
    assert_int_equal(jread_keys(empty, NULL, none, &e), ERR_VALIDATION_FAILED);
    assert_true(e.has_field); /* found by fuzz_login: an empty key is still named */
    assert_string_equal(e.field, "");
    err_clear(&e);
    json_decref(empty);
    static const char *const allowed[] = {"a", "b", "c", "d", NULL};
    assert_int_equal(jread_keys(o, NULL, allowed, &e), ERR_VALIDATION_FAILED);
    assert_string_equal(e.field, "long");
    err_clear(&e);
    json_decref(o);
}

static void test_a_flag_is_read_with_or_without_an_inline_value(void **state)
{
    (void)state;
    const char *name, *value;
    size_t len;
    assert_true(config_flag("--name=ann", &name, &len, &value));
    assert_int_equal(len, 4);
    assert_memory_equal(name, "name", 4);
    assert_string_equal(value, "ann");
    assert_true(config_flag("--dry-run", &name, &len, &value));
    assert_int_equal(len, 7);
    assert_null(value);
    assert_true(config_flag("--note=", &name, &len, &value));
    assert_string_equal(value, "");
    assert_true(config_flag("--a=b=c", &name, &len, &value));
    assert_int_equal(len, 1);
    assert_string_equal(value, "b=c");
    assert_false(config_flag("name", &name, &len, &value));
    assert_false(config_flag("--", &name, &len, &value));
    assert_false(config_flag("--=x", &name, &len, &value));
    assert_false(config_flag("-n", &name, &len, &value));
}

static void test_a_flag_followed_by_another_flag_has_no_value(void **state)
{
    (void)state;
    char *argv[] = {"--name", "--role", "admin", "--note"};
    int i = 0;
    assert_null(config_flag_value(4, argv, &i, NULL));
    assert_int_equal(i, 0);
    i = 1;
    assert_string_equal(config_flag_value(4, argv, &i, NULL), "admin");
    assert_int_equal(i, 2);
    i = 3;
    assert_null(config_flag_value(4, argv, &i, NULL));
    assert_string_equal(config_flag_value(4, argv, &i, "--x"), "--x"); /* --note=--x */
}

static void test_numbers_are_formatted_like_printf_would(void **state)
{
    (void)state;
    static const int64_t v[] = {0, 7, 10, 999, 1000001, INT64_MAX, -1, -1234567890123LL, INT64_MIN};
    char a[32], b[32];
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t n = str_fmt_i64(a, v[i]);
        snprintf(b, sizeof(b), "%lld", (long long)v[i]);
        assert_string_equal(a, b);
        assert_int_equal(n, strlen(b));
        str_hex16(a, (uint64_t)v[i]);
        snprintf(b, sizeof(b), "%016llx", (unsigned long long)v[i]);
        assert_string_equal(a, b);
    }
    static const struct {
        int64_t ns;
        const char *ms;
    } d[] = {{0, "0.000"},
             {499, "0.000"},
             {500, "0.001"},
             {1234567, "1.235"},
             {12000000, "12.000"},
             {-5, "0.000"},
             {3600000000000LL, "3600000.000"}};
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
        str_fmt_ms3(a, d[i].ns);
        assert_string_equal(a, d[i].ms);
    }
}

static void test_the_json_writer_writes_what_jansson_writes(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{}",
        "[]",
        "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
        "{\"z\":1,\"a\":2,\"m\":3}",
        "[\"q\\\"uote\",\"back\\\\slash\",\"tab\\t nl\\n cr\\r\",\"\\u0001\\u001f\\b\\f\"]",
        "[\"中文 😀\",\"/slash\",\"\\u007f\"]",
        "[0,-1,9223372036854775807,-9223372036854775808]",
        "[1.5,-0.25,100.0,-2.5e21]", /* other reals: written shorter, the test below */
        "{\"nested\":[[],[{}],[[1,[2]]]],\"empty\":\"\"}",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_t *v = json_loads(docs[i], 0, NULL);
        assert_non_null(v);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t n;
        char *got = jwrite_dumps(v, &n);
        assert_string_equal(got, want);
        assert_int_equal(n, strlen(want));
        free(got);
        free(want);
        json_decref(v);
    }
}

/* Reals are written in the fewest digits (15 to 17) that read back as
 * the same double: 4.2, where jansson writes 4.2000000000000002. */
static void test_reals_are_written_short_and_read_back_the_same(void **state)
{
    (void)state;
    static const double vals[] = {4.2,       3.5,        0.1,       0.30000000000000004,
                                  31.313493, 121.695239, 1e300,     -2.5e21,
                                  1e-7,      100.0,      2.0 / 3.0, 3.141592653589793};
    static const char *const want[] = {"4.2",
                                       "3.5",
                                       "0.1",
                                       "0.30000000000000004",
                                       "31.313493",
                                       "121.695239",
                                       "1e300",
                                       "-2.5e21",
                                       "1e-7",
                                       "100.0",
                                       "0.6666666666666666",
                                       "3.141592653589793"};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        json_t *v = json_real(vals[i]);
        size_t n;
        char *got = jwrite_dumps(v, &n);
        assert_string_equal(got, want[i]);
        assert_true(strtod(got, NULL) == vals[i]);
        free(got);
        json_decref(v);
    }
}

static void test_every_route_fits_the_access_log_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < api_routes_count; i++)
        assert_true(strlen(api_routes[i].path) < 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_error_code_maps_to_a_status_and_a_snake_case_string),
        cmocka_unit_test(test_a_flag_is_read_with_or_without_an_inline_value),
        cmocka_unit_test(test_a_flag_followed_by_another_flag_has_no_value),
        cmocka_unit_test(test_numbers_are_formatted_like_printf_would),
        cmocka_unit_test(test_every_route_fits_the_access_log_line),
        cmocka_unit_test(test_the_json_writer_writes_what_jansson_writes),
        cmocka_unit_test(test_reals_are_written_short_and_read_back_the_same),
        cmocka_unit_test(test_the_first_error_set_wins),
        cmocka_unit_test(test_ids_grow_strictly_even_when_the_clock_steps_back),
        cmocka_unit_test(test_ids_are_unique_across_threads),
        cmocka_unit_test(test_ids_format_and_parse_as_decimal),
        cmocka_unit_test(test_mainland_mobile_numbers_are_normalised),
        cmocka_unit_test(test_other_numbers_are_refused),
        cmocka_unit_test(test_string_fields_are_checked_for_presence_type_length_and_controls),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
