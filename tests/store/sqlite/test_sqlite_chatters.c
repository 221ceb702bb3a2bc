/*
 * SQLite back end only: the per-channel chatter history (channel_chatters) that captures
 * maintain, read straight from the database file since store.h does not expose it. Pins down
 * that it holds each chatter a channel has seen once, written when the chatter is first seen
 * there and never touched again, and that a store of the previous schema (with four totals
 * per row) upgrades to the same keys.
 */
#include "tests/support/sqlite_steps.h"
#include "tests/support/testutil.h"
#include "analysis/presence.h"
#include "base/xalloc.h"
#include "store/sqlite_internal.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { USER_A = 10, USER_B = 20, CHANNEL = 500 };

/* Captures ids in the session; returns how many were new to the channel. */
static int64_t capture(struct store *st, int64_t session, const int64_t *ids, size_t n,
                       int64_t taken_at)
{
    char err[256];
    int64_t *open, last_seq;
    size_t n_open;
    assert_int_equal(
        store_presence_open(st, session, CHANNEL, &open, &n_open, &last_seq, err, sizeof err), 0);
    struct chatter_set set;
    chatter_set_init(&set);
    for (size_t i = 0; i < n; i++)
        chatter_set_add(&set, ids[i], "someone");
    chatter_set_sort_unique(&set);
    struct an_presence_diff d;
    an_presence_diff(open, n_open, set.items, set.n, &d);
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = CHANNEL,
                                     .seq = last_seq + 1,
                                     .taken_at_ms = taken_at,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .joined = d.joined,
                                     .n_joined = d.n_joined,
                                     .left = d.left,
                                     .n_left = d.n_left};
    struct store_capture_result r;
    assert_int_equal(store_capture_commit(st, &in, &r, err, sizeof err), 0);
    an_presence_diff_free(&d);
    chatter_set_free(&set);
    free(open);
    return r.new_to_channel;
}

/* The channel's history as "user,user,..." in key order, read from the file. */
static void read_keys(const char *path, char *out, size_t outlen)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT group_concat(user_id) FROM (SELECT user_id FROM"
                                        " channel_chatters WHERE channel_id = ? ORDER BY user_id)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(s, 1, CHANNEL);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(out, outlen, "%s",
             sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static int64_t column_count(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM pragma_table_info('channel_chatters')", -1, &s,
                           NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static void history_holds_each_chatter_once_from_their_first_capture(void **state)
{
    (void)state;
    char err[256], keys[256];
    char *dir = test_tmpdir();
    char *path = xasprintf("%s/store.db", dir);
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    struct store_user a = {.id = USER_A, .login = "a"}, b = {.id = USER_B, .login = "b"};
    struct store_channel c = {.id = CHANNEL, .login = "streamer"};
    int64_t sa, sb;
    assert_int_equal(store_user_upsert(st, &a, err, sizeof err), 0);
    assert_int_equal(store_user_upsert(st, &b, err, sizeof err), 0);
    assert_int_equal(store_channel_upsert(st, &c, err, sizeof err), 0);
    assert_int_equal(store_session_active(st, USER_A, 1, &sa, err, sizeof err), 0);
    assert_int_equal(store_session_active(st, USER_B, 1, &sb, err, sizeof err), 0);
    assert_int_equal(column_count(path), 2); /* the key, nothing else */

    int64_t both[] = {1, 2}, one[] = {1}, three[] = {2, 3};
    assert_int_equal(capture(st, sa, both, 2, 1000), 2);
    read_keys(path, keys, sizeof keys);
    assert_string_equal(keys, "1,2");
    assert_int_equal(capture(st, sa, one, 1, 2000), 0);
    assert_int_equal(capture(st, sa, both, 2, 3000), 0); /* 2 comes back: known */
    read_keys(path, keys, sizeof keys);
    assert_string_equal(keys, "1,2");
    /* Another session on the channel: only 3 is new to it. */
    assert_int_equal(capture(st, sb, three, 2, 4000), 1);
    read_keys(path, keys, sizeof keys);
    assert_string_equal(keys, "1,2,3");

    store_close(st);
    free(path);
    free(dir);
}

static void a_store_with_totals_upgrades_to_the_same_keys(void **state)
{
    (void)state;
    char err[256], keys[256];
    char *dir = test_tmpdir();
    char *path = xasprintf("%s/store.db", dir);
    /* the store just before the step that drops the totals (later steps follow it) */
    sqlite3 *db = test_sqlite_before_step(path, "CREATE TABLE channel_chatters_keys");
    test_sqlite_exec(
        db, "INSERT INTO channel_chatters(channel_id, user_id, first_seen, last_seen,"
            " sessions_seen, captures_seen) VALUES (500, 3, 10, 20, 1, 2), (500, 1, 10, 10, 1, 0),"
            " (501, 2, 30, 40, 2, 5)");
    sqlite3_close(db);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    assert_int_equal(column_count(path), 2);
    read_keys(path, keys, sizeof keys);
    assert_string_equal(keys, "1,3");
    /* the upgraded history goes on: 1 is known, 4 is new */
    struct store_user a = {.id = USER_A, .login = "a"};
    struct store_channel c = {.id = CHANNEL, .login = "streamer"};
    int64_t sa;
    assert_int_equal(store_user_upsert(st, &a, err, sizeof err), 0);
    assert_int_equal(store_channel_upsert(st, &c, err, sizeof err), 0);
    assert_int_equal(store_session_active(st, USER_A, 1, &sa, err, sizeof err), 0);
    assert_int_equal(capture(st, sa, (int64_t[]){1, 4}, 2, 1000), 1);
    read_keys(path, keys, sizeof keys);
    assert_string_equal(keys, "1,3,4");
    store_close(st);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(history_holds_each_chatter_once_from_their_first_capture),
        cmocka_unit_test(a_store_with_totals_upgrades_to_the_same_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
