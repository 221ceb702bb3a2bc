/*
 * The OpenAPI document is true: it is valid JSON of OpenAPI 3, every route the router serves
 * is documented with its method, every documented operation is served, every path parameter
 * is declared, and the gateway serves exactly this document.
 */
#include "tests/web/gwtest.h"
#include "web/internal.h"

#include <ctype.h>

static void lower(const char *in, char *out, size_t n)
{
    size_t i = 0;
    for (; in[i] && i + 1 < n; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = 0;
}

static void every_route_is_documented_with_its_method_and_parameters(void **state)
{
    json_error_t je;
    json_t *doc = json_loads(web_openapi_text(), JSON_REJECT_DUPLICATES, &je);
    assert_non_null(doc);
    assert_int_equal(strncmp(json_string_value(json_object_get(doc, "openapi")), "3.", 2), 0);
    json_t *paths = json_object_get(doc, "paths");
    size_t n;
    const struct web_route *routes = web_routes(&n);
    for (size_t i = 0; i < n; i++) {
        char m[16];
        lower(routes[i].method, m, sizeof m);
        json_t *op = json_object_get(json_object_get(paths, routes[i].pattern), m);
        if (!op)
            fail_msg("%s %s is not in the OpenAPI document", routes[i].method, routes[i].pattern);
        assert_non_null(json_object_get(op, "responses"));
        /* each {param} of the path is declared, inline or by reference */
        const char *p = routes[i].pattern;
        while ((p = strchr(p, '{'))) {
            size_t len = strcspn(p + 1, "}");
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)len, p + 1);
            int found = 0;
            json_t *prm;
            size_t k;
            json_array_foreach(json_object_get(op, "parameters"), k, prm)
            {
                const char *ref = json_string_value(json_object_get(prm, "$ref"));
                const char *pn = json_string_value(json_object_get(prm, "name"));
                found |= (pn && strcmp(pn, name) == 0) ||
                         (ref && strlen(ref) > len && strcmp(ref + strlen(ref) - len, name) == 0);
            }
            if (!found)
                fail_msg("%s %s does not declare {%s}", routes[i].method, routes[i].pattern, name);
            p += len + 1;
        }
    }
    json_decref(doc);
}

static void every_documented_operation_is_served(void **state)
{
    json_t *doc = json_loads(web_openapi_text(), 0, NULL);
    json_t *paths = json_object_get(doc, "paths"), *item, *op;
    const char *path, *method;
    size_t n;
    const struct web_route *routes = web_routes(&n);
    json_object_foreach(paths, path, item)
    {
        json_object_foreach(item, method, op)
        {
            int found = 0;
            for (size_t i = 0; i < n; i++) {
                char m[16];
                lower(routes[i].method, m, sizeof m);
                found |= strcmp(routes[i].pattern, path) == 0 && strcmp(m, method) == 0;
            }
            if (!found)
                fail_msg("%s %s is documented but not served", method, path);
        }
    }
    json_decref(doc);
}

static void the_gateway_serves_this_document(void **state)
{
    struct gw *g = gw_start(NULL);
    struct gw_resp r;
    char *url = xasprintf("%s/api/v1/openapi.json", g->base);
    gw_do(NULL, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, web_openapi_text());
    gw_resp_free(&r);
    free(url);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_is_documented_with_its_method_and_parameters),
        cmocka_unit_test(every_documented_operation_is_served),
        cmocka_unit_test(the_gateway_serves_this_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
