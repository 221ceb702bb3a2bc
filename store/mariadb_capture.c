/*
 * MariaDB: captures and presence intervals, the hot path of every capture (the same diffing
 * contract as store/sqlite_capture.c). A commit touches only the chatters who joined or left,
 * in one InnoDB transaction with the job's completion (in multi-row statements:
 * mariadb_capture_batch.c); it must never write a capture partially. Two writers of one channel are
 * kept apart by locking the channel's last capture row and, for the first capture, by the unique
 * (session, channel, seq) key.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The last capture of a channel in a session: its seq, time and chatter count. */
static int last_capture(struct store *st, const struct store_capture_input *in, int lock,
                        int64_t *seq, int64_t *taken_at, int64_t *count, char *err, size_t errlen)
{
    *seq = *taken_at = *count = 0;
    struct my_rows r;
    int rc = my_query(st,
                      lock ? "SELECT seq, taken_at, chatter_count FROM captures"
                             " WHERE session_id = ? AND channel_id = ? ORDER BY seq DESC LIMIT 1"
                             " FOR UPDATE"
                           : "SELECT seq, taken_at, chatter_count FROM captures"
                             " WHERE session_id = ? AND channel_id = ? ORDER BY seq DESC LIMIT 1",
                      MY_ARGS(MY_INT(in->session_id), MY_INT(in->channel_id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        *seq = my_int(&r, 0);
        *taken_at = my_int(&r, 1);
        *count = my_int(&r, 2);
    }
    my_done(&r);
    return rc < 0 ? rc : 0;
}

int my_presence_open_named(struct store *st, int64_t session_id, int64_t channel_id,
                           int64_t **user_ids, int64_t **name_hashes, size_t *n, int64_t *last_seq,
                           char *err, size_t errlen)
{
    *user_ids = NULL;
    if (name_hashes)
        *name_hashes = NULL;
    *n = 0;
    *last_seq = 0;
    struct store_capture_input key = {.session_id = session_id, .channel_id = channel_id};
    int64_t taken_at, count;
    /* One snapshot for both reads, so last_seq matches the stays. */
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = last_capture(st, &key, 0, last_seq, &taken_at, &count, err, errlen);
    struct my_rows r;
    if (!rc)
        rc = my_query(st,
                      "SELECT user_id, name_hash FROM presence WHERE session_id = ?"
                      " AND channel_id = ? AND to_seq IS NULL ORDER BY user_id",
                      MY_ARGS(MY_INT(session_id), MY_INT(channel_id)), &r, err, errlen);
    if (!rc) {
        size_t cap = count > 0 ? (size_t)count : 0, hash_cap = cap;
        *user_ids = xmalloc((cap ? cap : 1) * sizeof **user_ids);
        if (name_hashes)
            *name_hashes = xmalloc((cap ? cap : 1) * sizeof **name_hashes);
        while ((rc = my_next(&r, err, errlen)) == 1) {
            if (name_hashes) {
                *name_hashes = xgrow(*name_hashes, &hash_cap, *n, sizeof **name_hashes, 64);
                (*name_hashes)[*n] = my_int(&r, 1);
            }
            *user_ids = xgrow(*user_ids, &cap, *n, sizeof **user_ids, 64);
            (*user_ids)[(*n)++] = my_int(&r, 0);
        }
        my_done(&r);
        if (rc == 0)
            rc = my_commit(st, err, errlen);
    }
    if (rc) {
        my_rollback(st);
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

int my_presence_open(struct store *st, int64_t session_id, int64_t channel_id, int64_t **user_ids,
                     size_t *n, int64_t *last_seq, char *err, size_t errlen)
{
    return my_presence_open_named(st, session_id, channel_id, user_ids, NULL, n, last_seq, err,
                                  errlen);
}

int my_capture_totals(struct store *st, int64_t *captures, int64_t *renames, char *err,
                      size_t errlen)
{
    *captures = *renames = 0;
    struct my_rows r;
    int rc = my_query(st, "SELECT COUNT(*), COALESCE(SUM(renames), 0) FROM captures", MY_NOARGS, &r,
                      err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        *captures = my_int(&r, 0);
        *renames = my_int(&r, 1);
    }
    my_done(&r);
    return rc < 0 ? rc : 0;
}

/* Checks the name of each chatter whose stay recorded another one (see sqlite_capture.c). */
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
        int rc = my_capture_name(st, ch, 0, prev_taken_at, in->taken_at_ms, renames, err, errlen);
        if (!rc)
            rc = my_stay_rename(st, in->session_id, ch->id,
                                chatter_name_hash(ch->login, ch->display_name), err, errlen);
        if (rc)
            return rc;
    }
    return 0;
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

/* The body of a commit, inside the transaction. */
static int write_capture(struct store *st, const struct store_capture_input *in,
                         struct store_capture_result *out, char *err, size_t errlen)
{
    int64_t last_seq, prev_taken_at, prev_count, new_to_channel = 0, renames = 0;
    int rc = last_capture(st, in, 1, &last_seq, &prev_taken_at, &prev_count, err, errlen);
    if (rc)
        return rc;
    if (in->seq != last_seq + 1)
        return tca_fail(err, errlen, TCA_ECONFLICT, "capture %lld follows %lld: expected %lld",
                        (long long)in->seq, (long long)last_seq, (long long)last_seq + 1);
    /* A diff against anything but the current open stays would corrupt the intervals. */
    if ((int64_t)in->n_chatters != prev_count - (int64_t)in->n_left + (int64_t)in->n_joined)
        return tca_fail(err, errlen, TCA_EINVAL, "the diff does not match the open stays");
    struct my_aggregates agg = {0};
    rc = my_capture_joiners(st, in, &agg, &new_to_channel, &renames, err, errlen);
    if (!rc)
        rc = my_capture_leavers(st, in, err, errlen);
    if (!rc)
        rc = rename_stayers(st, in, prev_taken_at, &renames, err, errlen);
    if (!rc)
        rc = my_aggregates_finish(st, &agg, in, err, errlen);
    int64_t new_to_owner = agg.new_to_owner, first_stays = agg.first_stays;
    my_aggregates_free(&agg);
    if (rc)
        return rc;
    struct my_val job = in->job_id > 0 ? MY_INT(in->job_id) : MY_TEXT(NULL);
    rc = my_exec(st,
                 "INSERT INTO captures(session_id, channel_id, seq, taken_at, chatter_count,"
                 " joined, `left`, new_to_channel, pages, duration_ms, job_id, renames,"
                 " new_to_owner, first_stays) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 MY_ARGS(MY_INT(in->session_id), MY_INT(in->channel_id), MY_INT(in->seq),
                         MY_INT(in->taken_at_ms), MY_INT(in->n_chatters), MY_INT(in->n_joined),
                         MY_INT(in->n_left), MY_INT(new_to_channel), MY_INT(in->pages),
                         MY_INT(in->duration_ms), job, MY_INT(renames), MY_INT(new_to_owner),
                         MY_INT(first_stays)),
                 NULL, &out->capture_id, err, errlen);
    if (!rc && in->job_id > 0)
        rc = my_job_done(st, in->job_id, err, errlen);
    out->new_to_channel = new_to_channel;
    out->renames = renames;
    return rc;
}

int my_capture_commit(struct store *st, const struct store_capture_input *in,
                      struct store_capture_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc = check_input(in, err, errlen);
    if (!rc)
        rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = write_capture(st, in, out, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc) {
        my_rollback(st);
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->seq = in->seq;
    out->chatter_count = (int64_t)in->n_chatters;
    out->joined = (int64_t)in->n_joined;
    out->left = (int64_t)in->n_left;
    return 0;
}

int my_capture_list(struct store *st, int64_t session_id, int64_t channel_id,
                    struct store_capture **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = channel_id
                 ? my_query(st,
                            "SELECT id, session_id, channel_id, seq, taken_at, chatter_count,"
                            " joined, `left`, new_to_channel, pages, duration_ms, renames,"
                            " COALESCE(new_to_owner, -1), COALESCE(first_stays, -1) FROM captures"
                            " WHERE session_id = ? AND channel_id = ? ORDER BY seq",
                            MY_ARGS(MY_INT(session_id), MY_INT(channel_id)), &r, err, errlen)
                 : my_query(st,
                            "SELECT id, session_id, channel_id, seq, taken_at, chatter_count,"
                            " joined, `left`, new_to_channel, pages, duration_ms, renames,"
                            " COALESCE(new_to_owner, -1), COALESCE(first_stays, -1) FROM captures"
                            " WHERE session_id = ? ORDER BY taken_at, id",
                            MY_ARGS(MY_INT(session_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 64);
        struct store_capture *c = &(*out)[(*n)++];
        c->id = my_int(&r, 0);
        c->session_id = my_int(&r, 1);
        c->channel_id = my_int(&r, 2);
        c->seq = my_int(&r, 3);
        c->taken_at_ms = my_int(&r, 4);
        c->chatter_count = my_int(&r, 5);
        c->joined = my_int(&r, 6);
        c->left = my_int(&r, 7);
        c->new_to_channel = my_int(&r, 8);
        c->pages = (int)my_int(&r, 9);
        c->duration_ms = my_int(&r, 10);
        c->renames = my_int(&r, 11);
        c->new_to_owner = my_int(&r, 12); /* -1: stored before the aggregates step */
        c->first_stays = my_int(&r, 13);
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
