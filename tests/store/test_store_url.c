/*
 * store_open picks the back end from the URL: "sqlite:PATH" and a bare path (TCA_DB) open the
 * same SQLite file, an unknown scheme or a malformed mysql:// URL is refused before anything
 * is opened, and a URL's password never shows in its printable form.
 */
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sqlite_scheme_and_bare_path_open_the_same_file(void **state)
{
    char *dir = test_tmpdir();
    char *path = xasprintf("%s/store.db", dir);
    char *url = xasprintf("sqlite:%s", path);
    char err[256];
    struct store *st;
    assert_int_equal(store_open(url, &st, err, sizeof err), 0);
    assert_string_equal(store_backend(st), "sqlite");
    struct store_user u = {.id = 5, .login = "five", .display_name = "Five"};
    assert_int_equal(store_user_upsert(st, &u, err, sizeof err), 0);
    store_close(st);
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    struct store_user back;
    assert_int_equal(store_user_get(st, 5, &back, err, sizeof err), 0);
    assert_string_equal(back.login, "five");
    store_close(st);
    free(url);
    free(path);
    free(dir);
}

static void an_in_memory_store_works_for_tests(void **state)
{
    struct store *st;
    char err[256];
    assert_int_equal(store_open(":memory:", &st, err, sizeof err), 0);
    struct store_user u = {.id = 1, .login = "mem", .display_name = "mem"};
    assert_int_equal(store_user_upsert(st, &u, err, sizeof err), 0);
    store_close(st);
}

static void unknown_schemes_and_malformed_mysql_urls_are_refused(void **state)
{
    struct store *st = (struct store *)1;
    char err[256];
    assert_int_equal(store_open("postgres://u:p@h/db", &st, err, sizeof err), TCA_EINVAL);
    assert_null(st);
    assert_int_equal(store_open("", &st, err, sizeof err), TCA_EINVAL);
    assert_int_equal(store_open("mysql://nohost", &st, err, sizeof err), TCA_EINVAL);
    assert_int_equal(store_open("mysql://u:p@h:99999/db", &st, err, sizeof err), TCA_EINVAL);
    assert_int_equal(store_open("mysql://u:p@h/db?ssl=1", &st, err, sizeof err), TCA_EINVAL);
    assert_null(strstr(err, ":p@"));
}

static void an_unreachable_server_is_a_temporary_error_without_the_password(void **state)
{
    struct store *st;
    char err[256];
    int rc = store_open("mysql://tca:s3cret-pw@localhost/tca?socket=/nonexistent/mysqld.sock", &st,
                        err, sizeof err);
    assert_int_equal(rc, TCA_ETEMP);
    assert_null(strstr(err, "s3cret-pw"));
}

static void passwords_are_redacted_from_printable_urls(void **state)
{
    char out[256];
    store_url_redact("mysql://tca:s3cret@db.example:3306/tca", out, sizeof out);
    assert_string_equal(out, "mysql://tca:***@db.example:3306/tca");
    store_url_redact("mysql://tca@localhost/tca?socket=/run/m.sock", out, sizeof out);
    assert_string_equal(out, "mysql://tca@localhost/tca?socket=/run/m.sock");
    store_url_redact("sqlite:/var/lib/tca/tca.db", out, sizeof out);
    assert_string_equal(out, "sqlite:/var/lib/tca/tca.db");
    store_url_redact("tca.db", out, sizeof out);
    assert_string_equal(out, "tca.db");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sqlite_scheme_and_bare_path_open_the_same_file),
        cmocka_unit_test(an_in_memory_store_works_for_tests),
        cmocka_unit_test(unknown_schemes_and_malformed_mysql_urls_are_refused),
        cmocka_unit_test(an_unreachable_server_is_a_temporary_error_without_the_password),
        cmocka_unit_test(passwords_are_redacted_from_printable_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
