/*
 * Store contract, whole-store operations: store_backup (SQLite writes a copy that opens as a
 * store with the same rows and never overwrites a file; MariaDB refuses, naming mariadb-dump)
 * and store_token_reseal (every token rewritten in one transaction, or none when the
 * callback fails halfway).
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put_token(struct store *st, int64_t user_id, const char *access, const char *refresh)
{
    struct store_user u = {.id = user_id, .last_login_ms = 1};
    snprintf(u.login, sizeof u.login, "user%lld", (long long)user_id);
    snprintf(u.display_name, sizeof u.display_name, "%s", u.login);
    assert_int_equal(store_user_upsert(st, &u, NULL, 0), 0);
    struct store_token t = {.user_id = user_id,
                            .access_sealed = (char *)access,
                            .refresh_sealed = (char *)refresh,
                            .expires_at_ms = 5};
    snprintf(t.scopes, sizeof t.scopes, "moderator:read:chatters");
    assert_int_equal(store_token_put(st, &t, NULL, 0), 0);
}

static void backup_copies_the_store_and_never_overwrites(void **state)
{
    struct test_store *f = *state;
    char err[512] = "", path[] = "/tmp/tca-backup-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    put_token(f->st, 7, "sealed-access", "sealed-refresh");
    int rc = store_backup(f->st, path, err, sizeof err);
    if (strcmp(test_store_backend(), "mariadb") == 0) {
        assert_int_equal(rc, TCA_EINVAL);
        assert_non_null(strstr(err, "mariadb-dump"));
        assert_int_equal(access(path, F_OK), -1);
        return;
    }
    assert_int_equal(rc, 0);
    struct store *copy = NULL;
    char url[64];
    snprintf(url, sizeof url, "sqlite:%s", path);
    assert_int_equal(store_open(url, &copy, err, sizeof err), 0);
    struct store_token t;
    assert_int_equal(store_token_get(copy, 7, &t, err, sizeof err), 0);
    assert_string_equal(t.access_sealed, "sealed-access");
    assert_string_equal(t.refresh_sealed, "sealed-refresh");
    store_token_clear(&t);
    store_close(copy);
    /* a second backup to the same name is refused and leaves the first intact */
    assert_int_equal(store_backup(f->st, path, err, sizeof err), TCA_ECONFLICT);
    assert_int_equal(store_open(url, &copy, err, sizeof err), 0);
    assert_int_equal(store_token_get(copy, 7, &t, err, sizeof err), 0);
    store_token_clear(&t);
    store_close(copy);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* Prefixes "new:" to each sealed text; fails on the text named by ctx, if any. */
static int prefix_new(void *ctx, int64_t user_id, const char *sealed, char **out, char *err,
                      size_t errlen)
{
    const char *poison = ctx;
    if (poison && strcmp(sealed, poison) == 0)
        return tca_fail(err, errlen, TCA_EAUTH, "user %lld: does not open", (long long)user_id);
    size_t n = strlen(sealed) + 5;
    *out = xmalloc(n);
    snprintf(*out, n, "new:%s", sealed);
    return 0;
}

static void reseal_rewrites_every_token(void **state)
{
    struct test_store *f = *state;
    char err[256] = "";
    size_t n = 99;
    assert_int_equal(store_token_reseal(f->st, prefix_new, NULL, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    put_token(f->st, 1, "a1", "r1");
    put_token(f->st, 2, "a2", NULL);
    assert_int_equal(store_token_reseal(f->st, prefix_new, NULL, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    struct store_token t;
    assert_int_equal(store_token_get(f->st, 1, &t, err, sizeof err), 0);
    assert_string_equal(t.access_sealed, "new:a1");
    assert_string_equal(t.refresh_sealed, "new:r1");
    assert_int_equal(t.expires_at_ms, 5);
    store_token_clear(&t);
    assert_int_equal(store_token_get(f->st, 2, &t, err, sizeof err), 0);
    assert_string_equal(t.access_sealed, "new:a2");
    assert_null(t.refresh_sealed);
    store_token_clear(&t);
}

static void a_failed_reseal_changes_nothing(void **state)
{
    struct test_store *f = *state;
    char err[256] = "";
    size_t n = 0;
    put_token(f->st, 1, "a1", "r1");
    put_token(f->st, 2, "a2", "r2");
    put_token(f->st, 3, "a3", "r3");
    /* user 1 is rewritten before user 2's refresh token fails: all of it is rolled back */
    assert_int_equal(store_token_reseal(f->st, prefix_new, "r2", &n, err, sizeof err), TCA_EAUTH);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, "user 2"));
    for (int64_t id = 1; id <= 3; id++) {
        struct store_token t;
        char want[24];
        assert_int_equal(store_token_get(f->st, id, &t, err, sizeof err), 0);
        snprintf(want, sizeof want, "a%lld", (long long)id);
        assert_string_equal(t.access_sealed, want);
        store_token_clear(&t);
    }
    /* and the store still takes writes: the transaction is closed */
    put_token(f->st, 4, "a4", NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, test_store_open_fresh, test_store_close_fresh)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(backup_copies_the_store_and_never_overwrites),
        T(reseal_rewrites_every_token),
        T(a_failed_reseal_changes_nothing),
    };
    return test_store_run("store backup", tests, sizeof tests / sizeof *tests);
}
