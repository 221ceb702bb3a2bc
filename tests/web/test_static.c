/*
 * The web UI's files: index.html at / for browsers (JSON pointers for API clients and when
 * there is no UI), /static/ files with their Content-Type, an ETag answered with 304, no
 * caching without revalidation, the CSP; traversal, dot files, symlinks out of the folder,
 * other methods and unknown types refused; a failed login sends a browser to the UI's page.
 */
#include "tests/web/gwtest.h"
#include "web/internal.h"

#include <sys/stat.h>
#include <unistd.h>

static char ui_dir[512];

static void with_ui(struct web_options *o)
{
    o->ui_dir = ui_dir;
}

static void put(const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ui_dir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_ui(void)
{
    snprintf(ui_dir, sizeof ui_dir, "/tmp/tca-static-XXXXXX");
    assert_non_null(mkdtemp(ui_dir));
    char d[600];
    snprintf(d, sizeof d, "%s/static", ui_dir);
    assert_int_equal(mkdir(d, 0755), 0);
    snprintf(d, sizeof d, "%s/static/js", ui_dir);
    assert_int_equal(mkdir(d, 0755), 0);
    put("index.html", "<!doctype html><title>tca</title>");
    put("secret.txt", "outside static");
    put("static/js/app.js", "export const x = 1;\n");
    put("static/style.css", "body{}\n");
    put("static/.env", "SECRET=1\n");
    put("static/notes.exe", "MZ");
    char link[600];
    snprintf(link, sizeof link, "%s/static/evil.txt", ui_dir);
    assert_int_equal(symlink("/etc/hostname", link), 0);
}

static void remove_ui(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ui_dir);
    assert_int_equal(system(cmd), 0);
}

static void get(struct gw *g, CURL *h, const char *path, const char *hdr, struct gw_resp *r)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", g->base, path);
    gw_do(h, "GET", url, NULL, hdr, NULL, r);
}

static void index_for_browsers_json_for_api_clients(void **state)
{
    make_ui();
    struct gw *g = gw_start(with_ui);
    CURL *h = gw_browser();
    struct gw_resp r;
    char v[256];
    get(g, h, "/", "Accept: text/html,application/xhtml+xml,*/*;q=0.8", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<!doctype html><title>tca</title>");
    gw_header(h, "Content-Type", v, sizeof v);
    assert_string_equal(v, "text/html; charset=utf-8");
    gw_header(h, "Cache-Control", v, sizeof v);
    assert_string_equal(v, "no-cache");
    assert_non_null(strstr(r.csp, "default-src 'self'"));
    gw_resp_free(&r);
    get(g, h, "/", "Accept: application/json", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "login")), "/auth/login");
    gw_resp_free(&r);
    curl_easy_cleanup(h);
    gw_stop(g);
    remove_ui();
}

static void static_files_have_types_and_etags_answered_with_304(void **state)
{
    make_ui();
    struct gw *g = gw_start(with_ui);
    CURL *h = gw_browser();
    struct gw_resp r;
    char v[256], etag[128], inm[160];
    get(g, h, "/static/js/app.js", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "export const x = 1;\n");
    gw_header(h, "Content-Type", v, sizeof v);
    assert_string_equal(v, "text/javascript; charset=utf-8");
    gw_header(h, "ETag", etag, sizeof etag);
    assert_true(etag[0] == '"' && strlen(etag) > 4);
    gw_resp_free(&r);
    snprintf(inm, sizeof inm, "If-None-Match: W/\"other\", %s", etag);
    get(g, h, "/static/js/app.js", inm, &r);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.len, 0);
    gw_resp_free(&r);
    get(g, h, "/static/js/app.js", "If-None-Match: \"stale\"", &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    get(g, h, "/static/style.css", NULL, &r);
    gw_header(h, "Content-Type", v, sizeof v);
    assert_string_equal(v, "text/css; charset=utf-8");
    gw_resp_free(&r);
    char url[256];
    snprintf(url, sizeof url, "%s/static/style.css", g->base);
    gw_do(h, "POST", url, "{}", NULL, NULL, &r);
    assert_int_equal(r.status, 405);
    gw_resp_free(&r);
    curl_easy_cleanup(h);
    gw_stop(g);
    remove_ui();
}

static void traversal_dot_files_symlinks_and_unknown_types_are_refused(void **state)
{
    make_ui();
    struct gw *g = gw_start(with_ui);
    CURL *h = gw_browser();
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    static const char *const refused[] = {
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/js/../../secret.txt",
        "/static/.env",
        "/static//js/app.js",
        "/static/evil.txt",
        "/static/notes.exe",
        "/static/",
        "/static/js/",
        "/static/nope.js",
        "/static/js\\app.js",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        struct gw_resp r;
        get(g, h, refused[i], NULL, &r);
        if (r.status != 404)
            fail_msg("%s answered %ld", refused[i], r.status);
        assert_null(strstr(r.body, "outside static"));
        assert_null(strstr(r.body, "SECRET"));
        gw_resp_free(&r);
    }
    curl_easy_cleanup(h);
    gw_stop(g);
    remove_ui();
}

static void path_rule_is_a_whitelist(void **state)
{
    assert_true(web_static_path_ok("js/app.js"));
    assert_true(web_static_path_ok("vendor/uPlot.iife.min.js"));
    assert_true(web_static_path_ok("js/i18n/fr.js"));
    assert_false(web_static_path_ok(""));
    assert_false(web_static_path_ok("/etc/passwd"));
    assert_false(web_static_path_ok("../x.js"));
    assert_false(web_static_path_ok("js/../x.js"));
    assert_false(web_static_path_ok(".env"));
    assert_false(web_static_path_ok("js/.hidden.js"));
    assert_false(web_static_path_ok("js//app.js"));
    assert_false(web_static_path_ok("js/"));
    assert_false(web_static_path_ok("js/a b.js"));
    assert_false(web_static_path_ok("js/a%2e.js"));
    assert_false(web_static_path_ok("-x.js"));
}

static void without_a_ui_the_gateway_answers_json(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *h = gw_browser();
    struct gw_resp r;
    get(g, h, "/", "Accept: text/html", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "login")), "/auth/login");
    gw_resp_free(&r);
    get(g, h, "/static/js/app.js", NULL, &r);
    assert_int_equal(r.status, 404);
    gw_resp_free(&r);
    get(g, h, "/auth/callback?error=access_denied", "Accept: text/html", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(gw_error(&r), "login_refused");
    gw_resp_free(&r);
    curl_easy_cleanup(h);
    gw_stop(g);
}

static void a_failed_login_sends_the_browser_to_the_ui_page(void **state)
{
    make_ui();
    struct gw *g = gw_start(with_ui);
    CURL *h = gw_browser();
    struct gw_resp r;
    char want[256];
    get(g, h, "/auth/callback?error=access_denied", "Accept: text/html", &r);
    assert_int_equal(r.status, 302);
    snprintf(want, sizeof want, "%s/#/login-failed/login_refused", g->base);
    assert_string_equal(r.location, want);
    gw_resp_free(&r);
    get(g, h, "/auth/callback?code=abc&state=forged", "Accept: text/html", &r);
    assert_int_equal(r.status, 302);
    assert_non_null(strstr(r.location, "/#/login-failed/invalid_state"));
    gw_resp_free(&r);
    /* API clients keep the JSON error */
    get(g, h, "/auth/callback?error=access_denied", "Accept: application/json", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(gw_error(&r), "login_refused");
    gw_resp_free(&r);
    curl_easy_cleanup(h);
    gw_stop(g);
    remove_ui();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_for_browsers_json_for_api_clients),
        cmocka_unit_test(static_files_have_types_and_etags_answered_with_304),
        cmocka_unit_test(traversal_dot_files_symlinks_and_unknown_types_are_refused),
        cmocka_unit_test(path_rule_is_a_whitelist),
        cmocka_unit_test(without_a_ui_the_gateway_answers_json),
        cmocka_unit_test(a_failed_login_sends_the_browser_to_the_ui_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
