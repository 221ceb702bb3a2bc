/*
 * MariaDB: managing analysis sessions for the gateway: save with a label (under a per-user
 * limit), relabel, end the active one, purge, delete, the expiry sweep, a session's channels
 * and capture jobs. presence has no foreign key, so purging or deleting a session removes its
 * stays here. Must never delete a saved session on its own.
 */
#include "store/mariadb_internal.h"
#include "store/store_sql.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int set_label(struct store *st, const char *sql, int64_t session_id, const char *label,
                     int64_t now_ms, char *err, size_t errlen)
{
    uint64_t changed = 0;
    int rc = my_exec(st, sql, MY_ARGS(MY_TEXT(label), MY_INT(now_ms), MY_INT(session_id)), &changed,
                     NULL, err, errlen);
    if (!rc && !changed)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    return rc;
}

int my_session_save(struct store *st, int64_t session_id, const char *label, int max_saved,
                    int64_t now_ms, char *err, size_t errlen)
{
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    /* Locking the owner's row serialises two saves of one user, so both cannot pass the
     * limit (the original's trigger could not do this on MariaDB). */
    int64_t owner = 0, others = 0;
    rc = my_query_int(st,
                      "SELECT u.id FROM users u JOIN sessions s ON s.user_id = u.id"
                      " WHERE s.id = ? FOR UPDATE",
                      MY_ARGS(MY_INT(session_id)), &owner, err, errlen);
    if (rc == TCA_ENOTFOUND)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    if (!rc)
        rc = my_query_int(st,
                          "SELECT COUNT(*) FROM sessions WHERE saved = 1 AND id != ?"
                          " AND user_id = ?",
                          MY_ARGS(MY_INT(session_id), MY_INT(owner)), &others, err, errlen);
    if (!rc && others >= max_saved)
        rc = tca_fail(err, errlen, TCA_ELIMIT,
                      "you already have %d saved sessions (the most allowed): delete one first",
                      max_saved);
    if (!rc)
        rc = set_label(st, "UPDATE sessions SET saved = 1, label = ?, updated_at = ? WHERE id = ?",
                       session_id, label, now_ms, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}

int my_session_label(struct store *st, int64_t session_id, const char *label, int64_t now_ms,
                     char *err, size_t errlen)
{
    return set_label(st, "UPDATE sessions SET label = ?, updated_at = ? WHERE id = ?", session_id,
                     label, now_ms, err, errlen);
}

int my_session_deactivate(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                          size_t errlen)
{
    return my_exec(
        st, "UPDATE sessions SET active = 0, updated_at = ? WHERE user_id = ? AND active = 1",
        MY_ARGS(MY_INT(now_ms), MY_INT(user_id)), NULL, NULL, err, errlen);
}

static int remove_captures(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    /* Each chatter's visit of each channel is kept first, as on SQLite
     * (store/sqlite_web_sessions.c): "returning" in later sessions must not change. */
    int rc =
        my_exec(st,
                "REPLACE INTO kept_visits(owner_id, channel_id, session_id, user_id,"
                " first_seq, last_seen, session_first_at)"
                " SELECT s.user_id, p.channel_id, p.session_id, p.user_id, MIN(p.from_seq),"
                "  MAX(c.taken_at), (SELECT MIN(f.taken_at) FROM captures f"
                "   WHERE f.session_id = p.session_id AND f.channel_id = p.channel_id)"
                " FROM presence p JOIN sessions s ON s.id = p.session_id"
                " JOIN captures c ON c.session_id = p.session_id AND c.channel_id = p.channel_id"
                "  AND c.seq = COALESCE(p.to_seq, (SELECT MAX(m.seq) FROM captures m"
                "   WHERE m.session_id = p.session_id AND m.channel_id = p.channel_id))"
                " WHERE p.session_id = ?"
                " GROUP BY s.user_id, p.channel_id, p.session_id, p.user_id",
                MY_ARGS(MY_INT(session_id)), NULL, NULL, err, errlen);
    for (const char *const *sql = store_sql_session_clear; *sql && !rc; sql++)
        rc = my_exec(st, *sql, MY_ARGS(MY_INT(session_id)), NULL, NULL, err, errlen);
    /* queued (not running) captures would land in the emptied session */
    if (!rc)
        rc = my_exec(st,
                     "DELETE FROM jobs WHERE state = 0 AND kind IN ('capture', 'enrich')"
                     " AND JSON_VALUE(payload, '$.session_id') = ?",
                     MY_ARGS(MY_INT(session_id)), NULL, NULL, err, errlen);
    return rc;
}

int my_session_purge(struct store *st, int64_t session_id, int64_t now_ms, char *err, size_t errlen)
{
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    uint64_t changed = 0;
    rc = my_exec(st, "UPDATE sessions SET updated_at = ? WHERE id = ?",
                 MY_ARGS(MY_INT(now_ms), MY_INT(session_id)), &changed, NULL, err, errlen);
    if (!rc && !changed)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    if (!rc)
        rc = remove_captures(st, session_id, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}

static int delete_in_tx(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    int rc = remove_captures(st, session_id, err, errlen);
    uint64_t changed = 0;
    if (!rc)
        rc = my_exec(st, "DELETE FROM sessions WHERE id = ?", MY_ARGS(MY_INT(session_id)), &changed,
                     NULL, err, errlen);
    if (!rc && !changed)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    return rc;
}

int my_session_delete(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = delete_in_tx(st, session_id, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}

int my_session_sweep(struct store *st, int64_t before_ms, int *removed, char *err, size_t errlen)
{
    if (removed)
        *removed = 0;
    struct my_rows r;
    /* activity: the session's own updates and its latest capture */
    int rc = my_query(st,
                      "SELECT s.id FROM sessions s WHERE s.saved = 0 AND s.updated_at < ?"
                      " AND COALESCE((SELECT MAX(taken_at) FROM captures c"
                      " WHERE c.session_id = s.id), 0) < ? LIMIT 100",
                      MY_ARGS(MY_INT(before_ms), MY_INT(before_ms)), &r, err, errlen);
    if (rc)
        return rc;
    int64_t ids[100];
    size_t n = 0;
    while ((rc = my_next(&r, err, errlen)) == 1 && n < 100)
        ids[n++] = my_int(&r, 0);
    my_done(&r);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = my_begin(st, err, errlen);
        if (rc)
            return rc;
        rc = delete_in_tx(st, ids[i], err, errlen);
        if (rc == TCA_ENOTFOUND) /* someone else removed it first */
            rc = 0;
        if (!rc)
            rc = my_commit(st, err, errlen);
        if (rc) {
            my_rollback(st);
            return rc;
        }
        if (removed)
            (*removed)++;
    }
    return 0;
}

int my_session_schedules(struct store *st, int64_t session_id, struct store_schedule **out,
                         size_t *n, char *err, size_t errlen)
{
    return my_read_schedules(st,
                             "SELECT sc.session_id, sc.channel_id, s.user_id, sc.interval_s,"
                             " sc.next_at, sc.stop_at, sc.enabled FROM session_channels sc"
                             " JOIN sessions s ON s.id = sc.session_id WHERE sc.session_id = ?"
                             " ORDER BY sc.channel_id",
                             MY_ARGS(MY_INT(session_id)), out, n, err, errlen);
}

int my_session_jobs(struct store *st, int64_t session_id, size_t limit, struct store_job **out,
                    size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT id, kind, COALESCE(dedupe_key, ''), payload, state, attempts, run_at,"
                      " lease_until, created_at, updated_at, last_error FROM jobs"
                      " WHERE kind = 'capture' AND JSON_VALUE(payload, '$.session_id') = ?"
                      " ORDER BY id DESC LIMIT ?",
                      MY_ARGS(MY_INT(session_id), MY_INT(limit)), &r, err, errlen);
    if (rc)
        return rc;
    *out = xcalloc(limit ? limit : 1, sizeof **out);
    while ((rc = my_next(&r, err, errlen)) == 1 && *n < limit)
        my_read_job(&r, &(*out)[(*n)++]);
    my_done(&r);
    if (rc < 0) {
        for (size_t i = 0; i < *n; i++)
            store_job_clear(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int my_backup(struct store *st, const char *path, char *err, size_t errlen)
{
    (void)st;
    (void)path;
    /* A consistent dump of a server is mariadb-dump's job (one transaction, InnoDB snapshot);
     * copying rows through the store would read tables at different moments. */
    return tca_fail(err, errlen, TCA_EINVAL,
                    "a MariaDB store is backed up with `mariadb-dump --single-transaction "
                    "--routines DATABASE > FILE.sql` and restored with `mariadb DATABASE < "
                    "FILE.sql` (docs/OPERATIONS.md)");
}

int my_compact(struct store *st, int64_t *before, int64_t *after, char *err, size_t errlen)
{
    (void)st;
    *before = *after = 0;
    /* InnoDB re-packs a table with OPTIMIZE TABLE (an online rebuild): the operator's call,
     * on the tables captures fill, not something a role runs between captures. */
    return tca_fail(err, errlen, TCA_EINVAL,
                    "a MariaDB store is re-packed with `OPTIMIZE TABLE presence, channel_chatters,"
                    " twitch_users, twitch_user_names` (docs/OPERATIONS.md)");
}

int my_token_reseal(struct store *st, store_reseal_fn fn, void *ctx, size_t *n, char *err,
                    size_t errlen)
{
    struct my_rows r = {0};
    *n = 0;
    size_t count = 0;
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    /* FOR UPDATE: a token refreshed meanwhile waits for the rotation, never gets lost in it;
     * the rows are in client memory, so the updates below may run while reading them */
    rc = my_query(st,
                  "SELECT user_id, access_sealed, refresh_sealed FROM oauth_tokens"
                  " ORDER BY user_id FOR UPDATE",
                  MY_NOARGS, &r, err, errlen);
    if (rc)
        goto out;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        int64_t user_id = my_int(&r, 0);
        const char *access = my_str(&r, 1), *refresh = my_str(&r, 2);
        char *new_access = NULL, *new_refresh = NULL;
        rc = access ? fn(ctx, user_id, access, &new_access, err, errlen) : 0;
        if (!rc && refresh)
            rc = fn(ctx, user_id, refresh, &new_refresh, err, errlen);
        if (!rc)
            rc = my_exec(st,
                         "UPDATE oauth_tokens SET access_sealed = ?, refresh_sealed = ?"
                         " WHERE user_id = ?",
                         MY_ARGS(MY_TEXT(new_access), MY_TEXT(new_refresh), MY_INT(user_id)), NULL,
                         NULL, err, errlen);
        free(new_access);
        free(new_refresh);
        if (rc)
            goto out;
        count++;
    }
    if (rc)
        goto out;
    my_done(&r);
    memset(&r, 0, sizeof r);
    rc = my_commit(st, err, errlen);
    if (!rc)
        *n = count;
out:
    my_done(&r);
    if (rc)
        my_rollback(st);
    return rc;
}
