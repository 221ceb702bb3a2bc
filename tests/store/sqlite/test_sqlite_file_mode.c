/*
 * The SQLite store's files are private: the database, its WAL and its shared-memory index
 * are created 0600 whatever the umask, since they hold sealed tokens and every capture.
 */
#include "tests/support/testutil.h"

#include "base/xalloc.h"
#include "store/store.h"

#include <stdlib.h>
#include <sys/stat.h>

static unsigned mode_of(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (unsigned)(sb.st_mode & 0777);
}

static void database_wal_and_shm_are_created_0600_under_a_permissive_umask(void **state)
{
    char err[256];
    mode_t old = umask(022);
    char *dir = test_tmpdir();
    char *db = xasprintf("%s/tca.db", dir);
    struct store *st;
    assert_int_equal(store_open(db, &st, err, sizeof err), 0);
    int from, to;
    assert_int_equal(store_migrate(st, &from, &to, err, sizeof err), 0);
    char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
    assert_int_equal(mode_of(db), 0600);
    assert_int_equal(mode_of(wal), 0600);
    assert_int_equal(mode_of(shm), 0600);
    store_close(st);
    umask(old);
    free(wal);
    free(shm);
    free(db);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(database_wal_and_shm_are_created_0600_under_a_permissive_umask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
