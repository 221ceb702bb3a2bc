/*
 * Migrations any number of processes can start: 8 processes open one fresh store at the same
 * moment (SQLite: one transaction per step that always ends; MariaDB: GET_LOCK). Every one
 * must start, the schema must end at the current version, and while all 8 still hold their
 * connection open the store must be usable at once: another process opens it (which would
 * wait for a migration lock still held) and writes.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { PROCS = 8 };

/* One child: wait for the start signal, open (and so migrate), report its schema version,
 * then hold the connection open until the parent has checked the store. */
static void child(const char *url, int start_fd, int report_fd, int hold_fd)
{
    char c, err[256] = "";
    if (read(start_fd, &c, 1) < 0)
        _exit(3);
    struct store *st = NULL;
    int from = 0, to = 0;
    int rc = store_open(url, &st, err, sizeof err);
    if (!rc)
        rc = store_migrate(st, &from, &to, err, sizeof err);
    if (rc)
        fprintf(stderr, "child %d: %s\n", (int)getpid(), err);
    unsigned char v = rc ? 0 : (unsigned char)to;
    if (write(report_fd, &v, 1) != 1)
        _exit(3);
    if (read(hold_fd, &c, 1) < 0)
        _exit(3);
    store_close(st);
    _exit(rc ? 1 : 0);
}

static void eight_processes_open_a_fresh_store_at_once(void **state)
{
    char *url = test_store_url();
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
            child(url, start[0], report[1], hold[0]);
        }
    }
    close(start[0]);
    close(report[1]);
    close(hold[0]);
    close(start[1]); /* every child's read returns at once: they start together */
    unsigned char versions[PROCS];
    for (int i = 0; i < PROCS; i++)
        assert_int_equal(read(report[0], &versions[i], 1), 1);

    struct store *st = NULL;
    char err[256] = "";
    assert_int_equal(store_open(url, &st, err, sizeof err), 0);
    int from = -1, to = -1;
    assert_int_equal(store_migrate(st, &from, &to, err, sizeof err), 0);
    assert_int_equal(from, to);
    for (int i = 0; i < PROCS; i++)
        assert_int_equal(versions[i], to);
    struct store_user u = {.id = 7, .login = "seven", .display_name = "Seven"};
    assert_int_equal(store_user_upsert(st, &u, err, sizeof err), 0);
    int64_t session = 0;
    assert_int_equal(store_session_active(st, 7, 1000, &session, err, sizeof err), 0);
    assert_true(session > 0);
    store_close(st);

    close(hold[1]);
    close(report[0]);
    for (int i = 0; i < PROCS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    test_store_drop(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eight_processes_open_a_fresh_store_at_once),
    };
    return test_store_run("store_migrate_concurrent", tests, sizeof tests / sizeof *tests);
}
