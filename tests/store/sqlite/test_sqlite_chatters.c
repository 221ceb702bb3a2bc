/*
 * SQLite back end only: the per-channel chatter history (channel_chatters) that captures
 * maintain, read straight from the database file since store.h does not expose it. Pins down
 * that it changes only when a stay opens or closes, by the stay's length.
 */
#include "tests/support/testutil.h"
#include "analysis/presence.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { USER_A = 10, USER_B = 20, CHANNEL = 500 };

struct history {
    int64_t first_seen, last_seen, sessions_seen, captures_seen;
};

static void capture(struct store *st, int64_t session, const int64_t *ids, size_t n,
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
}

static struct history read_history(const char *path, int64_t user_id)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT first_seen, last_seen, sessions_seen,"
                                        " captures_seen FROM channel_chatters"
                                        " WHERE channel_id = ? AND user_id = ?",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(s, 1, CHANNEL);
    sqlite3_bind_int64(s, 2, user_id);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    struct history h = {sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                        sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)};
    sqlite3_finalize(s);
    sqlite3_close(db);
    return h;
}

static void history_moves_only_when_stays_open_or_close(void **state)
{
    char err[256];
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

    int64_t both[] = {1, 2}, one[] = {1}, two[] = {2};
    capture(st, sa, both, 2, 1000);
    capture(st, sa, one, 1, 2000);
    capture(st, sa, both, 2, 3000);
    /* Chatter 1 has stayed three captures; nothing is credited while the stay is open. */
    struct history h1 = read_history(path, 1);
    assert_int_equal(h1.first_seen, 1000);
    assert_int_equal(h1.last_seen, 1000);
    assert_int_equal(h1.captures_seen, 0);
    struct history h2 = read_history(path, 2);
    assert_int_equal(h2.captures_seen, 1); /* the closed stay at capture 1 */
    assert_int_equal(h2.last_seen, 3000);  /* rejoined */
    assert_int_equal(h2.sessions_seen, 1); /* coming back within a session is not a session */

    capture(st, sa, NULL, 0, 4000);
    h1 = read_history(path, 1);
    assert_int_equal(h1.captures_seen, 3);
    assert_int_equal(h1.last_seen, 3000); /* the last capture they were present in */
    h2 = read_history(path, 2);
    assert_int_equal(h2.captures_seen, 2);

    /* Another session on the channel counts as a new session, once. */
    capture(st, sb, two, 1, 5000);
    h2 = read_history(path, 2);
    assert_int_equal(h2.sessions_seen, 2);
    assert_int_equal(h2.last_seen, 5000);
    capture(st, sa, two, 1, 6000);
    h2 = read_history(path, 2);
    assert_int_equal(h2.sessions_seen, 2);
    assert_int_equal(h2.first_seen, 1000);

    store_close(st);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(history_moves_only_when_stays_open_or_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
