/* Back ends for the store contract tests: fresh SQLite files, fresh MariaDB databases. */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Which back end the running group uses: set by test_store_run only. */
static int on_mariadb;
static unsigned made;

const char *test_store_backend(void)
{
    return on_mariadb ? "mariadb" : "sqlite";
}

/* Runs one statement on the server named by TCA_TEST_MYSQL (through its own connection). */
void test_store_server_exec(const char *sql)
{
    const char *url = getenv("TCA_TEST_MYSQL");
    char user[128] = "", pass[256] = "", host[256] = "", sock[256] = "";
    unsigned port = 0;
    /* mysql://USER:PASS@HOST[:PORT]/DB[?socket=PATH] */
    const char *p = strstr(url, "://") + 3, *at = strrchr(p, '@'), *colon = strchr(p, ':');
    const char *slash = strchr(at, '/'), *q = strchr(slash, '?');
    snprintf(user, sizeof user, "%.*s", (int)(colon - p), p);
    snprintf(pass, sizeof pass, "%.*s", (int)(at - colon - 1), colon + 1);
    const char *hc = memchr(at + 1, ':', (size_t)(slash - at - 1));
    snprintf(host, sizeof host, "%.*s", (int)((hc ? hc : slash) - at - 1), at + 1);
    if (hc)
        port = (unsigned)atoi(hc + 1);
    if (q && !strncmp(q, "?socket=", 8))
        snprintf(sock, sizeof sock, "%s", q + 8);
    MYSQL *db = mysql_init(NULL);
    if (!mysql_real_connect(db, *sock ? NULL : host, user, pass, NULL, port, *sock ? sock : NULL,
                            0) ||
        mysql_query(db, sql)) {
        fprintf(stderr, "TCA_TEST_MYSQL: %s\n", mysql_error(db));
        abort();
    }
    mysql_close(db);
}

char *test_store_mariadb_url(void)
{
    const char *server = getenv("TCA_TEST_MYSQL");
    if (!server || !*server)
        return NULL;
    int was = on_mariadb;
    on_mariadb = 1;
    char *url = test_store_url();
    on_mariadb = was;
    return url;
}

int test_store_mariadb_available(void)
{
    const char *server = getenv("TCA_TEST_MYSQL");
    if (server && *server)
        return 1;
    printf("skipped: TCA_TEST_MYSQL is not set\n");
    return 0;
}

int test_store_mariadb_fresh(void **state)
{
    *state = test_store_mariadb_url();
    return *state ? 0 : -1;
}

int test_store_mariadb_drop(void **state)
{
    test_store_drop(*state);
    return 0;
}

char *test_store_url(void)
{
    if (!on_mariadb) {
        char *dir = test_tmpdir();
        char *url = xasprintf("sqlite:%s/store.db", dir);
        free(dir);
        return url;
    }
    char name[64], sql[128];
    snprintf(name, sizeof name, "tca_t%d_%u", (int)getpid(), made++);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    test_store_server_exec(sql);
    const char *url = getenv("TCA_TEST_MYSQL");
    const char *at = strrchr(url, '@'), *slash = strchr(at, '/'), *q = strchr(slash, '?');
    return xasprintf("%.*s/%s%s", (int)(slash - url), url, name, q ? q : "");
}

void test_store_drop(char *url)
{
    if (url && !strncmp(url, "mysql://", 8)) {
        const char *at = strrchr(url, '@'), *slash = strchr(at, '/'), *q = strchr(slash, '?');
        char sql[160];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.*s",
                 (int)((q ? q : slash + strlen(slash)) - slash - 1), slash + 1);
        test_store_server_exec(sql);
    }
    free(url);
}

int test_store_run(const char *name, const struct CMUnitTest *tests, size_t n)
{
    on_mariadb = 0;
    char label[128];
    snprintf(label, sizeof label, "%s on sqlite", name);
    int failed = _cmocka_run_group_tests(label, tests, n, NULL, NULL);
    const char *server = getenv("TCA_TEST_MYSQL");
    if (!server || !*server) {
        printf("[  SKIPPED ] %s on mariadb: TCA_TEST_MYSQL is not set\n", name);
        return failed;
    }
    on_mariadb = 1;
    snprintf(label, sizeof label, "%s on mariadb", name);
    failed += _cmocka_run_group_tests(label, tests, n, NULL, NULL);
    on_mariadb = 0;
    return failed;
}

int test_store_open_fresh(void **state)
{
    return test_store_open_fixture(state, sizeof(struct test_store));
}

int test_store_open_fixture(void **state, size_t size)
{
    struct test_store *f = xcalloc(1, size);
    char err[256] = "";
    f->url = test_store_url();
    if (store_open(f->url, &f->st, err, sizeof err) != 0) {
        fprintf(stderr, "store_open: %s\n", err);
        test_store_drop(f->url);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int test_store_setup_failed(void **state, const char *err)
{
    fprintf(stderr, "setup: %s\n", err);
    test_store_close_fresh(state);
    return -1;
}

int test_store_close_fresh(void **state)
{
    struct test_store *f = *state;
    store_close(f->st);
    test_store_drop(f->url);
    free(f);
    return 0;
}
