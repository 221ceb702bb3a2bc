/*
 * SQLite back end only: stays written at their final size. A stay is one row of stays (its
 * span NULL while open), an open stay's name hash is in open_stays, and presence reads as it
 * did (to_seq, name_hash): after captures, after the migration of a store written by the
 * previous schema (which then goes on capturing), in a copy to another store, and after a
 * purge, which leaves no open stay behind.
 */
#include "tests/support/sqlite_steps.h"
#include "tests/support/store_capture.h"
#include "tests/support/testutil.h"
#include "base/xalloc.h"
#include "store/sqlite_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OWNER = 1, CHANNEL = 500, ALICE = 10, BOB = 20, CAROL = 30 };

/* Asserts the session's stays are exactly want ("user:from-to", to 0 while open), in order. */
static void expect_stays(struct store *st, int64_t session, const char *const *want, size_t n)
{
    struct store_stay *stays;
    size_t got;
    char err[256];
    assert_int_equal(store_stay_list(st, session, CHANNEL, &stays, &got, err, sizeof err), 0);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        char line[80];
        snprintf(line, sizeof line, "%lld:%lld-%lld", (long long)stays[i].user_id,
                 (long long)stays[i].from_seq, (long long)stays[i].to_seq);
        assert_string_equal(line, want[i]);
    }
    free(stays);
}

/* Captures ids (logins named after them) as the channel's next capture. */
static void a_stay_is_one_row_and_only_an_open_one_keeps_a_name_hash(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    int64_t session = test_session_of(st, OWNER, CHANNEL);
    test_capture_commit(st, session, CHANNEL, (const int64_t[]){ALICE, BOB}, NULL, 2, 60000);
    test_capture_commit(st, session, CHANNEL, (const int64_t[]){ALICE, BOB, CAROL}, NULL, 3,
                        120000);
    test_capture_commit(st, session, CHANNEL, (const int64_t[]){ALICE, CAROL}, NULL, 2, 180000);
    test_capture_commit(st, session, CHANNEL, (const int64_t[]){ALICE, BOB}, NULL, 2, 240000);
    expect_stays(st, session, (const char *const[]){"10:1-0", "20:1-2", "20:4-0", "30:2-3"}, 4);
    /* span is to_seq - from_seq: Bob's first stay and Carol's, of two captures each, 1 */
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM stays WHERE span IS NULL"), 2);
    assert_int_equal(test_sqlite_count(path, "SELECT SUM(span) FROM stays"), 2);
    assert_int_equal(
        test_sqlite_count(path, "SELECT COUNT(*) FROM open_stays WHERE name_hash <> 0"), 2);
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM presence WHERE to_seq IS NULL"
                                             " AND name_hash <> 0"),
                     2);
    assert_int_equal(test_sqlite_count(path,
                                       "SELECT COUNT(*) FROM presence WHERE to_seq IS NOT NULL"
                                       " AND name_hash = 0"),
                     2);
    assert_int_equal(test_sqlite_count(path, "SELECT to_seq FROM presence WHERE user_id = 30"), 3);
    store_close(st);
    free(path);
    free(dir);
}

static void a_store_of_the_previous_schema_upgrades_and_goes_on_capturing(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    /* the store as it was just before the stays step (later steps follow it): Alice and
     * Bob at capture 1, Carol joins at 2, Bob leaves at 3 */
    sqlite3 *db = test_sqlite_before_step(path, "CREATE TABLE open_stays");
    test_sqlite_exec(
        db, "INSERT INTO users(id, login, display_name) VALUES (1, 'owner', 'Owner');"
            "INSERT INTO channels(id, login, display_name) VALUES (500, 'chan', 'Chan');"
            "INSERT INTO sessions(id, user_id, active, created_at, updated_at)"
            " VALUES (1, 1, 1, 100, 100);"
            "INSERT INTO channel_chatters(channel_id, user_id) VALUES (500, 10), (500, 20),"
            " (500, 30);"
            "INSERT INTO captures(session_id, channel_id, seq, taken_at, chatter_count, joined,"
            " \"left\", new_to_channel, pages, duration_ms) VALUES"
            " (1, 500, 1, 60000, 2, 2, 0, 2, 1, 0), (1, 500, 2, 120000, 3, 1, 0, 1, 1, 0),"
            " (1, 500, 3, 180000, 2, 0, 1, 0, 1, 0);"
            "INSERT INTO presence(session_id, user_id, channel_id, from_seq, to_seq, name_hash)"
            " VALUES (1, 10, 500, 1, NULL, 77), (1, 20, 500, 1, 2, 0),"
            " (1, 30, 500, 2, NULL, 78)");
    sqlite3_close(db);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    expect_stays(st, 1, (const char *const[]){"10:1-0", "20:1-2", "30:2-0"}, 3);
    int64_t *open, *hashes, last_seq;
    size_t n_open;
    assert_int_equal(store_presence_open_named(st, 1, CHANNEL, &open, &hashes, &n_open, &last_seq,
                                               err, sizeof err),
                     0);
    assert_int_equal(n_open, 2);
    assert_int_equal(last_seq, 3);
    assert_int_equal(open[0], ALICE);
    assert_int_equal(hashes[0], 77);
    assert_int_equal(open[1], CAROL);
    assert_int_equal(hashes[1], 78);
    free(open);
    free(hashes);
    assert_int_equal(test_sqlite_count(path, "SELECT SUM(name_hash) FROM presence"), 155);
    assert_int_equal(test_sqlite_count(path, "SELECT span FROM stays WHERE user_id = 20"), 1);
    /* the upgraded stays go on: Carol leaves, Bob comes back */
    test_capture_commit(st, 1, CHANNEL, (const int64_t[]){ALICE, BOB}, NULL, 2, 240000);
    expect_stays(st, 1, (const char *const[]){"10:1-0", "20:1-2", "20:4-0", "30:2-3"}, 4);
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM open_stays"), 2);
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM open_stays WHERE user_id = 30"),
                     0);
    store_close(st);
    free(path);
    free(dir);
}

static void a_copy_to_another_store_carries_the_stays_and_their_name_hashes(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), err[256];
    char *from_path = xasprintf("%s/from.db", dir), *to_path = xasprintf("%s/to.db", dir);
    struct store *from, *to;
    assert_int_equal(store_open(from_path, &from, err, sizeof err), 0);
    int64_t session = test_session_of(from, OWNER, CHANNEL);
    test_capture_commit(from, session, CHANNEL, (const int64_t[]){ALICE, BOB}, NULL, 2, 60000);
    test_capture_commit(from, session, CHANNEL, (const int64_t[]){ALICE, CAROL}, NULL, 2, 120000);
    assert_int_equal(store_open(to_path, &to, err, sizeof err), 0);
    struct store_copy_report rep;
    assert_int_equal(store_copy(from, to, &rep, err, sizeof err), 0);
    for (size_t i = 0; i < rep.n; i++) {
        assert_true(rep.tables[i].rows_from == rep.tables[i].rows_to);
        assert_string_equal(rep.tables[i].sum_from, rep.tables[i].sum_to);
    }
    expect_stays(to, session, (const char *const[]){"10:1-0", "20:1-1", "30:2-0"}, 3);
    assert_int_equal(
        test_sqlite_count(to_path, "SELECT COUNT(*) FROM open_stays WHERE name_hash <> 0"), 2);
    /* the copy goes on capturing where the original stopped */
    test_capture_commit(to, session, CHANNEL, (const int64_t[]){CAROL}, NULL, 1, 180000);
    expect_stays(to, session, (const char *const[]){"10:1-2", "20:1-1", "30:2-0"}, 3);
    store_close(from);
    store_close(to);
    free(from_path);
    free(to_path);
    free(dir);
}

static void purging_a_session_leaves_no_stay_open_or_closed(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    int64_t session = test_session_of(st, OWNER, CHANNEL);
    test_capture_commit(st, session, CHANNEL, (const int64_t[]){ALICE, BOB}, NULL, 2, 60000);
    test_capture_commit(st, session, CHANNEL, (const int64_t[]){ALICE}, NULL, 1, 120000);
    assert_int_equal(store_session_purge(st, session, 300000, err, sizeof err), 0);
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM stays"), 0);
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM open_stays"), 0);
    store_close(st);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_stay_is_one_row_and_only_an_open_one_keeps_a_name_hash),
        cmocka_unit_test(a_store_of_the_previous_schema_upgrades_and_goes_on_capturing),
        cmocka_unit_test(a_copy_to_another_store_carries_the_stays_and_their_name_hashes),
        cmocka_unit_test(purging_a_session_leaves_no_stay_open_or_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
