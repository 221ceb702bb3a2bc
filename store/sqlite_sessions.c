/*
 * Analysis sessions (one active per user) and their capture schedule (which channels, how
 * often, until when). Must never decide when to capture: the scheduler in jobs/ does, this
 * only answers what is due.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define SESSION_COLUMNS                                                                            \
    "SELECT s.id, s.user_id, s.active, s.saved, s.label, s.created_at, s.updated_at,"              \
    " (SELECT COUNT(*) FROM captures c WHERE c.session_id = s.id) FROM sessions s"

static void read_session(sqlite3_stmt *s, struct store_session *out)
{
    out->id = sqlite3_column_int64(s, 0);
    out->user_id = sqlite3_column_int64(s, 1);
    out->active = sqlite3_column_int(s, 2);
    out->saved = sqlite3_column_int(s, 3);
    sq_copy_text(out->label, sizeof out->label, s, 4);
    out->created_at_ms = sqlite3_column_int64(s, 5);
    out->updated_at_ms = sqlite3_column_int64(s, 6);
    out->captures = sqlite3_column_int64(s, 7);
}

int sq_session_active(struct store *st, int64_t user_id, int64_t now_ms, int64_t *session_id,
                      char *err, size_t errlen)
{
    sqlite3_stmt *find, *insert;
    int rc =
        sq_stmt(st, "SELECT id FROM sessions WHERE user_id = ? AND active = 1", &find, err, errlen);
    if (!rc)
        rc = sq_stmt(st,
                     "INSERT INTO sessions(user_id, active, saved, label, created_at, updated_at)"
                     " VALUES(?, 1, 0, '', ?, ?)",
                     &insert, err, errlen);
    if (rc)
        return rc;
    /* Read and create in one write transaction, so two workers never create two. */
    rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(find, 1, user_id);
    int src = sqlite3_step(find);
    if (src == SQLITE_ROW) {
        *session_id = sqlite3_column_int64(find, 0);
        sqlite3_reset(find);
    } else if (src == SQLITE_DONE) {
        sqlite3_reset(find);
        sqlite3_bind_int64(insert, 1, user_id);
        sqlite3_bind_int64(insert, 2, now_ms);
        sqlite3_bind_int64(insert, 3, now_ms);
        rc = sq_run(st, insert, err, errlen, "session insert");
        if (rc)
            goto out;
        *session_id = sqlite3_last_insert_rowid(sq_conn(st)->db);
    } else {
        sqlite3_reset(find);
        rc = sq_fail(st, src, err, errlen, "session find");
        goto out;
    }
    rc = sq_commit(st, err, errlen);
out:
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_session_get(struct store *st, int64_t id, struct store_session *out, char *err,
                   size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, SESSION_COLUMNS " WHERE s.id = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_session(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    } else {
        rc = sq_fail(st, rc, err, errlen, "session get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_session_list(struct store *st, int64_t user_id, struct store_session **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc =
        sq_stmt(st, SESSION_COLUMNS " WHERE s.user_id = ? ORDER BY s.created_at DESC, s.id DESC",
                &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        read_session(s, &(*out)[(*n)++]);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "session list");
    }
    return 0;
}

int sq_schedule_set(struct store *st, const struct store_schedule *sch, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO session_channels(session_id, channel_id, interval_s, next_at,"
                     " stop_at, enabled) VALUES(?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT(session_id, channel_id) DO UPDATE SET"
                     " interval_s = excluded.interval_s, next_at = excluded.next_at,"
                     " stop_at = excluded.stop_at, enabled = excluded.enabled",
                     &s, err, errlen);
    if (rc)
        return rc;
    if (sch->interval_s < 0)
        return tca_fail(err, errlen, TCA_EINVAL, "negative capture interval");
    sqlite3_bind_int64(s, 1, sch->session_id);
    sqlite3_bind_int64(s, 2, sch->channel_id);
    sqlite3_bind_int(s, 3, sch->interval_s);
    sqlite3_bind_int64(s, 4, sch->next_at_ms);
    sqlite3_bind_int64(s, 5, sch->stop_at_ms);
    sqlite3_bind_int(s, 6, sch->enabled ? 1 : 0);
    return sq_run(st, s, err, errlen, "schedule set");
}

int sq_schedule_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                     size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "UPDATE session_channels SET enabled = 0"
                     " WHERE session_id = ? AND channel_id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, channel_id);
    rc = sq_run(st, s, err, errlen, "schedule stop");
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "channel is not in the session");
    return rc;
}

int sq_schedule_due(struct store *st, int64_t now_ms, struct store_schedule **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *expire, *due;
    int rc = sq_stmt(st,
                     "UPDATE session_channels SET enabled = 0"
                     " WHERE enabled = 1 AND stop_at > 0 AND stop_at <= ?",
                     &expire, err, errlen);
    if (!rc)
        rc = sq_stmt(st,
                     "SELECT sc.session_id, sc.channel_id, s.user_id, sc.interval_s, sc.next_at,"
                     " sc.stop_at, sc.enabled FROM session_channels sc"
                     " JOIN sessions s ON s.id = sc.session_id"
                     " WHERE sc.enabled = 1 AND sc.interval_s > 0 AND sc.next_at <= ?"
                     " AND s.active = 1 ORDER BY sc.next_at, sc.session_id, sc.channel_id",
                     &due, err, errlen);
    if (rc)
        return rc;
    rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(expire, 1, now_ms);
    rc = sq_run(st, expire, err, errlen, "schedule expire");
    if (rc)
        goto out;
    sqlite3_bind_int64(due, 1, now_ms);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(due)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        struct store_schedule *sch = &(*out)[(*n)++];
        sch->session_id = sqlite3_column_int64(due, 0);
        sch->channel_id = sqlite3_column_int64(due, 1);
        sch->user_id = sqlite3_column_int64(due, 2);
        sch->interval_s = sqlite3_column_int(due, 3);
        sch->next_at_ms = sqlite3_column_int64(due, 4);
        sch->stop_at_ms = sqlite3_column_int64(due, 5);
        sch->enabled = sqlite3_column_int(due, 6);
    }
    sqlite3_reset(due);
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "schedule due");
        goto out;
    }
    rc = sq_commit(st, err, errlen);
out:
    if (rc) {
        sq_rollback(st);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int sq_schedule_advance(struct store *st, int64_t session_id, int64_t channel_id,
                        int64_t next_at_ms, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "UPDATE session_channels SET next_at = ?"
                     " WHERE session_id = ? AND channel_id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, next_at_ms);
    sqlite3_bind_int64(s, 2, session_id);
    sqlite3_bind_int64(s, 3, channel_id);
    rc = sq_run(st, s, err, errlen, "schedule advance");
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "channel is not in the session");
    return rc;
}
