/*
 * The MariaDB back end after its connection is killed by the server: a read is run again on
 * a fresh connection without the caller seeing anything; a write whose fate is unknown, or a
 * transaction cut short, is reported as temporary (TCA_ETEMP) and nothing half-done stays;
 * the next operation works. Needs TCA_TEST_MYSQL (skipped without a server).
 */
#include "tests/support/store_backend.h"
#include "base/err.h"
#include "store/mariadb_internal.h"

#include <stdio.h>
#include <stdlib.h>

static void kill_connection(struct store *st)
{
    char sql[64];
    snprintf(sql, sizeof sql, "KILL CONNECTION %lu", mysql_thread_id(my_conn(st)->db));
    test_store_server_exec(sql);
}

static void a_read_survives_a_killed_connection(void **state)
{
    char *url = state ? *state : NULL, err[256];
    struct store *st;
    assert_int_equal(store_open(url, &st, err, sizeof err), 0);
    struct store_user u = {.id = 3, .login = "three", .display_name = "Three"}, back;
    assert_int_equal(store_user_upsert(st, &u, err, sizeof err), 0);
    kill_connection(st);
    assert_int_equal(store_user_get(st, 3, &back, err, sizeof err), 0);
    assert_string_equal(back.login, "three");
    store_close(st);
}

static void a_write_after_a_kill_is_temporary_or_done_and_the_next_one_works(void **state)
{
    char *url = *state, err[256];
    struct store *st;
    assert_int_equal(store_open(url, &st, err, sizeof err), 0);
    kill_connection(st);
    struct store_channel c = {.id = 44, .login = "chan", .display_name = "Chan"};
    int rc = store_channel_upsert(st, &c, err, sizeof err);
    assert_true(rc == 0 || rc == TCA_ETEMP);
    assert_int_equal(store_channel_upsert(st, &c, err, sizeof err), 0);
    struct store_channel back;
    assert_int_equal(store_channel_get(st, 44, &back, err, sizeof err), 0);
    store_close(st);
}

static void a_transaction_cut_short_is_temporary_and_leaves_nothing(void **state)
{
    char *url = *state, err[256];
    struct store *st;
    assert_int_equal(store_open(url, &st, err, sizeof err), 0);
    struct store_user u = {.id = 5, .login = "five", .display_name = "Five"};
    assert_int_equal(my_begin(st, err, sizeof err), 0);
    assert_int_equal(my_user_upsert(st, &u, err, sizeof err), 0);
    kill_connection(st);
    struct store_channel c = {.id = 55, .login = "c55", .display_name = "C55"};
    assert_int_equal(my_channel_upsert(st, &c, err, sizeof err), TCA_ETEMP);
    my_rollback(st);
    struct store_user back;
    assert_int_equal(store_user_get(st, 5, &back, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_user_upsert(st, &u, err, sizeof err), 0);
    assert_int_equal(store_user_get(st, 5, &back, err, sizeof err), 0);
    store_close(st);
}

int main(void)
{
    if (!test_store_mariadb_available())
        return 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_read_survives_a_killed_connection,
                                        test_store_mariadb_fresh, test_store_mariadb_drop),
        cmocka_unit_test_setup_teardown(
            a_write_after_a_kill_is_temporary_or_done_and_the_next_one_works,
            test_store_mariadb_fresh, test_store_mariadb_drop),
        cmocka_unit_test_setup_teardown(a_transaction_cut_short_is_temporary_and_leaves_nothing,
                                        test_store_mariadb_fresh, test_store_mariadb_drop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
