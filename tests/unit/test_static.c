/* test_static.c - the web client's embedded files: lookup, client routes,
 * and the choice of encoding from Accept-Encoding. */
#include "unit.h"

#include <string.h>

#include "http/static.h"

static const http_asset_t *for_path(const char *p)
{
    return http_asset_for_path(p, strlen(p));
}

static http_encoding_t pick(const char *accept)
{
    static const http_asset_t both = {.gzip = "g", .gzip_len = 1, .br = "b", .br_len = 1};
    return http_encoding_pick(&both, accept, accept ? strlen(accept) : 0);
}

static void test_the_table_is_sorted_and_every_asset_is_found_by_its_path(void **state)
{
    (void)state;
    assert_true(http_assets_count > 3);
    for (size_t i = 0; i < http_assets_count; i++) {
        const http_asset_t *a = &http_assets[i];
        if (i > 0)
            assert_true(strcmp(http_assets[i - 1].path, a->path) < 0);
        assert_ptr_equal(http_asset_find(a->path, strlen(a->path)), a);
        assert_int_equal(a->immutable, strncmp(a->path, "/assets/", 8) == 0);
        assert_true(a->gzip == NULL || a->gzip_len < a->body_len);
        assert_true(a->br == NULL || a->gzip != NULL);
    }
    assert_null(http_asset_find("/assets/x", 9));
    assert_null(http_asset_find("/index.htm", 10));
}

static void test_client_routes_get_their_page_and_files_that_do_not_exist_nothing(void **state)
{
    (void)state;
    const http_asset_t *app = http_asset_find("/index.html", 11);
    const http_asset_t *staff = http_asset_find("/staff/index.html", 17);
    assert_non_null(app);
    assert_non_null(staff);
    assert_ptr_equal(for_path("/"), app);
    assert_ptr_equal(for_path("/chat/123"), app);
    assert_ptr_equal(for_path("/me/"), app);
    assert_ptr_equal(for_path("/staffing"), app);
    assert_ptr_equal(for_path("/staff"), staff);
    assert_ptr_equal(for_path("/staff/requests/9"), staff);
    assert_null(for_path("/favicon.ico"));
    assert_null(for_path("/index.html"));
    assert_null(for_path("/a//b"));
    assert_null(for_path("/%2e%2e/x"));
    assert_null(for_path("/../etc/passwd"));
    assert_null(for_path("/assets/app/main.0000000000.js"));
    assert_null(for_path(""));
    assert_true(http_path_is_api("/v1", 3) && http_path_is_api("/v1/me", 6));
    assert_true(http_path_is_api("/healthz", 8) && http_path_is_api("/metrics", 8));
    assert_false(http_path_is_api("/v1x", 4) || http_path_is_api("/healthz/x", 10));
}

static void test_brotli_is_preferred_then_gzip_and_q_zero_refuses(void **state)
{
    (void)state;
    assert_int_equal(pick(NULL), HTTP_ENC_IDENTITY);
    assert_int_equal(pick(""), HTTP_ENC_IDENTITY);
    assert_int_equal(pick("gzip, deflate, br"), HTTP_ENC_BR);
    assert_int_equal(pick("gzip"), HTTP_ENC_GZIP);
    assert_int_equal(pick("GZIP;q=0.5"), HTTP_ENC_GZIP);
    assert_int_equal(pick("br;q=0, gzip"), HTTP_ENC_GZIP);
    assert_int_equal(pick("br;q=0.0, gzip;q=0"), HTTP_ENC_IDENTITY);
    assert_int_equal(pick("*"), HTTP_ENC_BR);
    assert_int_equal(pick("*;q=0"), HTTP_ENC_IDENTITY);
    assert_int_equal(pick("*;q=0, gzip"), HTTP_ENC_GZIP);
    assert_int_equal(pick("deflate, identity"), HTTP_ENC_IDENTITY);
    assert_int_equal(pick("gzipx, brr"), HTTP_ENC_IDENTITY);
    assert_int_equal(pick(" br ; q=1 "), HTTP_ENC_BR);
    static const http_asset_t plain = {0};
    assert_int_equal(http_encoding_pick(&plain, "br, gzip", 8), HTTP_ENC_IDENTITY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_table_is_sorted_and_every_asset_is_found_by_its_path),
        cmocka_unit_test(test_client_routes_get_their_page_and_files_that_do_not_exist_nothing),
        cmocka_unit_test(test_brotli_is_preferred_then_gzip_and_q_zero_refuses),
    };
    return cmocka_run_group_tests_name("static", tests, NULL, NULL);
}
