/*
 * SQLite back end only: store_compact (VACUUM). Pins down that the pages a migration frees
 * when it rewrites a table (channel_chatters, twitch_users) go back to the file system, and
 * that the rows read the same after.
 */
#include "tests/support/sqlite_steps.h"
#include "tests/support/testutil.h"
#include "base/xalloc.h"
#include "store/sqlite_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { ROWS = 20000 };

static int64_t file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (int64_t)sb.st_size;
}

/* A digest of the profiles and the channel history, read through any SQLite client. */
static void digest(const char *path, char *out, size_t outlen)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT COUNT(*) || ':' || SUM(length(login)) || ':'"
                           " || SUM(length(display_name)) || ':' || SUM(created_at)"
                           " FROM twitch_users), (SELECT COUNT(*) || ':' ||"
                           " SUM(user_id) FROM channel_chatters)",
                           -1, &s, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(out, outlen, "%s/%s", (const char *)sqlite3_column_text(s, 0),
             (const char *)sqlite3_column_text(s, 1));
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void compacting_an_upgraded_store_gives_the_rewritten_tables_pages_back(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    /* the store just before channel_chatters lost its totals (later steps follow it) */
    sqlite3 *db = test_sqlite_before_step(path, "CREATE TABLE channel_chatters_keys");
    char sql[512];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
             " INSERT INTO twitch_users(id, login, display_name, created_at, enriched_at,"
             " named_at) SELECT 100000 + i, 'viewer' || i, 'Viewer' || i, 1400000000000 + i,"
             " 1700000000000, 1700000000000 FROM n",
             ROWS);
    test_sqlite_exec(db, sql);
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
             " INSERT INTO channel_chatters(channel_id, user_id, first_seen, last_seen,"
             " sessions_seen, captures_seen) SELECT 7, 100000 + i, 1, 2, 1, 5 FROM n",
             ROWS);
    test_sqlite_exec(db, sql);
    test_sqlite_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
    char before[256], after[256];
    digest(path, before, sizeof before);
    int64_t old_size = file_size(path);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0); /* migrates */
    int64_t from, to;
    assert_int_equal(store_compact(st, &from, &to, err, sizeof err), 0);
    assert_true(to < from);
    /* smaller than before the upgrade too: the compact rows and no free pages */
    assert_true(to < old_size);
    assert_int_equal(file_size(path), to);
    digest(path, after, sizeof after);
    assert_string_equal(after, before);
    /* compacting again finds nothing to give back */
    assert_int_equal(store_compact(st, &from, &to, err, sizeof err), 0);
    assert_int_equal(to, from);
    store_close(st);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compacting_an_upgraded_store_gives_the_rewritten_tables_pages_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
