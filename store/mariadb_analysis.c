/*
 * MariaDB: analysis inputs, what the statistics read from the store (the channels of a
 * session, the sessions of a channel, each chatter's visits, profiles, name histories, one
 * capture's exact chatter list, a chatter's sessions). Read-only, and it must never compute a
 * statistic: that is analysis/'s job.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Reads the current row into the element at p. */
typedef void (*read_fn)(const struct my_rows *r, void *p);

/* Runs sql and collects every row into a new array of elements of size elem (*out the
 * caller's to free). */
static int collect(struct store *st, const char *sql, const struct my_val *args, size_t nargs,
                   size_t elem, read_fn read, void **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st, sql, args, nargs, &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    char *items = NULL;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        items = xgrow(items, &cap, *n, elem, 64);
        memset(items + *n * elem, 0, elem);
        read(&r, items + *n * elem);
        (*n)++;
    }
    my_done(&r);
    if (rc < 0) {
        free(items);
        *n = 0;
        return rc;
    }
    *out = items;
    return 0;
}

static void read_session_channel(const struct my_rows *r, void *p)
{
    struct store_session_channel *c = p;
    c->channel_id = my_int(r, 0);
    my_text(r, 1, c->login, sizeof c->login);
    my_text(r, 2, c->display_name, sizeof c->display_name);
    c->captures = my_int(r, 3);
    c->first_at_ms = my_int(r, 4);
    c->last_at_ms = my_int(r, 5);
}

int my_session_channels(struct store *st, int64_t session_id, struct store_session_channel **out,
                        size_t *n, char *err, size_t errlen)
{
    return collect(st,
                   "SELECT c.channel_id, MAX(ch.login), MAX(ch.display_name), COUNT(*),"
                   " MIN(c.taken_at), MAX(c.taken_at) FROM captures c"
                   " JOIN channels ch ON ch.id = c.channel_id WHERE c.session_id = ?"
                   " GROUP BY c.channel_id ORDER BY MAX(ch.login) COLLATE utf8mb4_bin,"
                   " c.channel_id",
                   MY_ARGS(MY_INT(session_id)), sizeof **out, read_session_channel, (void **)out, n,
                   err, errlen);
}

static void read_channel_session(const struct my_rows *r, void *p)
{
    struct store_channel_session *c = p;
    c->session_id = my_int(r, 0);
    c->user_id = my_int(r, 1);
    c->captures = my_int(r, 2);
    c->first_at_ms = my_int(r, 3);
    c->last_at_ms = my_int(r, 4);
}

int my_channel_sessions(struct store *st, int64_t channel_id, int64_t owner_id,
                        struct store_channel_session **out, size_t *n, char *err, size_t errlen)
{
    return collect(st,
                   "SELECT c.session_id, MAX(s.user_id), COUNT(*), MIN(c.taken_at),"
                   " MAX(c.taken_at) FROM captures c JOIN sessions s ON s.id = c.session_id"
                   " WHERE c.channel_id = ? AND (? = 0 OR s.user_id = ?)"
                   " GROUP BY c.session_id ORDER BY MIN(c.taken_at), c.session_id",
                   MY_ARGS(MY_INT(channel_id), MY_INT(owner_id), MY_INT(owner_id)), sizeof **out,
                   read_channel_session, (void **)out, n, err, errlen);
}

static void read_visit(const struct my_rows *r, void *p)
{
    struct store_visit *v = p;
    v->user_id = my_int(r, 0);
    v->first_seq = my_int(r, 1);
    v->last_seen_ms = my_int(r, 2);
}

int my_channel_visits(struct store *st, int64_t session_id, int64_t channel_id,
                      struct store_visit **out, size_t *n, char *err, size_t errlen)
{
    /* An open stay ends at the channel's last capture, read once. */
    return collect(
        st,
        "SELECT p.user_id, MIN(p.from_seq), MAX(c.taken_at)"
        " FROM presence p CROSS JOIN (SELECT MAX(seq) AS seq FROM captures"
        "  WHERE session_id = ? AND channel_id = ?) last"
        " JOIN captures c ON c.session_id = p.session_id AND c.channel_id = p.channel_id"
        "  AND c.seq = COALESCE(p.to_seq, last.seq)"
        " WHERE p.session_id = ? AND p.channel_id = ?"
        " GROUP BY p.user_id ORDER BY p.user_id",
        MY_ARGS(MY_INT(session_id), MY_INT(channel_id), MY_INT(session_id), MY_INT(channel_id)),
        sizeof **out, read_visit, (void **)out, n, err, errlen);
}

static void read_kept_visit(const struct my_rows *r, void *p)
{
    struct store_kept_visit *v = p;
    v->session_id = my_int(r, 0);
    v->user_id = my_int(r, 1);
    v->first_seq = my_int(r, 2);
    v->last_seen_ms = my_int(r, 3);
    v->session_first_at_ms = my_int(r, 4);
}

int my_channel_kept_visits(struct store *st, int64_t channel_id, int64_t owner_id,
                           struct store_kept_visit **out, size_t *n, char *err, size_t errlen)
{
    return collect(st,
                   "SELECT session_id, user_id, first_seq, last_seen, session_first_at"
                   " FROM kept_visits WHERE owner_id = ? AND channel_id = ?"
                   " ORDER BY user_id, session_first_at, session_id",
                   MY_ARGS(MY_INT(owner_id), MY_INT(channel_id)), sizeof **out, read_kept_visit,
                   (void **)out, n, err, errlen);
}

static void read_profile(const struct my_rows *r, void *p)
{
    struct store_chatter_profile *c = p;
    c->user_id = my_int(r, 0);
    my_text(r, 1, c->login, sizeof c->login);
    my_text(r, 2, c->display_name, sizeof c->display_name);
    c->created_at_ms = my_int(r, 3);
}

static const char profiles_sql[] =
    "SELECT p.user_id, u.login, u.display_name, u.created_at"
    " FROM (SELECT DISTINCT user_id FROM presence WHERE session_id = ?"
    "  AND (? = 0 OR channel_id = ?)) p"
    " LEFT JOIN twitch_users u ON u.id = p.user_id ORDER BY p.user_id";

int my_session_profiles(struct store *st, int64_t session_id, int64_t channel_id,
                        struct store_chatter_profile **out, size_t *n, char *err, size_t errlen)
{
    return collect(st, profiles_sql,
                   MY_ARGS(MY_INT(session_id), MY_INT(channel_id), MY_INT(channel_id)),
                   sizeof **out, read_profile, (void **)out, n, err, errlen);
}

int my_session_profiles_each(struct store *st, int64_t session_id, int64_t channel_id,
                             store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    struct my_rows r;
    int rc = my_query_stream(st, profiles_sql,
                             MY_ARGS(MY_INT(session_id), MY_INT(channel_id), MY_INT(channel_id)),
                             &r, err, errlen);
    if (rc)
        return rc;
    struct store_chatter_profile c;
    int more;
    while ((more = my_next(&r, err, errlen)) == 1) {
        memset(&c, 0, sizeof c);
        read_profile(&r, &c);
        if ((rc = fn(ctx, &c)))
            break;
    }
    if (!rc && more < 0)
        rc = more;
    my_done(&r);
    return rc;
}

/* The profiles between the first and the last id, merged with ids as they stream in: one
 * range scan of the primary key, where an IN list would need batches of bound ids. */
int my_profiles_each(struct store *st, const int64_t *ids, size_t n, unsigned fields,
                     store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    if (!n)
        return 0;
    struct my_rows r;
    int rc = my_query_stream(st,
                             "SELECT id, login, display_name, created_at FROM twitch_users"
                             " WHERE id BETWEEN ? AND ? ORDER BY id",
                             MY_ARGS(MY_INT(ids[0]), MY_INT(ids[n - 1])), &r, err, errlen);
    if (rc)
        return rc;
    struct store_chatter_profile c;
    int more = my_next(&r, err, errlen);
    for (size_t i = 0; i < n && !rc && more >= 0; i++) {
        while (more == 1 && my_int(&r, 0) < ids[i])
            more = my_next(&r, err, errlen);
        if (more < 0)
            break;
        memset(&c, 0, sizeof c);
        c.user_id = ids[i];
        if (more == 1 && my_int(&r, 0) == ids[i]) {
            my_text(&r, 1, c.login, sizeof c.login);
            if (fields & STORE_PROFILE_DISPLAY)
                my_text(&r, 2, c.display_name, sizeof c.display_name);
            c.created_at_ms = my_int(&r, 3);
        }
        rc = fn(ctx, &c);
    }
    if (!rc && more < 0)
        rc = more;
    my_done(&r);
    return rc;
}

static void read_name(const struct my_rows *r, void *p)
{
    struct store_name_row *row = p;
    row->user_id = my_int(r, 0);
    my_text(r, 1, row->login, sizeof row->login);
    my_text(r, 2, row->display_name, sizeof row->display_name);
    row->seen_at_ms = my_int(r, 3);
}

int my_session_names(struct store *st, int64_t session_id, struct store_name_row **out, size_t *n,
                     char *err, size_t errlen)
{
    return collect(st,
                   "SELECT n.user_id, n.login, n.display_name, n.seen_at"
                   " FROM (SELECT DISTINCT user_id FROM presence WHERE session_id = ?) p"
                   " JOIN twitch_user_names n ON n.user_id = p.user_id"
                   " WHERE (SELECT COUNT(*) FROM twitch_user_names m"
                   "  WHERE m.user_id = p.user_id) > 1"
                   " ORDER BY n.user_id, n.seen_at, n.id",
                   MY_ARGS(MY_INT(session_id)), sizeof **out, read_name, (void **)out, n, err,
                   errlen);
}

static void read_chatter_session(const struct my_rows *r, void *p)
{
    struct store_chatter_session *c = p;
    c->session_id = my_int(r, 0);
    c->channel_id = my_int(r, 1);
    c->captures_seen = my_int(r, 2);
    c->first_seen_ms = my_int(r, 3);
    c->last_seen_ms = my_int(r, 4);
    c->time_present_ms = my_int(r, 5);
}

int my_chatter_sessions(struct store *st, int64_t owner_id, int64_t user_id,
                        struct store_chatter_session **out, size_t *n, char *err, size_t errlen)
{
    return collect(st,
                   "SELECT p.session_id, p.channel_id, SUM(ct.seq - p.from_seq + 1),"
                   " MIN(cf.taken_at), MAX(ct.taken_at), SUM(ct.taken_at - cf.taken_at)"
                   " FROM sessions s JOIN presence p ON p.session_id = s.id AND p.user_id = ?"
                   " JOIN captures cf ON cf.session_id = p.session_id"
                   "  AND cf.channel_id = p.channel_id AND cf.seq = p.from_seq"
                   " JOIN captures ct ON ct.session_id = p.session_id"
                   "  AND ct.channel_id = p.channel_id"
                   "  AND ct.seq = COALESCE(p.to_seq, (SELECT MAX(c.seq) FROM captures c"
                   "   WHERE c.session_id = p.session_id AND c.channel_id = p.channel_id))"
                   " WHERE s.user_id = ?"
                   " GROUP BY p.session_id, p.channel_id ORDER BY MIN(cf.taken_at), p.session_id",
                   MY_ARGS(MY_INT(user_id), MY_INT(owner_id)), sizeof **out, read_chatter_session,
                   (void **)out, n, err, errlen);
}

int my_capture_chatters(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                        int64_t *total, store_capture_chatter_fn fn, void *ctx, char *err,
                        size_t errlen)
{
    /* One snapshot, so the count matches the rows while captures go on. */
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    int64_t count = 0;
    rc = my_query_int(st,
                      "SELECT chatter_count FROM captures WHERE session_id = ? AND channel_id = ?"
                      " AND seq = ?",
                      MY_ARGS(MY_INT(session_id), MY_INT(channel_id), MY_INT(seq)), &count, err,
                      errlen);
    if (rc == TCA_ENOTFOUND)
        rc =
            tca_fail(err, errlen, TCA_ENOTFOUND, "no capture %lld of that channel", (long long)seq);
    if (!rc && total)
        *total = count;
    int64_t taken_at = 0;
    if (!rc)
        rc = my_query_int(st,
                          "SELECT taken_at FROM captures WHERE session_id = ? AND channel_id = ?"
                          " AND seq = ?",
                          MY_ARGS(MY_INT(session_id), MY_INT(channel_id), MY_INT(seq)), &taken_at,
                          err, errlen);
    struct my_rows r;
    /* Open stays (to_seq NULL) reach the last capture, which is >= seq. The names at the
     * capture, as on SQLite: the last history row dated at or before it, else the first. */
    if (!rc)
        rc =
            my_query_stream(st,
                            "SELECT p.user_id, COALESCE(n.login, u.login), COALESCE(n.display_name,"
                            " u.display_name), u.created_at, p.from_seq"
                            " FROM presence p LEFT JOIN twitch_users u ON u.id = p.user_id"
                            " LEFT JOIN twitch_user_names n ON n.id = COALESCE("
                            "  (SELECT h.id FROM twitch_user_names h WHERE h.user_id = p.user_id"
                            "   AND h.seen_at <= ? ORDER BY h.seen_at DESC, h.id DESC LIMIT 1),"
                            "  (SELECT h.id FROM twitch_user_names h WHERE h.user_id = p.user_id"
                            "   ORDER BY h.seen_at, h.id LIMIT 1))"
                            " WHERE p.session_id = ? AND p.channel_id = ? AND p.from_seq <= ?"
                            " AND (p.to_seq IS NULL OR p.to_seq >= ?) ORDER BY p.user_id",
                            MY_ARGS(MY_INT(taken_at), MY_INT(session_id), MY_INT(channel_id),
                                    MY_INT(seq), MY_INT(seq)),
                            &r, err, errlen);
    if (!rc) {
        struct store_capture_chatter c;
        int more;
        while ((more = my_next(&r, err, errlen)) == 1) {
            memset(&c, 0, sizeof c);
            c.user_id = my_int(&r, 0);
            my_text(&r, 1, c.login, sizeof c.login);
            my_text(&r, 2, c.display_name, sizeof c.display_name);
            c.created_at_ms = my_int(&r, 3);
            c.stay_from_seq = my_int(&r, 4);
            if ((rc = fn(ctx, &c)))
                break;
        }
        if (!rc && more < 0)
            rc = more;
        my_done(&r);
    }
    if (!rc)
        rc = my_commit(st, err, errlen);
    my_rollback(st);
    return rc;
}
