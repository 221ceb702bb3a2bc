/*
 * Captures and presence intervals: the hot path of every capture. A commit touches only the
 * chatters who joined or left; everyone who stayed costs nothing. It must never write a
 * capture partially, and never write a row for a chatter whose stay goes on (an open stay
 * only remembers a hash of its chatter's name, in open_stays: renames are in
 * sqlite_capture_names.c). A stay row is written at its final size: its span (NULL while
 * open) takes one byte when it closes, and open_stays loses the open stay's row. The
 * channel's history (channel_chatters) is only who it has seen: written once per chatter and
 * channel, never updated.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The last capture of a channel in a session: its seq, time and chatter count. */
static const char last_sql[] = "SELECT seq, taken_at, chatter_count FROM captures"
                               " WHERE session_id = ? AND channel_id = ? ORDER BY seq DESC LIMIT 1";

int sq_presence_open_named(struct store *st, int64_t session_id, int64_t channel_id,
                           int64_t **user_ids, int64_t **name_hashes, size_t *n, int64_t *last_seq,
                           char *err, size_t errlen)
{
    *user_ids = NULL;
    if (name_hashes)
        *name_hashes = NULL;
    *n = 0;
    *last_seq = 0;
    sqlite3_stmt *last, *open;
    int rc = sq_stmt(st, last_sql, &last, err, errlen);
    if (!rc)
        rc = sq_stmt(st,
                     "SELECT user_id, name_hash FROM open_stays"
                     " WHERE session_id = ? AND channel_id = ? ORDER BY user_id",
                     &open, err, errlen);
    if (rc)
        return rc;
    /* One snapshot for both reads, so last_seq matches the stays. */
    rc = sq_begin_read(st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(last, 1, session_id);
    sqlite3_bind_int64(last, 2, channel_id);
    int src = sqlite3_step(last);
    size_t cap = 0;
    if (src == SQLITE_ROW) {
        *last_seq = sqlite3_column_int64(last, 0);
        int64_t count = sqlite3_column_int64(last, 2);
        cap = count > 0 ? (size_t)count : 0;
        src = SQLITE_DONE;
    }
    sqlite3_reset(last);
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "last capture");
        goto out;
    }
    /* The last capture's chatter count is exactly the number of open stays: one
     * allocation. */
    size_t hash_cap = cap;
    *user_ids = xmalloc((cap ? cap : 1) * sizeof **user_ids);
    if (name_hashes)
        *name_hashes = xmalloc((cap ? cap : 1) * sizeof **name_hashes);
    sqlite3_bind_int64(open, 1, session_id);
    sqlite3_bind_int64(open, 2, channel_id);
    while ((src = sqlite3_step(open)) == SQLITE_ROW) {
        if (name_hashes)
            *name_hashes = xgrow(*name_hashes, &hash_cap, *n, sizeof **name_hashes, 64);
        *user_ids = xgrow(*user_ids, &cap, *n, sizeof **user_ids, 64);
        (*user_ids)[*n] = sqlite3_column_int64(open, 0);
        if (name_hashes)
            (*name_hashes)[*n] = sqlite3_column_int64(open, 1);
        (*n)++;
    }
    sqlite3_reset(open);
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "open stays");
        goto out;
    }
    rc = sq_commit(st, err, errlen);
out:
    if (rc) {
        sq_rollback(st);
        free(*user_ids);
        *user_ids = NULL;
        if (name_hashes) {
            free(*name_hashes);
            *name_hashes = NULL;
        }
        *n = 0;
    }
    return rc;
}

int sq_presence_open(struct store *st, int64_t session_id, int64_t channel_id, int64_t **user_ids,
                     size_t *n, int64_t *last_seq, char *err, size_t errlen)
{
    return sq_presence_open_named(st, session_id, channel_id, user_ids, NULL, n, last_seq, err,
                                  errlen);
}

/* The statements a commit runs, prepared together before the transaction starts. One
 * statement per joined or left chatter, reused: passing the whole set as a JSON array to
 * json_each-driven statements was tried and measured no faster (the cost is in the B-tree
 * work and the WAL pages, not in stepping statements), so the simpler form stays. */
struct commit_stmts {
    sqlite3_stmt *last, *insert, *stay_open, *open_add, *stay_find, *stay_close, *open_remove,
        *first;
};

static int prepare_commit(struct store *st, struct commit_stmts *c, char *err, size_t errlen)
{
    int rc = sq_stmt(st, last_sql, &c->last, err, errlen);
    if (!rc)
        rc = sq_stmt(st,
                     "INSERT INTO captures(session_id, channel_id, seq, taken_at, chatter_count,"
                     " joined, \"left\", new_to_channel, pages, duration_ms, job_id, renames,"
                     " new_to_owner, first_stays) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     &c->insert, err, errlen);
    if (!rc)
        rc = sq_stmt(st,
                     "INSERT INTO stays(session_id, user_id, channel_id, from_seq, span)"
                     " VALUES(?, ?, ?, ?, NULL)",
                     &c->stay_open, err, errlen);
    if (!rc)
        rc = sq_stmt(st,
                     "INSERT INTO open_stays(session_id, channel_id, user_id, name_hash)"
                     " VALUES(?, ?, ?, ?)",
                     &c->open_add, err, errlen);
    /* A joiner's last stay in the channel, the one that can be open: the key's
     * (session, user, channel) prefix read backwards tells whether this is their first stay
     * of the session, and that none is open. */
    if (!rc)
        rc = sq_stmt(st,
                     "SELECT from_seq, span IS NULL FROM stays WHERE session_id = ? AND user_id = ?"
                     " AND channel_id = ? ORDER BY from_seq DESC LIMIT 1",
                     &c->stay_find, err, errlen);
    /* Not UPDATE ... RETURNING: SQLite builds a temporary table for the returned rows on
     * every execution, which cost more than this second statement. */
    if (!rc)
        rc = sq_stmt(st,
                     "UPDATE stays SET span = ? - from_seq WHERE session_id = ? AND user_id = ?"
                     " AND channel_id = ? AND span IS NULL",
                     &c->stay_close, err, errlen);
    if (!rc)
        rc = sq_stmt(
            st, "DELETE FROM open_stays WHERE session_id = ? AND channel_id = ? AND user_id = ?",
            &c->open_remove, err, errlen);
    if (!rc)
        rc = sq_stmt(st,
                     "INSERT INTO channel_chatters(channel_id, user_id) VALUES(?1, ?2)"
                     " ON CONFLICT DO NOTHING",
                     &c->first, err, errlen);
    return rc;
}

static int step_done(struct store *st, sqlite3_stmt *s, char *err, size_t errlen, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, rc, err, errlen, what);
}

/* Opens a stay for one joined chatter, records them in the channel's history if it did not
 * know them, and checks their name. */
static int join(struct store *st, struct commit_stmts *c, const struct store_capture_input *in,
                const struct chatter *ch, struct sq_aggregates *agg, int64_t *new_to_channel,
                int64_t *renames, char *err, size_t errlen)
{
    sqlite3_bind_int64(c->first, 1, in->channel_id);
    sqlite3_bind_int64(c->first, 2, ch->id);
    int rc = step_done(st, c->first, err, errlen, "channel chatter");
    if (rc)
        return rc;
    int new_here = sqlite3_changes(sq_conn(st)->db) == 1;
    int64_t before = *renames;
    rc = sq_capture_name(st, ch, new_here, in->taken_at_ms, in->taken_at_ms, renames, err, errlen);
    if (!rc && *renames != before) /* its stays in the session's other channels */
        rc = sq_stay_rename(st, in->session_id, ch->id,
                            chatter_name_hash(ch->login, ch->display_name), err, errlen);
    if (rc)
        return rc;
    if (new_here) {
        (*new_to_channel)++;
        rc = sq_aggregates_join(st, agg, ch->id, 1, 1, err, errlen);
    } else {
        /* Only a chatter the channel knows can have a stay in this session: refuse a join
         * while one is open; with none at all this is their first stay (the aggregates ask). */
        int again = 0, open = 0;
        if (in->seq > 1) {
            sqlite3_bind_int64(c->stay_find, 1, in->session_id);
            sqlite3_bind_int64(c->stay_find, 2, ch->id);
            sqlite3_bind_int64(c->stay_find, 3, in->channel_id);
            int src = sqlite3_step(c->stay_find);
            again = src == SQLITE_ROW;
            open = again && sqlite3_column_int(c->stay_find, 1);
            sqlite3_reset(c->stay_find);
            if (src != SQLITE_ROW && src != SQLITE_DONE)
                return sq_fail(st, src, err, errlen, "stay lookup");
        }
        if (open)
            return tca_fail(err, errlen, TCA_EINVAL, "chatter %lld joined but was already present",
                            (long long)ch->id);
        rc = sq_aggregates_join(st, agg, ch->id, 0, !again, err, errlen);
    }
    if (rc)
        return rc;
    sqlite3_bind_int64(c->stay_open, 1, in->session_id);
    sqlite3_bind_int64(c->stay_open, 2, ch->id);
    sqlite3_bind_int64(c->stay_open, 3, in->channel_id);
    sqlite3_bind_int64(c->stay_open, 4, in->seq);
    rc = step_done(st, c->stay_open, err, errlen, "open stay");
    if (rc)
        return rc;
    sqlite3_bind_int64(c->open_add, 1, in->session_id);
    sqlite3_bind_int64(c->open_add, 2, in->channel_id);
    sqlite3_bind_int64(c->open_add, 3, ch->id);
    sqlite3_bind_int64(c->open_add, 4, chatter_name_hash(ch->login, ch->display_name));
    return step_done(st, c->open_add, err, errlen, "open stay");
}

/* Closes the open stay of one chatter who left. A chatter has an open_stays row exactly
 * while their stay is open, so deleting it is the check; the stay itself is the one of the
 * chatter's few in the channel without a span (no read of its first capture first: one
 * B-tree seek less per leaver). */
static int leave(struct store *st, struct commit_stmts *c, const struct store_capture_input *in,
                 int64_t user_id, char *err, size_t errlen)
{
    sqlite3_bind_int64(c->open_remove, 1, in->session_id);
    sqlite3_bind_int64(c->open_remove, 2, in->channel_id);
    sqlite3_bind_int64(c->open_remove, 3, user_id);
    int rc = step_done(st, c->open_remove, err, errlen, "close stay");
    if (rc)
        return rc;
    if (sqlite3_changes(sq_conn(st)->db) != 1)
        return tca_fail(err, errlen, TCA_EINVAL, "chatter %lld left but was not present",
                        (long long)user_id);
    sqlite3_bind_int64(c->stay_close, 1, in->seq - 1);
    sqlite3_bind_int64(c->stay_close, 2, in->session_id);
    sqlite3_bind_int64(c->stay_close, 3, user_id);
    sqlite3_bind_int64(c->stay_close, 4, in->channel_id);
    return step_done(st, c->stay_close, err, errlen, "close stay");
}

/* Checks the name of each chatter whose stay recorded another one, and records the new
 * name on the stay, renamed or not (another channel may have seen the rename first). */
static int rename_stayers(struct store *st, const struct store_capture_input *in,
                          int64_t prev_taken_at, int64_t *renames, char *err, size_t errlen)
{
    size_t k = 0;
    for (size_t r = 0; r < in->n_renamed; r++) {
        while (k < in->n_chatters && in->chatters[k].id < in->renamed[r])
            k++;
        if (k == in->n_chatters || in->chatters[k].id != in->renamed[r])
            return tca_fail(err, errlen, TCA_EINVAL, "renamed chatter %lld is not in the capture",
                            (long long)in->renamed[r]);
        const struct chatter *ch = &in->chatters[k];
        int rc = sq_capture_name(st, ch, 0, prev_taken_at, in->taken_at_ms, renames, err, errlen);
        if (!rc)
            rc = sq_stay_rename(st, in->session_id, ch->id,
                                chatter_name_hash(ch->login, ch->display_name), err, errlen);
        if (rc)
            return rc;
    }
    return 0;
}

/* The /metrics counters: one row update per capture, two when it saw renames. */
static int count_capture(struct store *st, int64_t renames, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, "UPDATE counters SET value = value + ?2 WHERE name = ?1", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, "captures", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, 1);
    rc = step_done(st, s, err, errlen, "counter");
    if (!rc && renames) {
        sqlite3_bind_text(s, 1, "capture_renames", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, renames);
        rc = step_done(st, s, err, errlen, "counter");
    }
    return rc;
}

static int check_input(const struct store_capture_input *in, char *err, size_t errlen)
{
    if (in->seq < 1 || in->n_joined > in->n_chatters)
        return tca_fail(err, errlen, TCA_EINVAL, "malformed capture");
    if ((in->n_chatters && !in->chatters) || (in->n_joined && !in->joined) ||
        (in->n_left && !in->left) || (in->n_renamed && !in->renamed))
        return tca_fail(err, errlen, TCA_EINVAL, "malformed capture");
    return 0;
}

int sq_capture_commit(struct store *st, const struct store_capture_input *in,
                      struct store_capture_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct commit_stmts c;
    int rc = check_input(in, err, errlen);
    if (!rc)
        rc = prepare_commit(st, &c, err, errlen);
    if (!rc)
        rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    int64_t last_seq = 0, prev_taken_at = 0, prev_count = 0, new_to_channel = 0, renames = 0;
    struct sq_aggregates agg;
    sq_aggregates_init(&agg, in);
    sqlite3_bind_int64(c.last, 1, in->session_id);
    sqlite3_bind_int64(c.last, 2, in->channel_id);
    int src = sqlite3_step(c.last);
    if (src == SQLITE_ROW) {
        last_seq = sqlite3_column_int64(c.last, 0);
        prev_taken_at = sqlite3_column_int64(c.last, 1);
        prev_count = sqlite3_column_int64(c.last, 2);
        src = SQLITE_DONE;
    }
    sqlite3_reset(c.last);
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "last capture");
        goto out;
    }
    if (in->seq != last_seq + 1) {
        rc = tca_fail(err, errlen, TCA_ECONFLICT, "capture %lld follows %lld: expected %lld",
                      (long long)in->seq, (long long)last_seq, (long long)last_seq + 1);
        goto out;
    }
    /* A diff against anything but the current open stays would corrupt the intervals. */
    if ((int64_t)in->n_chatters != prev_count - (int64_t)in->n_left + (int64_t)in->n_joined) {
        rc = tca_fail(err, errlen, TCA_EINVAL, "the diff does not match the open stays");
        goto out;
    }
    size_t k = 0;
    for (size_t j = 0; j < in->n_joined; j++) {
        while (k < in->n_chatters && in->chatters[k].id < in->joined[j])
            k++;
        if (k == in->n_chatters || in->chatters[k].id != in->joined[j]) {
            rc = tca_fail(err, errlen, TCA_EINVAL, "joined chatter %lld is not in the capture",
                          (long long)in->joined[j]);
            goto out;
        }
        rc = join(st, &c, in, &in->chatters[k], &agg, &new_to_channel, &renames, err, errlen);
        if (rc)
            goto out;
    }
    for (size_t l = 0; l < in->n_left; l++) {
        rc = leave(st, &c, in, in->left[l], err, errlen);
        if (rc)
            goto out;
    }
    rc = rename_stayers(st, in, prev_taken_at, &renames, err, errlen);
    if (rc)
        goto out;
    sqlite3_bind_int64(c.insert, 1, in->session_id);
    sqlite3_bind_int64(c.insert, 2, in->channel_id);
    sqlite3_bind_int64(c.insert, 3, in->seq);
    sqlite3_bind_int64(c.insert, 4, in->taken_at_ms);
    sqlite3_bind_int64(c.insert, 5, (int64_t)in->n_chatters);
    sqlite3_bind_int64(c.insert, 6, (int64_t)in->n_joined);
    sqlite3_bind_int64(c.insert, 7, (int64_t)in->n_left);
    sqlite3_bind_int64(c.insert, 8, new_to_channel);
    sqlite3_bind_int(c.insert, 9, in->pages);
    sqlite3_bind_int64(c.insert, 10, in->duration_ms);
    if (in->job_id > 0)
        sqlite3_bind_int64(c.insert, 11, in->job_id);
    else
        sqlite3_bind_null(c.insert, 11);
    sqlite3_bind_int64(c.insert, 12, renames);
    sqlite3_bind_int64(c.insert, 13, agg.new_to_owner);
    sqlite3_bind_int64(c.insert, 14, agg.first_stays);
    rc = step_done(st, c.insert, err, errlen, "capture insert");
    if (rc)
        goto out;
    out->capture_id = sqlite3_last_insert_rowid(sq_conn(st)->db);
    rc = count_capture(st, renames, err, errlen);
    if (rc)
        goto out;
    if (in->job_id > 0) {
        rc = sq_job_done(st, in->job_id, err, errlen);
        if (rc)
            goto out;
    }
    rc = sq_commit(st, err, errlen);
out:
    sq_aggregates_free(&agg);
    if (rc) {
        sq_rollback(st);
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->seq = in->seq;
    out->chatter_count = (int64_t)in->n_chatters;
    out->joined = (int64_t)in->n_joined;
    out->left = (int64_t)in->n_left;
    out->new_to_channel = new_to_channel;
    out->renames = renames;
    return 0;
}
