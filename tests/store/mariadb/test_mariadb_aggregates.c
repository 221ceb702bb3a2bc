/*
 * MariaDB back end only: the aggregates a capture keeps (captures.new_to_owner,
 * captures.first_stays). A database written by the schema before the aggregates step upgrades
 * with its captures marked as having none (-1), the statistics' series still recomputed right
 * from the stays, and the captures made after the upgrade keep theirs; one written before the
 * first stays step gets them counted from its stays. Needs TCA_TEST_MYSQL (skipped without a
 * server); the equality with the recomputation on random sessions is
 * tests/report/test_series_aggregates.c's, on both back ends.
 */
#include "tests/support/aggregates_upgrade.h"
#include "tests/support/mariadb_steps.h"
#include "tests/support/store_backend.h"

#include <stdlib.h>

enum { USER = 10, CHANNEL = 500, SESSION = 1 };

static void a_database_of_the_previous_schema_upgrades_and_recomputes_its_old_captures(void **state)
{
    char *url = *state, err[256];
    MYSQL *db = test_mariadb_before_step(url, "ADD COLUMN IF NOT EXISTS new_to_owner");
    /* two captures: 10 and 20, then 20 and 30 (30 new, 10 left) */
    test_mariadb_exec(db, "INSERT INTO users(id, login, display_name) VALUES (10, 'mod', 'Mod')");
    test_mariadb_exec(db, "INSERT INTO channels(id, login, display_name)"
                          " VALUES (500, 'alpha', 'Alpha')");
    test_mariadb_exec(db, "INSERT INTO sessions(id, user_id, active, created_at, updated_at)"
                          " VALUES (1, 10, 1, 1000, 1000)");
    test_mariadb_exec(db, "INSERT INTO captures(session_id, channel_id, seq, taken_at,"
                          " chatter_count, joined, `left`, new_to_channel, pages, duration_ms)"
                          " VALUES (1, 500, 1, 60000, 2, 2, 0, 2, 1, 0),"
                          " (1, 500, 2, 120000, 2, 1, 1, 1, 1, 0)");
    test_mariadb_exec(db, "INSERT INTO presence(session_id, user_id, channel_id, from_seq, to_seq)"
                          " VALUES (1, 10, 500, 1, 1), (1, 20, 500, 1, NULL),"
                          " (1, 30, 500, 2, NULL)");
    test_mariadb_exec(db, "INSERT INTO channel_chatters(channel_id, user_id)"
                          " VALUES (500, 10), (500, 20), (500, 30)");
    mysql_close(db);

    struct store *st;
    assert_int_equal(store_open(url, &st, err, sizeof err), 0);
    test_aggregates_upgraded(st, USER, SESSION, CHANNEL);
    store_close(st);
}

static void a_database_before_the_first_stays_step_counts_them_from_its_stays(void **state)
{
    char *url = *state, err[256];
    MYSQL *db = test_mariadb_before_step(url, "ADD COLUMN IF NOT EXISTS first_stays");
    test_mariadb_exec(db, "INSERT INTO users(id, login, display_name) VALUES (1, 'mod', 'Mod')");
    test_mariadb_exec(db, "INSERT INTO channels(id, login, display_name)"
                          " VALUES (500, 'alpha', 'Alpha'), (600, 'beta', 'Beta')");
    test_mariadb_exec(db, "INSERT INTO sessions(id, user_id, active, created_at, updated_at)"
                          " VALUES (1, 1, 1, 1000, 1000), (2, 1, 0, 500, 500)");
    test_mariadb_exec(db,
                      "INSERT INTO captures(session_id, channel_id, seq, taken_at,"
                      " chatter_count, joined, `left`, new_to_channel, pages, duration_ms)"
                      " VALUES (1, 500, 1, 60000, 2, 2, 0, 2, 1, 0),"
                      " (1, 500, 2, 120000, 2, 1, 1, 1, 1, 0),"
                      " (1, 500, 3, 180000, 2, 1, 1, 0, 1, 0),"
                      " (1, 600, 1, 60001, 1, 1, 0, 1, 1, 0),"
                      " (2, 500, 1, 1000, 1, 1, 0, 1, 1, 0), (2, 500, 2, 2000, 2, 1, 0, 1, 1, 0)");
    test_mariadb_exec(db, "INSERT INTO presence(session_id, user_id, channel_id, from_seq, to_seq)"
                          " VALUES (1, 10, 500, 1, 1), (1, 20, 500, 1, 2), (1, 30, 500, 2, NULL),"
                          " (1, 10, 500, 3, NULL), (1, 10, 600, 1, NULL),"
                          " (2, 40, 500, 1, NULL), (2, 50, 500, 2, NULL)");
    test_mariadb_exec(db, "INSERT INTO channel_chatters(channel_id, user_id) VALUES (500, 10),"
                          " (500, 20), (500, 30), (600, 10), (500, 40), (500, 50)");
    mysql_close(db);

    struct store *st;
    assert_int_equal(store_open(url, &st, err, sizeof err), 0);
    test_first_stays_upgraded(st);
    store_close(st);
}

int main(void)
{
    if (!test_store_mariadb_available())
        return 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_database_of_the_previous_schema_upgrades_and_recomputes_its_old_captures,
            test_store_mariadb_fresh, test_store_mariadb_drop),
        cmocka_unit_test_setup_teardown(
            a_database_before_the_first_stays_step_counts_them_from_its_stays,
            test_store_mariadb_fresh, test_store_mariadb_drop),
    };
    return cmocka_run_group_tests_name("mariadb aggregates", tests, NULL, NULL);
}
