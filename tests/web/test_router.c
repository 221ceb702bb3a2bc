/* The router's pure parts: matching with path parameters, 404 against 405, HEAD as GET,
 * cookies and ids from outside. */
#include "tests/support/testutil.h"
#include "web/internal.h"

#include <string.h>

static const char *pattern_of(const char *method, const char *path, int *status)
{
    char params[WEB_MAX_PARAMS][WEB_PARAM_MAX];
    int route, n;
    size_t count;
    const struct web_route *routes = web_routes(&count);
    *status = web_route_match(method, path, &route, params, &n);
    return *status == 0 ? routes[route].pattern : NULL;
}

static void path_parameters_are_captured_in_order(void **state)
{
    char params[WEB_MAX_PARAMS][WEB_PARAM_MAX];
    int route, n;
    assert_int_equal(web_route_match("PUT", "/api/v1/sessions/active/channels/20002/schedule",
                                     &route, params, &n),
                     0);
    assert_int_equal(n, 2);
    assert_string_equal(params[0], "active");
    assert_string_equal(params[1], "20002");
}

static void unknown_paths_are_404_and_known_paths_with_other_methods_405(void **state)
{
    int status;
    assert_null(pattern_of("GET", "/api/v1/unknown", &status));
    assert_int_equal(status, 404);
    assert_null(pattern_of("PATCH", "/api/v1/sessions/1", &status));
    assert_int_equal(status, 405);
    assert_null(pattern_of("GET", "/api/v1/sessions/", &status));
    assert_int_equal(status, 404);
    assert_null(pattern_of("GET", "/api/v1/sessions/a%2Fb", &status));
    assert_int_equal(status, 404);
    assert_null(pattern_of("GET", "/api/v1/sessions/1/", &status));
    assert_int_equal(status, 404);
    assert_string_equal(pattern_of("HEAD", "/healthz", &status), "/healthz");
    assert_string_equal(pattern_of("DELETE", "/api/v1/sessions/7", &status),
                        "/api/v1/sessions/{session}");
}

static void a_405_lists_the_methods_the_path_takes(void **state)
{
    char allow[48];
    web_route_allow("/api/v1/sessions/3", allow, sizeof allow);
    assert_string_equal(allow, "GET, DELETE");
    web_route_allow("/nowhere", allow, sizeof allow);
    assert_string_equal(allow, "");
}

static void overlong_path_parameters_never_match(void **state)
{
    char path[256];
    int status;
    snprintf(path, sizeof path, "/api/v1/sessions/%0100d", 1);
    assert_null(pattern_of("GET", path, &status));
    assert_int_equal(status, 404);
}

static void cookies_are_found_by_exact_name(void **state)
{
    char v[64];
    assert_int_equal(web_cookie_find("a=1; tca_session=abc; b=2", "tca_session", v, sizeof v), 0);
    assert_string_equal(v, "abc");
    assert_int_equal(web_cookie_find("xtca_session=abc", "tca_session", v, sizeof v), -1);
    assert_int_equal(web_cookie_find("tca_session_old=abc", "tca_session", v, sizeof v), -1);
    assert_int_equal(web_cookie_find("tca_session=0123456789", "tca_session", v, 5), -1);
    assert_int_equal(web_cookie_find("", "tca_session", v, sizeof v), -1);
}

static void ids_are_positive_decimal_integers(void **state)
{
    int64_t id;
    assert_int_equal(web_parse_id("42", &id), 0);
    assert_int_equal(id, 42);
    assert_int_equal(web_parse_id("0", &id), -1);
    assert_int_equal(web_parse_id("-3", &id), -1);
    assert_int_equal(web_parse_id("4x", &id), -1);
    assert_int_equal(web_parse_id("99999999999999999999", &id), -1);
    assert_int_equal(web_parse_id("", &id), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_parameters_are_captured_in_order),
        cmocka_unit_test(unknown_paths_are_404_and_known_paths_with_other_methods_405),
        cmocka_unit_test(a_405_lists_the_methods_the_path_takes),
        cmocka_unit_test(overlong_path_parameters_never_match),
        cmocka_unit_test(cookies_are_found_by_exact_name),
        cmocka_unit_test(ids_are_positive_decimal_integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
