/*
 * The back ends a store contract test runs against: SQLite always, MariaDB when the
 * environment names a server (TCA_TEST_MYSQL=mysql://USER:PASS@HOST/DB?socket=...; the test
 * runner starts a throwaway one). Each test gets a fresh, empty store.
 */
#ifndef TCA_TEST_STORE_BACKEND_H
#define TCA_TEST_STORE_BACKEND_H

#include <stddef.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/** The URL of a fresh store of the back end under test; release with test_store_drop. */
char *test_store_url(void);
/** A fresh MariaDB database's URL whatever the current run, or NULL without a server. */
char *test_store_mariadb_url(void);
/** For a MariaDB-only test program: 1 when TCA_TEST_MYSQL names a server, else 0 after
 * printing that the program is skipped. */
int test_store_mariadb_available(void);
/** cmocka setup of a MariaDB-only test: a fresh database's URL (test_store_mariadb_url) in
 * *state; teardown: test_store_mariadb_drop. */
int test_store_mariadb_fresh(void **state);
int test_store_mariadb_drop(void **state);
/** Runs one statement on the TCA_TEST_MYSQL server (aborts on failure). */
void test_store_server_exec(const char *sql);
/** Removes what test_store_url made (a MariaDB database) and frees url; NULL is a no-op. */
void test_store_drop(char *url);
/** "sqlite" or "mariadb": the back end the current run is on. */
const char *test_store_backend(void);
/** A fresh, open store of the back end under test: the state most contract tests start from. */
struct test_store {
    char *url; /* test_store_url's */
    struct store *st;
};
/** cmocka setup: a fresh store opened into *state (a struct test_store); -1, saying why, if not. */
int test_store_open_fresh(void **state);
/** test_store_open_fresh for a test's own fixture of size bytes (zeroed) whose first member is
 * a struct test_store; test_store_close_fresh closes and frees it the same way. */
int test_store_open_fixture(void **state, size_t size);
/** For a fixture's setup after test_store_open_fixture: says "setup: err", closes the store
 * (cmocka runs no teardown after a failed setup) and returns -1. */
int test_store_setup_failed(void **state, const char *err);
/** cmocka teardown of test_store_open_fresh: closes and drops the store, frees the state. */
int test_store_close_fresh(void **state);

/** Runs the group once per available back end; returns the number of failed tests. */
int test_store_run(const char *name, const struct CMUnitTest *tests, size_t n);

#endif
