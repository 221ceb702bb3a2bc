/*
 * A session's stays streamed in key order, one callback a stay: the reader keeps them in its
 * own form (report/load.c) and can hand each chatter on while the scan goes on, instead of
 * waiting for an array of the whole session. Must never gather the stays itself.
 */
#include "store/sqlite_internal.h"

int sq_stays_each(struct store *st, int64_t session_id, int64_t channel_id, store_stay_fn fn,
                  void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    /* From the table under the presence view: an open stay's span is NULL (to_seq 0 here).
     * Ordered as the primary key (user, channel, from_seq), so no sort is needed; the unary
     * + keeps SQLite 3.40 from sorting anyway (a channel_id = ?2 term outside the key's prefix
     * made it sort every stay: 307,600 of them cost ~40% of the load). With a channel, its
     * column is not read back: each column read is an API call with a mutex, and the stays
     * are the largest read of the statistics. */
    int rc = channel_id ? sq_stmt(st,
                                  "SELECT user_id, from_seq, COALESCE(span, -1)"
                                  " FROM stays WHERE session_id = ?1 AND +channel_id = ?2"
                                  " ORDER BY user_id, channel_id, from_seq",
                                  &s, err, errlen)
                        : sq_stmt(st,
                                  "SELECT user_id, from_seq, COALESCE(span, -1), channel_id"
                                  " FROM stays WHERE session_id = ?1"
                                  " ORDER BY user_id, channel_id, from_seq",
                                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    if (channel_id)
        sqlite3_bind_int64(s, 2, channel_id);
    int src;
    struct store_stay y = {.channel_id = channel_id};
    /* one statement: one read snapshot from its first step to its reset */
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        y.user_id = sqlite3_column_int64(s, 0);
        y.from_seq = sqlite3_column_int64(s, 1);
        int64_t span = sqlite3_column_int64(s, 2);
        y.to_seq = span < 0 ? 0 : y.from_seq + span;
        if (!channel_id)
            y.channel_id = sqlite3_column_int64(s, 3);
        if ((rc = fn(ctx, &y)) != 0)
            break;
    }
    sqlite3_reset(s);
    if (!rc && src != SQLITE_DONE)
        rc = sq_fail(st, src, err, errlen, "stays");
    return rc;
}
