/*
 * MariaDB: the joiners and leavers of a capture, written in multi-row statements. On a
 * server every statement is a round trip, so one statement per chatter made a 100,000-chatter
 * capture with 5% churn take seconds; here each statement carries up to BATCH chatters. It
 * must keep exactly the per-chatter rules of store/sqlite_capture.c (new to the channel,
 * returning in the session, refused double joins and leaves of absent chatters, renames),
 * and never build a statement whose size comes from outside without the BATCH bound.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per statement. Chunks are BATCH or a power of two below it, so each statement has at
 * most 8 shapes in the connection's prepared-statement cache. 128 rows of 5 values keep the
 * bind array (MYSQL_BIND on the stack of my_exec) near 80 KiB. */
enum { BATCH = 128, MAX_ARGS = 5 * BATCH + 4 };

static size_t chunk(size_t remaining)
{
    size_t n = BATCH;
    while (n > remaining)
        n /= 2;
    return n;
}

char *my_repeat_sql(const char *head, const char *item, size_t n, const char *tail)
{
    size_t hl = strlen(head), il = strlen(item), tl = strlen(tail);
    char sep = item[0] == ' ' ? '\0' : ',';
    char *sql = xmalloc(hl + n * (il + 1) + tl + 1), *p = sql;
    memcpy(p, head, hl);
    p += hl;
    for (size_t i = 0; i < n; i++) {
        if (i && sep)
            *p++ = sep;
        memcpy(p, item, il);
        p += il;
    }
    memcpy(p, tail, tl + 1);
    return sql;
}

int my_ids_found(struct store *st, const char *sql, const struct my_val *args, size_t np, size_t m,
                 unsigned char *found, char *err, size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st, sql, args, np + m, &r, err, errlen);
    if (rc)
        return rc;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        int64_t id = my_int(&r, 0);
        for (size_t i = 0; i < m; i++)
            if (args[np + i].i == id)
                found[i] = 1;
    }
    my_done(&r);
    return rc < 0 ? rc : 0;
}

/* Marks known[i] for each of the m chatters the channel has seen before. */
static int mark_known(struct store *st, const struct store_capture_input *in,
                      const struct chatter *const *ch, size_t m, unsigned char *known,
                      struct my_val *args, char *err, size_t errlen)
{
    char *sql = my_repeat_sql("SELECT user_id FROM channel_chatters WHERE channel_id = ?"
                              " AND user_id IN (",
                              "?", m, ")");
    args[0] = MY_INT(in->channel_id);
    for (size_t i = 0; i < m; i++)
        args[1 + i] = MY_INT(ch[i]->id);
    int rc = my_ids_found(st, sql, args, 1, m, known, err, errlen);
    free(sql);
    return rc;
}

/* The chatters new to the channel: their history rows (the key alone). */
static int insert_first_seen(struct store *st, const struct store_capture_input *in,
                             const struct chatter *const *ch, size_t m, struct my_val *args,
                             char *err, size_t errlen)
{
    char *sql =
        my_repeat_sql("INSERT INTO channel_chatters(channel_id, user_id) VALUES", "(?, ?)", m, "");
    for (size_t i = 0; i < m; i++) {
        args[2 * i] = MY_INT(in->channel_id);
        args[2 * i + 1] = MY_INT(ch[i]->id);
    }
    int rc = my_exec(st, sql, args, 2 * m, NULL, NULL, err, errlen);
    free(sql);
    return rc;
}

/* Names of chatters new to the channel: those tca never saw get a placeholder profile in
 * one statement; the others are checked for a rename one by one, as on SQLite. */
static int name_fresh(struct store *st, const struct store_capture_input *in,
                      const struct chatter *const *ch, size_t m, struct my_val *args,
                      int64_t *renames, char *err, size_t errlen)
{
    unsigned char profile[BATCH] = {0};
    char *sql = my_repeat_sql("SELECT id FROM twitch_users WHERE id IN (", "?", m, ")");
    for (size_t i = 0; i < m; i++)
        args[i] = MY_INT(ch[i]->id);
    struct my_rows r;
    int rc = my_query(st, sql, args, m, &r, err, errlen);
    free(sql);
    if (rc)
        return rc;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        int64_t id = my_int(&r, 0);
        for (size_t i = 0; i < m; i++)
            if (ch[i]->id == id)
                profile[i] = 1;
    }
    my_done(&r);
    if (rc < 0)
        return rc;
    size_t n_new = 0;
    for (size_t i = 0; i < m; i++) {
        if (!profile[i]) {
            const char *display = ch[i]->display_name[0] ? ch[i]->display_name : ch[i]->login;
            args[3 * n_new] = MY_INT(ch[i]->id);
            args[3 * n_new + 1] = MY_TEXT(ch[i]->login);
            args[3 * n_new + 2] = MY_TEXT(display);
            n_new++;
        }
    }
    /* Cut into power-of-two chunks too, so the statement shapes stay few. */
    for (size_t at = 0, k; at < n_new && !rc; at += k) {
        k = chunk(n_new - at);
        sql = my_repeat_sql("INSERT IGNORE INTO twitch_users(id, login, display_name) VALUES",
                            "(?, ?, ?)", k, "");
        rc = my_exec(st, sql, args + 3 * at, 3 * k, NULL, NULL, err, errlen);
        free(sql);
    }
    for (size_t i = 0; i < m && !rc; i++) {
        if (!profile[i])
            continue;
        int64_t before = *renames;
        rc = my_capture_name(st, ch[i], 0, in->taken_at_ms, in->taken_at_ms, renames, err, errlen);
        if (!rc && *renames != before) /* its stays in the session's other channels */
            rc = my_stay_rename(st, in->session_id, ch[i]->id,
                                chatter_name_hash(ch[i]->login, ch[i]->display_name), err, errlen);
    }
    return rc;
}

/* A chatter the channel knows: its name, and a refusal if it is present already. Rare next
 * to new chatters: one at a time. */
static int join_known(struct store *st, const struct store_capture_input *in,
                      const struct chatter *ch, struct my_aggregates *agg, int64_t *renames,
                      char *err, size_t errlen)
{
    int64_t before = *renames;
    int rc = my_capture_name(st, ch, 0, in->taken_at_ms, in->taken_at_ms, renames, err, errlen);
    if (!rc && *renames != before)
        rc = my_stay_rename(st, in->session_id, ch->id,
                            chatter_name_hash(ch->login, ch->display_name), err, errlen);
    if (rc)
        return rc;
    int again = 0, open = 0;
    if (in->seq > 1) {
        struct my_rows r;
        rc = my_query(st,
                      "SELECT to_seq IS NULL FROM presence WHERE session_id = ? AND user_id = ?"
                      " AND channel_id = ? ORDER BY from_seq DESC LIMIT 1",
                      MY_ARGS(MY_INT(in->session_id), MY_INT(ch->id), MY_INT(in->channel_id)), &r,
                      err, errlen);
        if (rc)
            return rc;
        rc = my_next(&r, err, errlen);
        again = rc == 1;
        open = again && my_int(&r, 0);
        my_done(&r);
        if (rc < 0)
            return rc;
    }
    if (open)
        return tca_fail(err, errlen, TCA_EINVAL, "chatter %lld joined but was already present",
                        (long long)ch->id);
    /* with no stay at all in the session this is their first (the aggregates ask) */
    my_aggregates_join(agg, ch->id, 0, !again);
    return 0;
}

static int open_stays(struct store *st, const struct store_capture_input *in,
                      const struct chatter *const *ch, size_t m, struct my_val *args, char *err,
                      size_t errlen)
{
    char *sql = my_repeat_sql("INSERT INTO presence(session_id, user_id, channel_id, from_seq,"
                              " to_seq, name_hash) VALUES",
                              "(?, ?, ?, ?, NULL, ?)", m, "");
    for (size_t i = 0; i < m; i++) {
        args[5 * i] = MY_INT(in->session_id);
        args[5 * i + 1] = MY_INT(ch[i]->id);
        args[5 * i + 2] = MY_INT(in->channel_id);
        args[5 * i + 3] = MY_INT(in->seq);
        args[5 * i + 4] = MY_INT(chatter_name_hash(ch[i]->login, ch[i]->display_name));
    }
    int rc = my_exec(st, sql, args, 5 * m, NULL, NULL, err, errlen);
    free(sql);
    return rc;
}

/* One chunk of joiners: who is new to the channel, their rows, names, then the stays. */
static int join_chunk(struct store *st, const struct store_capture_input *in,
                      const struct chatter *const *ch, size_t m, struct my_val *args,
                      struct my_aggregates *agg, int64_t *new_to_channel, int64_t *renames,
                      char *err, size_t errlen)
{
    unsigned char known[BATCH] = {0};
    const struct chatter *fresh[BATCH];
    size_t n_fresh = 0;
    int rc = mark_known(st, in, ch, m, known, args, err, errlen);
    for (size_t i = 0; i < m; i++)
        if (!known[i])
            fresh[n_fresh++] = ch[i];
    for (size_t at = 0, k; at < n_fresh && !rc; at += k) {
        k = chunk(n_fresh - at);
        rc = insert_first_seen(st, in, fresh + at, k, args, err, errlen);
        if (!rc)
            rc = name_fresh(st, in, fresh + at, k, args, renames, err, errlen);
    }
    *new_to_channel += (int64_t)n_fresh;
    for (size_t i = 0; i < n_fresh; i++)
        my_aggregates_join(agg, fresh[i]->id, 1, 1);
    for (size_t i = 0; i < m && !rc; i++)
        if (known[i])
            rc = join_known(st, in, ch[i], agg, renames, err, errlen);
    if (!rc)
        rc = open_stays(st, in, ch, m, args, err, errlen);
    return rc;
}

int my_capture_joiners(struct store *st, const struct store_capture_input *in,
                       struct my_aggregates *agg, int64_t *new_to_channel, int64_t *renames,
                       char *err, size_t errlen)
{
    const struct chatter **ch = xcalloc(in->n_joined ? in->n_joined : 1, sizeof *ch);
    struct my_val *args = xcalloc(MAX_ARGS, sizeof *args);
    int rc = 0;
    size_t k = 0;
    for (size_t j = 0; j < in->n_joined && !rc; j++) {
        while (k < in->n_chatters && in->chatters[k].id < in->joined[j])
            k++;
        if (k == in->n_chatters || in->chatters[k].id != in->joined[j])
            rc = tca_fail(err, errlen, TCA_EINVAL, "joined chatter %lld is not in the capture",
                          (long long)in->joined[j]);
        else
            ch[j] = &in->chatters[k];
    }
    for (size_t at = 0, m; at < in->n_joined && !rc; at += m) {
        m = chunk(in->n_joined - at);
        rc = join_chunk(st, in, ch + at, m, args, agg, new_to_channel, renames, err, errlen);
    }
    free(args);
    free(ch);
    return rc;
}

/* One chunk of leavers: find each open stay, close them all. */
static int leave_chunk(struct store *st, const struct store_capture_input *in, const int64_t *ids,
                       size_t m, struct my_val *args, char *err, size_t errlen)
{
    int64_t from[BATCH] = {0};
    char *sql = my_repeat_sql("SELECT user_id, from_seq FROM presence WHERE session_id = ?"
                              " AND channel_id = ? AND to_seq IS NULL AND user_id IN (",
                              "?", m, ")");
    args[0] = MY_INT(in->session_id);
    args[1] = MY_INT(in->channel_id);
    for (size_t i = 0; i < m; i++)
        args[2 + i] = MY_INT(ids[i]);
    struct my_rows r;
    int rc = my_query(st, sql, args, 2 + m, &r, err, errlen);
    free(sql);
    if (rc)
        return rc;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        int64_t id = my_int(&r, 0);
        for (size_t i = 0; i < m; i++)
            if (ids[i] == id)
                from[i] = my_int(&r, 1);
    }
    my_done(&r);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < m; i++)
        if (!from[i])
            return tca_fail(err, errlen, TCA_EINVAL, "chatter %lld left but was not present",
                            (long long)ids[i]);
    sql = my_repeat_sql("UPDATE presence SET to_seq = ? WHERE session_id = ? AND channel_id = ?"
                        " AND to_seq IS NULL AND user_id IN (",
                        "?", m, ")");
    args[0] = MY_INT(in->seq - 1);
    args[1] = MY_INT(in->session_id);
    args[2] = MY_INT(in->channel_id);
    for (size_t i = 0; i < m; i++)
        args[3 + i] = MY_INT(ids[i]);
    uint64_t closed = 0;
    rc = my_exec(st, sql, args, 3 + m, &closed, NULL, err, errlen);
    free(sql);
    if (!rc && closed != m) /* the same chatter twice in the list */
        rc = tca_fail(err, errlen, TCA_EINVAL, "a chatter left twice");
    return rc;
}

int my_capture_leavers(struct store *st, const struct store_capture_input *in, char *err,
                       size_t errlen)
{
    struct my_val *args = xcalloc(MAX_ARGS, sizeof *args);
    int rc = 0;
    for (size_t at = 0, m; at < in->n_left && !rc; at += m) {
        m = chunk(in->n_left - at);
        rc = leave_chunk(st, in, in->left + at, m, args, err, errlen);
    }
    free(args);
    return rc;
}
