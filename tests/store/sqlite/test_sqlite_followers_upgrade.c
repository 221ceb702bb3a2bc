/*
 * SQLite back end only: a store written by the schema before the followers step upgrades in
 * place, keeps its sessions, and then stores and lists follows like a fresh one. Finds its
 * step by its text, so other steps may come before or after it.
 */
#include "tests/support/sqlite_steps.h"
#include "tests/support/testutil.h"
#include "base/xalloc.h"
#include "store/sqlite_internal.h"
#include "store/store_followers.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void a_store_of_the_previous_schema_upgrades_and_keeps_follows(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    sqlite3 *db = test_sqlite_before_step(path, "CREATE TABLE channel_followers");
    test_sqlite_exec(
        db, "INSERT INTO users(id, login, display_name) VALUES (10, 'mod', 'Mod');"
            "INSERT INTO sessions(id, user_id, active, saved, label, created_at, updated_at)"
            " VALUES (3, 10, 1, 0, '', 1, 1)");
    sqlite3_close(db);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    struct store_session s;
    assert_int_equal(store_session_get(st, 3, &s, err, sizeof err), 0);
    struct store_follow f = {.user_id = 77, .followed_at_ms = 1000};
    snprintf(f.login, sizeof f.login, "seventyseven");
    int added = 0;
    assert_int_equal(store_followers_add(st, 3, 500, 1, &f, 1, 2000, 1, &added, err, sizeof err),
                     0);
    assert_int_equal(added, 1);
    struct store_follow *l = NULL;
    size_t n = 0;
    assert_int_equal(store_followers_list(st, 3, &l, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].login, "seventyseven");
    free(l);
    store_close(st);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_store_of_the_previous_schema_upgrades_and_keeps_follows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
