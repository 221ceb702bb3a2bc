/*
 * store_backup on SQLite: the online backup API copies every page of the store into a new
 * file in one step, so the copy is one read snapshot (WAL lets writers go on meanwhile).
 * Must never overwrite an existing file, nor leave a partial copy behind on failure.
 */
#include "store/sqlite_internal.h"

#include "base/err.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int sq_backup(struct store *st, const char *path, char *err, size_t errlen)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    int rc = 0, created = 0;
    /* O_EXCL claims the name first: a backup never replaces a file, even one made meanwhile */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        rc = tca_fail(err, errlen, errno == EEXIST ? TCA_ECONFLICT : TCA_EINVAL,
                      "cannot create %s: %s", path, strerror(errno));
        goto out;
    }
    close(fd);
    created = 1;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = tca_fail(err, errlen, TCA_EDB, "cannot open %s: %s", path,
                      dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    b = sqlite3_backup_init(dst, "main", sq_conn(st)->db, "main");
    if (!b) {
        rc = tca_fail(err, errlen, TCA_EDB, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    /* -1: every page in one step, under one read lock of the source: a consistent copy.
     * A busy source (a checkpoint holding it) is waited for by the source's busy_timeout. */
    int step = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    b = NULL;
    if (step != SQLITE_DONE || fin != SQLITE_OK) {
        rc = tca_fail(err, errlen,
                      step == SQLITE_BUSY || step == SQLITE_LOCKED ? TCA_ETEMP : TCA_EDB,
                      "backup: %s", sqlite3_errstr(step != SQLITE_DONE ? step : fin));
        goto out;
    }
out:
    if (b)
        sqlite3_backup_finish(b);
    if (dst)
        sqlite3_close(dst);
    if (rc && created)
        unlink(path);
    return rc;
}
