/*
 * A session's stays streamed in key order, one callback a stay, and profiles read for ids that
 * arrive while they are read (the MariaDB side of sqlite_stay_scan.c and sq_profiles_pull).
 * Must never gather the stays or the ids itself.
 */
#include "store/mariadb_internal.h"

int my_stays_each(struct store *st, int64_t session_id, int64_t channel_id, store_stay_fn fn,
                  void *ctx, char *err, size_t errlen)
{
    struct my_rows r;
    /* ordered as the primary key: no sort */
    int rc = channel_id ? my_query(st,
                                   "SELECT user_id, channel_id, from_seq, COALESCE(to_seq, 0)"
                                   " FROM presence WHERE session_id = ? AND channel_id = ?"
                                   " ORDER BY user_id, channel_id, from_seq",
                                   MY_ARGS(MY_INT(session_id), MY_INT(channel_id)), &r, err, errlen)
                        : my_query(st,
                                   "SELECT user_id, channel_id, from_seq, COALESCE(to_seq, 0)"
                                   " FROM presence WHERE session_id = ?"
                                   " ORDER BY user_id, channel_id, from_seq",
                                   MY_ARGS(MY_INT(session_id)), &r, err, errlen);
    if (rc)
        return rc;
    int stop = 0;
    while (!stop && (rc = my_next(&r, err, errlen)) == 1)
        stop = fn(ctx,
                  &(struct store_stay){my_int(&r, 0), my_int(&r, 1), my_int(&r, 2), my_int(&r, 3)});
    my_done(&r);
    if (stop)
        return stop;
    return rc < 0 ? rc : 0;
}

/* REPEATABLE READ: the transaction's snapshot is taken at its first read, after next() gave
 * the first ids, and serves every chunk (the same guarantee as sq_profiles_pull). */
int my_profiles_pull(struct store *st, store_ids_fn next, void *next_ctx, unsigned fields,
                     store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    size_t n;
    const int64_t *ids;
    while (!rc && (ids = next(next_ctx, &n)) != NULL && n)
        rc = my_profiles_each(st, ids, n, fields, fn, ctx, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}
