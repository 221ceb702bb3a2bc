/*
 * Migrations started by many processes at once: 8 processes open the same SQLite store at the
 * same moment, on a fresh file and on a file one schema version behind. Every one must start,
 * the schema must end at the current version, and while all 8 still hold their connection
 * open the store must take a write at once (no process kept the write lock).
 */
#include "tests/support/testutil.h"
#include "base/xalloc.h"
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { PROCS = 8 };

/* One child: wait for the start signal, open (and so migrate), report, then hold the
 * connection open until the parent has checked the store. */
static void child(const char *path, int start_fd, int report_fd, int hold_fd)
{
    char c, err[256] = "";
    if (read(start_fd, &c, 1) < 0)
        _exit(3);
    struct store *st = NULL;
    int rc = store_open(path, &st, err, sizeof err);
    if (rc)
        fprintf(stderr, "child %d: store_open: %s\n", (int)getpid(), err);
    c = rc ? 'F' : 'K';
    if (write(report_fd, &c, 1) != 1)
        _exit(3);
    if (read(hold_fd, &c, 1) < 0)
        _exit(3);
    store_close(st);
    _exit(rc ? 1 : 0);
}

static void open_from_many_processes(const char *path)
{
    int start[2], report[2], hold[2];
    assert_int_equal(pipe(start), 0);
    assert_int_equal(pipe(report), 0);
    assert_int_equal(pipe(hold), 0);
    pid_t pids[PROCS];
    for (int i = 0; i < PROCS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(start[1]);
            close(report[0]);
            close(hold[1]);
            child(path, start[0], report[1], hold[0]);
        }
    }
    close(start[0]);
    close(report[1]);
    close(hold[0]);
    close(start[1]); /* every child's read returns at once: they start together */
    int ok = 0;
    char c;
    for (int i = 0; i < PROCS; i++) {
        assert_int_equal(read(report[0], &c, 1), 1);
        ok += c == 'K';
    }
    assert_int_equal(ok, PROCS);

    /* All 8 connections are still open: a write must not wait for any of them. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE; COMMIT;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    struct store *st = NULL;
    char err[256] = "";
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    int from = -1, to = -1;
    assert_int_equal(store_migrate(st, &from, &to, err, sizeof err), 0);
    assert_int_equal(from, sq_schema_steps());
    assert_int_equal(to, sq_schema_steps());
    struct store_user u = {.id = 7, .login = "seven", .display_name = "Seven"};
    assert_int_equal(store_user_upsert(st, &u, err, sizeof err), 0);
    store_close(st);

    close(hold[1]);
    close(report[0]);
    for (int i = 0; i < PROCS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

static void eight_processes_migrate_a_fresh_store_at_once(void **state)
{
    char *dir = test_tmpdir();
    char *path = xasprintf("%s/store.db", dir);
    open_from_many_processes(path);
    free(path);
    free(dir);
}

static void eight_processes_migrate_a_store_one_version_behind_at_once(void **state)
{
    char *dir = test_tmpdir();
    char *path = xasprintf("%s/store.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
    int behind = sq_schema_steps() - 1;
    for (int v = 0; v < behind; v++)
        assert_int_equal(sqlite3_exec(db, sq_schema_step(v), NULL, NULL, NULL), SQLITE_OK);
    char set[48];
    snprintf(set, sizeof set, "PRAGMA user_version = %d", behind);
    assert_int_equal(sqlite3_exec(db, set, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_from_many_processes(path);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eight_processes_migrate_a_fresh_store_at_once),
        cmocka_unit_test(eight_processes_migrate_a_store_one_version_behind_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
