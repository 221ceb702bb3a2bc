/*
 * MariaDB: analysis sessions (one active per user) and their capture schedule. Must never
 * decide when to capture: the scheduler in jobs/ does, this only answers what is due.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define SESSION_COLUMNS                                                                            \
    "SELECT s.id, s.user_id, s.active, s.saved, s.label, s.created_at, s.updated_at,"              \
    " (SELECT COUNT(*) FROM captures c WHERE c.session_id = s.id) FROM sessions s"

static void read_session(const struct my_rows *r, struct store_session *out)
{
    out->id = my_int(r, 0);
    out->user_id = my_int(r, 1);
    out->active = (int)my_int(r, 2);
    out->saved = (int)my_int(r, 3);
    my_text(r, 4, out->label, sizeof out->label);
    out->created_at_ms = my_int(r, 5);
    out->updated_at_ms = my_int(r, 6);
    out->captures = my_int(r, 7);
}

int my_session_active(struct store *st, int64_t user_id, int64_t now_ms, int64_t *session_id,
                      char *err, size_t errlen)
{
    /* The unique index on active sessions decides a race between two workers: the loser's
     * insert conflicts and it reads the winner's session. */
    for (int attempt = 0; attempt < 3; attempt++) {
        int rc = my_query_int(st, "SELECT id FROM sessions WHERE user_id = ? AND active = 1",
                              MY_ARGS(MY_INT(user_id)), session_id, err, errlen);
        if (rc != TCA_ENOTFOUND)
            return rc;
        rc = my_exec(st,
                     "INSERT INTO sessions(user_id, active, saved, label, created_at, updated_at)"
                     " VALUES(?, 1, 0, '', ?, ?)",
                     MY_ARGS(MY_INT(user_id), MY_INT(now_ms), MY_INT(now_ms)), NULL, session_id,
                     err, errlen);
        if (rc != TCA_ECONFLICT)
            return rc;
    }
    return tca_fail(err, errlen, TCA_ETEMP, "session active: lost the race three times");
}

int my_session_get(struct store *st, int64_t id, struct store_session *out, char *err,
                   size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st, SESSION_COLUMNS " WHERE s.id = ?", MY_ARGS(MY_INT(id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        read_session(&r, out);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    }
    my_done(&r);
    return rc;
}

int my_session_list(struct store *st, int64_t user_id, struct store_session **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc =
        my_query(st, SESSION_COLUMNS " WHERE s.user_id = ? ORDER BY s.created_at DESC, s.id DESC",
                 MY_ARGS(MY_INT(user_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        read_session(&r, &(*out)[(*n)++]);
    }
    my_done(&r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int my_schedule_set(struct store *st, const struct store_schedule *sch, char *err, size_t errlen)
{
    if (sch->interval_s < 0)
        return tca_fail(err, errlen, TCA_EINVAL, "negative capture interval");
    return my_exec(st,
                   "INSERT INTO session_channels(session_id, channel_id, interval_s, next_at,"
                   " stop_at, enabled) VALUES(?, ?, ?, ?, ?, ?)"
                   " ON DUPLICATE KEY UPDATE interval_s = VALUES(interval_s),"
                   " next_at = VALUES(next_at), stop_at = VALUES(stop_at),"
                   " enabled = VALUES(enabled)",
                   MY_ARGS(MY_INT(sch->session_id), MY_INT(sch->channel_id),
                           MY_INT(sch->interval_s), MY_INT(sch->next_at_ms),
                           MY_INT(sch->stop_at_ms), MY_INT(sch->enabled ? 1 : 0)),
                   NULL, NULL, err, errlen);
}

/* Runs an UPDATE of one session channel; TCA_ENOTFOUND when it matched nothing. */
static int update_channel(struct store *st, const char *sql, const struct my_val *args, size_t n,
                          char *err, size_t errlen)
{
    uint64_t changed = 0;
    int rc = my_exec(st, sql, args, n, &changed, NULL, err, errlen);
    if (!rc && !changed)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "channel is not in the session");
    return rc;
}

int my_schedule_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                     size_t errlen)
{
    return update_channel(st,
                          "UPDATE session_channels SET enabled = 0"
                          " WHERE session_id = ? AND channel_id = ?",
                          MY_ARGS(MY_INT(session_id), MY_INT(channel_id)), err, errlen);
}

int my_schedule_advance(struct store *st, int64_t session_id, int64_t channel_id,
                        int64_t next_at_ms, char *err, size_t errlen)
{
    return update_channel(st,
                          "UPDATE session_channels SET next_at = ?"
                          " WHERE session_id = ? AND channel_id = ?",
                          MY_ARGS(MY_INT(next_at_ms), MY_INT(session_id), MY_INT(channel_id)), err,
                          errlen);
}

/* Reads schedule rows: session, channel, user, interval, next, stop, enabled. */
int my_read_schedules(struct store *st, const char *sql, const struct my_val *args, size_t nargs,
                      struct store_schedule **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st, sql, args, nargs, &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        struct store_schedule *sch = &(*out)[(*n)++];
        sch->session_id = my_int(&r, 0);
        sch->channel_id = my_int(&r, 1);
        sch->user_id = my_int(&r, 2);
        sch->interval_s = (int)my_int(&r, 3);
        sch->next_at_ms = my_int(&r, 4);
        sch->stop_at_ms = my_int(&r, 5);
        sch->enabled = (int)my_int(&r, 6);
    }
    my_done(&r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int my_schedule_due(struct store *st, int64_t now_ms, struct store_schedule **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    int rc = my_exec(st,
                     "UPDATE session_channels SET enabled = 0"
                     " WHERE enabled = 1 AND stop_at > 0 AND stop_at <= ?",
                     MY_ARGS(MY_INT(now_ms)), NULL, NULL, err, errlen);
    if (rc)
        return rc;
    return my_read_schedules(st,
                             "SELECT sc.session_id, sc.channel_id, s.user_id, sc.interval_s,"
                             " sc.next_at, sc.stop_at, sc.enabled FROM session_channels sc"
                             " JOIN sessions s ON s.id = sc.session_id"
                             " WHERE sc.enabled = 1 AND sc.interval_s > 0 AND sc.next_at <= ?"
                             " AND s.active = 1 ORDER BY sc.next_at, sc.session_id, sc.channel_id",
                             MY_ARGS(MY_INT(now_ms)), out, n, err, errlen);
}
