/* test_router.c - route matching, parameters, 404 and 405 with Allow. */
#include "unit.h"

#include <string.h>

#include "http/router.h"

static int h(api_req_t *r)
{
    (void)r;
    return 0;
}

static const api_route_t routes[] = {
    {"GET", "/v1/me", h, AUTH_USER, 0, 0},
    {"PATCH", "/v1/me", h, AUTH_USER, 1, 0},
    {"GET", "/v1/me/devices", h, AUTH_USER, 0, 0},
    {"DELETE", "/v1/me/devices/:id", h, AUTH_USER, 0, 0},
    {"GET", "/v1/privacy/policy/versions", h, AUTH_NONE, 0, 0},
    {"GET", "/v1/privacy/policy/:version", h, AUTH_NONE, 0, 0},
    {"GET", "/a/:x/b/:y", h, AUTH_NONE, 0, 0},
};

static int match(const char *method, const char *path, api_slice_t *params, char *allow)
{
    http_router_t *r = http_router_create(routes, sizeof(routes) / sizeof(routes[0]));
    int rc = http_router_match(r, method, strlen(method), path, strlen(path), params, allow, 64);
    http_router_destroy(r);
    return rc;
}

static void test_a_static_path_matches_its_method(void **state)
{
    (void)state;
    api_slice_t p[API_MAX_PARAMS];
    char allow[64];
    assert_int_equal(match("GET", "/v1/me", p, allow), 0);
    assert_int_equal(match("PATCH", "/v1/me", p, allow), 1);
    assert_int_equal(match("GET", "/v1/me/devices", p, allow), 2);
}

static void test_path_parameters_are_captured(void **state)
{
    (void)state;
    api_slice_t p[API_MAX_PARAMS];
    char allow[64];
    assert_int_equal(match("DELETE", "/v1/me/devices/123", p, allow), 3);
    assert_int_equal(p[0].len, 3);
    assert_memory_equal(p[0].p, "123", 3);
    assert_int_equal(match("GET", "/a/one/b/two", p, allow), 6);
    assert_memory_equal(p[0].p, "one", 3);
    assert_memory_equal(p[1].p, "two", 3);
}

static void test_a_static_segment_wins_over_a_parameter_listed_later(void **state)
{
    (void)state;
    api_slice_t p[API_MAX_PARAMS];
    char allow[64];
    assert_int_equal(match("GET", "/v1/privacy/policy/versions", p, allow), 4);
    assert_int_equal(match("GET", "/v1/privacy/policy/abc", p, allow), 5);
}

static void test_unknown_paths_are_not_found(void **state)
{
    (void)state;
    api_slice_t p[API_MAX_PARAMS];
    char allow[64];
    const char *bad[] = {"",
                         "v1/me",
                         "/",
                         "/v1",
                         "/v1/me/",
                         "/v1/me/devices/",
                         "/v1/mee",
                         "/v1/me/devices/1/2",
                         "//v1/me",
                         "/a/x/b",
                         "/a/b/c/d/e/f/g/h/i/j/k"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(match("GET", bad[i], p, allow), ERR_NOT_FOUND);
}

static void test_a_wrong_method_is_not_allowed_and_lists_the_allowed_ones(void **state)
{
    (void)state;
    api_slice_t p[API_MAX_PARAMS];
    char allow[64];
    assert_int_equal(match("PUT", "/v1/me", p, allow), ERR_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "GET, PATCH");
    assert_int_equal(match("POST", "/v1/privacy/policy/versions", p, allow),
                     ERR_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "GET");
    assert_int_equal(match("get", "/v1/me", p, allow), ERR_METHOD_NOT_ALLOWED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_static_path_matches_its_method),
        cmocka_unit_test(test_path_parameters_are_captured),
        cmocka_unit_test(test_a_static_segment_wins_over_a_parameter_listed_later),
        cmocka_unit_test(test_unknown_paths_are_not_found),
        cmocka_unit_test(test_a_wrong_method_is_not_allowed_and_lists_the_allowed_ones),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
