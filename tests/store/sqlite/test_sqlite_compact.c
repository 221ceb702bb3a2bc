/*
 * SQLite back end only: the compact profile rows. A chatter with one name keeps no name
 * history row (twitch_users.named_at dates that name), closed stays keep no name hash, and
 * neither changes an answer: name histories read the same through store.h, before and after
 * a rename, after the migration of a store written by the previous schema, and in a copy to
 * another store. Display names are kept as a login is kept as NULL when it is the display name
 * in lower case (twitch_profiles behind the twitch_users view): both read back byte for byte.
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

/* Asserts user_id's history is exactly the names "login@seen_at" given, in order. */
static void expect_history(struct store *st, int64_t user_id, const char *const *want, size_t n)
{
    struct store_name *names;
    size_t got;
    char err[256];
    assert_int_equal(store_name_history(st, user_id, &names, &got, err, sizeof err), 0);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        char line[200];
        snprintf(line, sizeof line, "%s/%s@%lld", names[i].login, names[i].display_name,
                 (long long)names[i].seen_at_ms);
        assert_string_equal(line, want[i]);
    }
    free(names);
}

static void put(struct store *st, int64_t id, const char *login, int64_t at, int want_renames)
{
    struct store_profile p = {.id = id, .created_at_ms = 1000, .enriched_at_ms = at};
    snprintf(p.login, sizeof p.login, "%s", login);
    snprintf(p.display_name, sizeof p.display_name, "%s", login);
    p.display_name[0] = (char)(p.display_name[0] - 'a' + 'A');
    int renames = -1;
    char err[256];
    assert_int_equal(store_profile_put(st, &p, 1, &renames, err, sizeof err), 0);
    assert_int_equal(renames, want_renames);
}

static void a_single_name_is_no_row_until_a_rename_writes_the_history(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    put(st, ALICE, "alice", 5000, 0);
    put(st, ALICE, "alice", 6000, 0); /* enriched again, same name: no rename */
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM twitch_user_names"), 0);
    expect_history(st, ALICE, (const char *const[]){"alice/Alice@5000"}, 1);

    put(st, ALICE, "alicia", 7000, 1);
    expect_history(st, ALICE, (const char *const[]){"alice/Alice@5000", "alicia/Alicia@7000"}, 2);
    assert_int_equal(
        test_sqlite_count(path, "SELECT COUNT(*) FROM twitch_users WHERE named_at IS NOT NULL"), 0);
    put(st, ALICE, "alice", 8000, 1); /* back to the first name: a rename again */
    expect_history(
        st, ALICE,
        (const char *const[]){"alice/Alice@5000", "alicia/Alicia@7000", "alice/Alice@8000"}, 3);
    store_close(st);
    free(path);
    free(dir);
}

static void a_rename_seen_by_a_capture_keeps_the_first_name_and_its_date(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    int64_t session = test_session_of(st, OWNER, CHANNEL);
    int64_t ids[] = {ALICE, BOB};
    test_capture_commit(st, session, CHANNEL, ids, (const char *const[]){"alice", "bob"}, 2, 60000);
    put(st, ALICE, "alice", 61000, 0);
    put(st, BOB, "bob", 61000, 0);
    test_capture_commit(st, session, CHANNEL, ids, (const char *const[]){"alice", "bobby"}, 2,
                        120000);
    expect_history(st, ALICE, (const char *const[]){"alice/Alice@61000"}, 1);
    expect_history(st, BOB, (const char *const[]){"bob/Bob@61000", "bobby/bobby@120000"}, 2);
    /* Bob's stay is open: its hash is the new name's; closing it clears the hash. */
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM presence WHERE name_hash <> 0"),
                     2);
    test_capture_commit(st, session, CHANNEL, (const int64_t[]){ALICE},
                        (const char *const[]){"alice"}, 1, 180000);
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM presence WHERE name_hash <> 0"),
                     1);
    assert_int_equal(test_sqlite_count(path, "SELECT name_hash FROM presence WHERE user_id = 20"),
                     0);
    store_close(st);
    free(path);
    free(dir);
}

static void a_store_of_the_previous_schema_upgrades_with_the_same_histories(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    /* the store as it was just before the compact-profiles step (later steps follow it) */
    sqlite3 *db = test_sqlite_before_step(path, "ADD COLUMN named_at");
    /* Alice: one name; Bob: renamed once; Carol: one row that is not her profile's name
     * (kept as a row: only a history equal to the profile is implied). */
    test_sqlite_exec(
        db, "INSERT INTO twitch_users(id, login, display_name, enriched_at) VALUES"
            " (10, 'alice', 'Alice', 500), (20, 'bobby', 'Bobby', 500), (30, 'carol', 'Carol', 0);"
            "INSERT INTO twitch_user_names(user_id, login, display_name, seen_at) VALUES"
            " (10, 'alice', 'Alice', 400), (20, 'bob', 'Bob', 400), (20, 'bobby', 'Bobby', 450),"
            " (30, 'caro', 'Caro', 300);"
            "INSERT INTO presence(session_id, user_id, channel_id, from_seq, to_seq, name_hash)"
            " VALUES (1, 10, 500, 1, 3, 77), (1, 10, 500, 5, NULL, 78), (1, 20, 500, 1, 2, 79)");
    sqlite3_close(db);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    expect_history(st, ALICE, (const char *const[]){"alice/Alice@400"}, 1);
    expect_history(st, BOB, (const char *const[]){"bob/Bob@400", "bobby/Bobby@450"}, 2);
    expect_history(st, CAROL, (const char *const[]){"caro/Caro@300"}, 1);
    assert_int_equal(test_sqlite_count(path, "SELECT COUNT(*) FROM twitch_user_names"), 3);
    assert_int_equal(test_sqlite_count(path, "SELECT named_at FROM twitch_users WHERE id = 10"),
                     400);
    assert_int_equal(test_sqlite_count(path, "SELECT SUM(name_hash) FROM presence"), 78);
    /* the upgraded history goes on as before: a rename after the implied name */
    put(st, ALICE, "alicia", 900, 1);
    expect_history(st, ALICE, (const char *const[]){"alice/Alice@400", "alicia/Alicia@900"}, 2);
    store_close(st);
    free(path);
    free(dir);
}

static void a_copy_to_another_store_carries_the_implied_names(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), err[256];
    char *from_path = xasprintf("%s/from.db", dir), *to_path = xasprintf("%s/to.db", dir);
    struct store *from, *to;
    assert_int_equal(store_open(from_path, &from, err, sizeof err), 0);
    put(from, ALICE, "alice", 5000, 0);
    put(from, BOB, "bob", 5000, 0);
    put(from, BOB, "bobby", 6000, 1);
    assert_int_equal(store_open(to_path, &to, err, sizeof err), 0);
    struct store_copy_report rep;
    assert_int_equal(store_copy(from, to, &rep, err, sizeof err), 0);
    for (size_t i = 0; i < rep.n; i++) {
        assert_true(rep.tables[i].rows_from == rep.tables[i].rows_to);
        assert_string_equal(rep.tables[i].sum_from, rep.tables[i].sum_to);
    }
    expect_history(to, ALICE, (const char *const[]){"alice/Alice@5000"}, 1);
    expect_history(to, BOB, (const char *const[]){"bob/Bob@5000", "bobby/Bobby@6000"}, 2);
    store_close(from);
    store_close(to);
    free(from_path);
    free(to_path);
    free(dir);
}

/* Asserts the session's name rows are exactly want ("id:login@seen_at"), in order. */
static void expect_names(struct store *st, int64_t session, const char *const *want, size_t n)
{
    struct store_name_row *rows;
    size_t got;
    char err[256];
    assert_int_equal(store_session_names(st, session, &rows, &got, err, sizeof err), 0);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        char line[100];
        snprintf(line, sizeof line, "%lld:%s@%lld", (long long)rows[i].user_id, rows[i].login,
                 (long long)rows[i].seen_at_ms);
        assert_string_equal(line, want[i]);
    }
    free(rows);
}

static void session_names_are_the_same_read_from_the_names_or_from_the_stays(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    int64_t big = test_session_of(st, OWNER, CHANNEL);
    int64_t ids[10];
    const char *logins[10];
    char names[10][16];
    for (int i = 0; i < 10; i++) {
        ids[i] = 10 * (i + 1); /* ALICE, BOB, CAROL, ... */
        snprintf(names[i], sizeof names[i], "user%c", 'a' + i);
        logins[i] = names[i];
    }
    test_capture_commit(st, big, CHANNEL, ids, logins, 10, 60000);
    for (int i = 0; i < 10; i++)
        put(st, ids[i], names[i], 61000, 0);
    put(st, BOB, "bobby", 62000, 1);
    put(st, CAROL, "caro", 63000, 1);
    int64_t small;
    assert_int_equal(store_session_deactivate(st, OWNER, 70000, err, sizeof err), 0);
    assert_int_equal(store_session_active(st, OWNER, 70000, &small, err, sizeof err), 0);
    test_capture_commit(st, small, CHANNEL, (const int64_t[]){BOB}, (const char *const[]){"bobby"},
                        1, 80000);
    /* 4 history rows: fewer than the big session's 10 stays (read from the names), more
     * than the small one's single stay (read from its stays) */
    expect_names(st, big,
                 (const char *const[]){"20:userb@61000", "20:bobby@62000", "30:userc@61000",
                                       "30:caro@63000"},
                 4);
    expect_names(st, small, (const char *const[]){"20:userb@61000", "20:bobby@62000"}, 2);
    store_close(st);
    free(path);
    free(dir);
}

/* The rows of the twitch_users view (or table, before the compact step) as one string. */
static void dump_profiles(sqlite3 *db, char *out, size_t outlen)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT group_concat(id || '|' || login || '|' ||"
                                        " display_name || '|' || created_at || '|' || type || '|'"
                                        " || broadcaster_type || '|' || enriched_at || '|' ||"
                                        " COALESCE(named_at, 'null'), ';') FROM"
                                        " (SELECT * FROM twitch_users ORDER BY id)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
}

static void logins_and_display_names_read_back_exactly_whatever_their_case(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    /* login, display name, how twitch_profiles keeps the login */
    static const char *const cases[][3] = {
        {"plain", "plain", "null"},
        {"first", "First", "null"},
        {"camelcase", "CamelCase", "null"},
        {"all_caps_42", "ALL_CAPS_42", "null"},
        {"abcdefghijklmnopqrstuvwxy", "ABCDEFGHIJKLMNOPQRSTUVWXY", "null"},
        {"upper", "upper", "null"},
        {"MixedLogin", "MixedLogin", "text"},
        {"other", "Someone", "text"},
        {"longer", "longer2", "text"},
        {"kanji", "\xe6\xbc\xa2\xe5\xad\x97", "text"},
        {"x1", "x1 ", "text"},
    };
    enum { N = sizeof cases / sizeof *cases };
    struct store_profile p[N];
    memset(p, 0, sizeof p);
    for (int i = 0; i < N; i++) {
        p[i].id = 100 + i;
        snprintf(p[i].login, sizeof p[i].login, "%s", cases[i][0]);
        snprintf(p[i].display_name, sizeof p[i].display_name, "%s", cases[i][1]);
        p[i].created_at_ms = 1234567;
        p[i].enriched_at_ms = 5000;
    }
    int renames;
    assert_int_equal(store_profile_put(st, p, N, &renames, err, sizeof err), 0);
    assert_int_equal(renames, 0);
    for (int i = 0; i < N; i++) {
        struct store_profile got;
        assert_int_equal(store_profile_get(st, 100 + i, &got, err, sizeof err), 0);
        assert_string_equal(got.login, cases[i][0]);
        assert_string_equal(got.display_name, cases[i][1]);
        assert_int_equal(got.created_at_ms, 1234567);
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT typeof(login) = '%s' FROM twitch_profiles WHERE id = %d",
                 cases[i][2], 100 + i);
        assert_int_equal(test_sqlite_count(path, sql), 1);
        char want[64];
        snprintf(want, sizeof want, "%s/%s@5000", cases[i][0], cases[i][1]);
        expect_history(st, 100 + i, (const char *const[]){want}, 1);
    }
    /* a row inserted into the view by any SQLite client reads back the same */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    test_sqlite_exec(db, "INSERT INTO twitch_users(id, login, display_name, created_at) VALUES"
                         " (200, 'viewer', 'Viewer', 77), (201, 'mixed', 'MiXeD', 0)");
    char rows[2048];
    dump_profiles(db, rows, sizeof rows);
    assert_non_null(strstr(rows, "200|viewer|Viewer|77|||0|null;201|mixed|MiXeD|0|||0|null"));
    sqlite3_close(db);
    store_close(st);
    free(path);
    free(dir);
}

static void a_store_before_compact_profiles_upgrades_with_the_same_rows(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    sqlite3 *db = test_sqlite_before_step(path, "CREATE TABLE twitch_profiles");
    test_sqlite_exec(db, "INSERT INTO twitch_users(id, login, display_name, created_at, type,"
                         " broadcaster_type, enriched_at, named_at) VALUES"
                         " (10, 'alice', 'Alice', 1000, '', '', 500, 500),"
                         " (20, 'bob', 'bob', 2000, 'staff', 'partner', 600, NULL),"
                         " (30, 'carol', 'CaRoL', 0, '', '', 0, NULL),"
                         " (40, 'dave', 'Davy', 3000, '', 'affiliate', 700, 650),"
                         " (50, 'eve', 'eve', 4000, '', '', 800, 800)");
    char before[1024], after[1024];
    dump_profiles(db, before, sizeof before);
    sqlite3_close(db);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    dump_profiles(db, after, sizeof after);
    sqlite3_close(db);
    assert_string_equal(after, before);
    assert_int_equal(
        test_sqlite_count(path, "SELECT COUNT(*) FROM twitch_profiles WHERE login IS NULL"), 4);
    assert_int_equal(
        test_sqlite_count(path, "SELECT COUNT(*) FROM twitch_profiles WHERE named_at = 0"), 2);
    expect_history(st, ALICE, (const char *const[]){"alice/Alice@500"}, 1);
    /* enriched again with the same name: the name keeps the date it was first seen */
    put(st, ALICE, "alice", 900, 0);
    expect_history(st, ALICE, (const char *const[]){"alice/Alice@500"}, 1);
    put(st, ALICE, "alicia", 950, 1);
    expect_history(st, ALICE, (const char *const[]){"alice/Alice@500", "alicia/Alicia@950"}, 2);
    store_close(st);
    free(path);
    free(dir);
}

static void profile_times_read_back_exactly_whole_seconds_or_not(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    /* creation time, enrichment time, how twitch_profiles keeps the creation time */
    static const int64_t cases[][3] = {
        {1450000000000LL, 1700000000000LL, -1450000000LL}, /* whole seconds, as Twitch gives */
        {1450000000123LL, 1700000000001LL, 1450000000123LL},
        {0, 5000, 0},
        {-86400000LL, 1, -86400000LL - (1LL << 62)}, /* 1969: shifted, never read as seconds */
        {-1, 999, -1 - (1LL << 62)},
        {1000, 1000, -1},
    };
    enum { N = sizeof cases / sizeof *cases };
    for (int i = 0; i < N; i++) {
        struct store_profile p = {
            .id = 300 + i, .created_at_ms = cases[i][0], .enriched_at_ms = cases[i][1]};
        snprintf(p.login, sizeof p.login, "user%d", i);
        snprintf(p.display_name, sizeof p.display_name, "User%d", i);
        int renames;
        assert_int_equal(store_profile_put(st, &p, 1, &renames, err, sizeof err), 0);
        struct store_profile got;
        assert_int_equal(store_profile_get(st, 300 + i, &got, err, sizeof err), 0);
        assert_int_equal(got.created_at_ms, cases[i][0]);
        assert_int_equal(got.enriched_at_ms, cases[i][1]);
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT created_at FROM twitch_profiles WHERE id = %d", 300 + i);
        assert_int_equal(test_sqlite_count(path, sql), cases[i][2]);
        if (cases[i][1] > 0) { /* one name, dated by the enrichment */
            char want[64];
            snprintf(want, sizeof want, "user%d/User%d@%lld", i, i, (long long)cases[i][1]);
            expect_history(st, 300 + i, (const char *const[]){want}, 1);
        }
    }
    /* enriched again later: the name keeps its first date, whole seconds or not */
    put(st, 301, "user1", 1800000000000LL, 0);
    expect_history(st, 301, (const char *const[]){"user1/User1@1700000000001"}, 1);
    put(st, 300, "user0", 1800000000007LL, 0);
    expect_history(st, 300, (const char *const[]){"user0/User0@1700000000000"}, 1);
    /* the step run a second time (a store that ran it under another number) changes nothing */
    int step = 0;
    while (step < sq_schema_steps() && !strstr(sq_schema_step(step), "4611686018427387904"))
        step++;
    assert_true(step < sq_schema_steps());
    struct store_profile before[N], after;
    for (int i = 0; i < N; i++)
        assert_int_equal(store_profile_get(st, 300 + i, &before[i], err, sizeof err), 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    test_sqlite_exec(db, sq_schema_step(step));
    sqlite3_close(db);
    for (int i = 0; i < N; i++) {
        assert_int_equal(store_profile_get(st, 300 + i, &after, err, sizeof err), 0);
        assert_int_equal(after.created_at_ms, before[i].created_at_ms);
        assert_int_equal(after.enriched_at_ms, before[i].enriched_at_ms);
    }
    expect_history(st, 300, (const char *const[]){"user0/User0@1700000000000"}, 1);
    store_close(st);
    free(path);
    free(dir);
}

/* What the session's profiles read straight from twitch_profiles (decoded in C) must be what
 * the twitch_users view gives, cut to the struct's sizes: every login and time encoding, a
 * login longer than the struct holds, a non-ASCII display name and a chatter with no row. */
static void session_profiles_decode_the_compact_rows_as_the_view_does(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    int64_t session = test_session_of(st, OWNER, CHANNEL);
    static const char *const names[][2] = {
        {"plain", "plain"},
        {"first", "First"},
        {"mixedlogin", "MixedLogin"},
        {"other", "Someone"},
        {"kanji", "\xe6\xbc\xa2\xe5\xad\x97"},
        {"x1", "x1 "},
    };
    static const int64_t times[] = {1450000000000LL, 1450000000123LL, 0, -86400000LL, -1, 1000};
    enum { N = sizeof names / sizeof *names, ROWS = N + 2 };
    int64_t ids[ROWS];
    const char *logins[ROWS];
    for (int i = 0; i < ROWS; i++) {
        ids[i] = 700 + i;
        logins[i] = i < N ? names[i][0] : "placeholder";
    }
    test_capture_commit(st, session, CHANNEL, ids, logins, ROWS, 1000);
    for (int i = 0; i < N; i++) {
        struct store_profile p = {.id = 700 + i, .created_at_ms = times[i], .enriched_at_ms = 9};
        snprintf(p.login, sizeof p.login, "%s", names[i][0]);
        snprintf(p.display_name, sizeof p.display_name, "%s", names[i][1]);
        int renames;
        assert_int_equal(store_profile_put(st, &p, 1, &renames, err, sizeof err), 0);
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    test_sqlite_exec(db, "UPDATE twitch_profiles SET login = NULL, display_name ="
                         " 'A_Very_Long_Display_Name_Of_Forty_Chars!' WHERE id = 706");
    test_sqlite_exec(db, "DELETE FROM twitch_profiles WHERE id = 707");
    struct store_chatter_profile *p;
    size_t n;
    assert_int_equal(store_session_profiles(st, session, 0, &p, &n, err, sizeof err), 0);
    assert_int_equal(n, ROWS);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT c.id, COALESCE(substr(u.login, 1, 31), ''),"
                                        " COALESCE(u.display_name, ''), COALESCE(u.created_at, 0)"
                                        " FROM (SELECT ?1 AS id) c LEFT JOIN twitch_users u"
                                        " ON u.id = c.id",
                                        -1, &s, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(s, 1, p[i].user_id);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_int_equal(p[i].user_id, ids[i]);
        assert_string_equal(p[i].login, (const char *)sqlite3_column_text(s, 1));
        assert_string_equal(p[i].display_name, (const char *)sqlite3_column_text(s, 2));
        assert_int_equal(p[i].created_at_ms, sqlite3_column_int64(s, 3));
        sqlite3_reset(s);
    }
    assert_string_equal(p[6].login, "a_very_long_display_name_of_for");
    assert_string_equal(p[7].login, "");
    assert_int_equal(p[3].created_at_ms, -86400000LL);
    sqlite3_finalize(s);
    sqlite3_close(db);
    free(p);
    store_close(st);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_single_name_is_no_row_until_a_rename_writes_the_history),
        cmocka_unit_test(a_rename_seen_by_a_capture_keeps_the_first_name_and_its_date),
        cmocka_unit_test(a_store_of_the_previous_schema_upgrades_with_the_same_histories),
        cmocka_unit_test(a_copy_to_another_store_carries_the_implied_names),
        cmocka_unit_test(session_names_are_the_same_read_from_the_names_or_from_the_stays),
        cmocka_unit_test(logins_and_display_names_read_back_exactly_whatever_their_case),
        cmocka_unit_test(a_store_before_compact_profiles_upgrades_with_the_same_rows),
        cmocka_unit_test(profile_times_read_back_exactly_whole_seconds_or_not),
        cmocka_unit_test(session_profiles_decode_the_compact_rows_as_the_view_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
