/*
 * MariaDB: the aggregates a capture keeps inside its own transaction (captures.new_to_owner,
 * the same number as store/sqlite_aggregates.c keeps, by the same rule: a joiner at their
 * first stay of the session whom no earlier session of the owner saw in the channel, by
 * first capture of the channel, purged and deleted sessions included through their kept
 * visits). On a server every statement is a round trip, so the known joiners are collected
 * during the commit and asked about together: one statement per earlier session and chunk
 * of joiners, not one per joiner. It must never touch stayers, and never write anything but
 * the capture row's own columns. captures.first_stays (joiners at their first stay of the
 * session in the channel) is counted from what the commit knows, with no statement.
 */
#include "store/mariadb_internal.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Joiners per statement: padded to a power of two up to it, so each statement has at most
 * 8 shapes in the connection's prepared-statement cache. */
enum { ASK = 128, MAX_PREFIX = 3 };

/* One earlier session, and whether it is live (its stays) or kept (its visits). */
struct earlier_session {
    int64_t id;
    int kept;
};

/* Earlier than the capturing session: first capture of the channel before its own, the
 * lower id on a tie (report/load.c's rule). */
static int earlier(const struct store_capture_input *in, int64_t first_at, int64_t id,
                   int64_t id_first_at)
{
    return id_first_at < first_at || (id_first_at == first_at && id < in->session_id);
}

static void add(struct earlier_session **s, size_t *n, size_t *cap, int64_t id, int kept)
{
    *s = xgrow(*s, cap, *n, sizeof **s, 8);
    (*s)[(*n)++] = (struct earlier_session){id, kept};
}

/* The owner's other sessions that captured the channel before this one: live from captures,
 * purged or deleted from kept_visits (a session can be both: purged, then captured again). */
static int earlier_sessions(struct store *st, const struct store_capture_input *in, int64_t *owner,
                            struct earlier_session **out, size_t *n, char *err, size_t errlen)
{
    int64_t first_at = in->taken_at_ms, own_first = 0;
    int rc = my_query_int(st, "SELECT user_id FROM sessions WHERE id = ?",
                          MY_ARGS(MY_INT(in->session_id)), owner, err, errlen);
    if (!rc)
        rc = my_query_int(st,
                          "SELECT COALESCE(MIN(taken_at), ?) FROM captures WHERE session_id = ?"
                          " AND channel_id = ?",
                          MY_ARGS(MY_INT(first_at), MY_INT(in->session_id), MY_INT(in->channel_id)),
                          &own_first, err, errlen);
    if (rc)
        return rc;
    if (own_first < first_at)
        first_at = own_first;
    struct my_rows r;
    rc = my_query(st,
                  "SELECT c.session_id, MIN(c.taken_at) FROM sessions s"
                  " JOIN captures c ON c.session_id = s.id AND c.channel_id = ?"
                  " WHERE s.user_id = ? AND s.id <> ? GROUP BY c.session_id",
                  MY_ARGS(MY_INT(in->channel_id), MY_INT(*owner), MY_INT(in->session_id)), &r, err,
                  errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1)
        if (earlier(in, first_at, my_int(&r, 0), my_int(&r, 1)))
            add(out, n, &cap, my_int(&r, 0), 0);
    my_done(&r);
    /* One seek per kept session instead of a walk over every kept visit. */
    for (int64_t after = 0; rc == 0;) {
        rc = my_query(st,
                      "SELECT session_id, session_first_at FROM kept_visits WHERE owner_id = ?"
                      " AND channel_id = ? AND session_id > ? ORDER BY session_id LIMIT 1",
                      MY_ARGS(MY_INT(*owner), MY_INT(in->channel_id), MY_INT(after)), &r, err,
                      errlen);
        if (rc)
            return rc;
        rc = my_next(&r, err, errlen);
        if (rc == 1) {
            after = my_int(&r, 0);
            if (after != in->session_id && earlier(in, first_at, after, my_int(&r, 1)))
                add(out, n, &cap, after, 1);
            rc = 0;
        } else if (rc == 0) {
            rc = 1; /* no more kept sessions */
        }
        my_done(&r);
    }
    return rc < 0 ? rc : 0;
}

/* Marks 0 in ids[0..m) those that session s saw in the channel (Twitch ids are positive). */
static int drop_seen(struct store *st, const struct store_capture_input *in, int64_t owner,
                     const struct earlier_session *s, int64_t *ids, size_t m, struct my_val *args,
                     char *err, size_t errlen)
{
    size_t k = 1, np = 0;
    while (k < m)
        k *= 2;
    const char *head;
    if (s->kept) {
        head = "SELECT user_id FROM kept_visits WHERE owner_id = ? AND channel_id = ?"
               " AND session_id = ? AND user_id IN (";
        args[np++] = MY_INT(owner);
        args[np++] = MY_INT(in->channel_id);
        args[np++] = MY_INT(s->id);
    } else {
        head = "SELECT user_id FROM presence WHERE session_id = ? AND channel_id = ?"
               " AND user_id IN (";
        args[np++] = MY_INT(s->id);
        args[np++] = MY_INT(in->channel_id);
    }
    for (size_t i = 0; i < k; i++) /* padded with the last id: IN ignores the repeats */
        args[np + i] = MY_INT(ids[i < m ? i : m - 1]);
    unsigned char seen[ASK] = {0};
    char *sql = my_repeat_sql(head, "?", k, ")");
    int rc = my_ids_found(st, sql, args, np, k, seen, err, errlen);
    free(sql);
    for (size_t i = 0; i < m && !rc; i++)
        if (seen[i])
            ids[i] = 0;
    return rc;
}

/* Compacts away the ids drop_seen marked. */
static size_t compact(int64_t *ids, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (ids[i])
            ids[kept++] = ids[i];
    return kept;
}

void my_aggregates_join(struct my_aggregates *a, int64_t user_id, int new_here, int first_stay)
{
    if (!first_stay)
        return;
    a->first_stays++;
    if (new_here) { /* no channel_chatters row: no session of anyone saw them here */
        a->new_to_owner++;
        return;
    }
    a->asked = xgrow(a->asked, &a->cap_asked, a->n_asked, sizeof *a->asked, 64);
    a->asked[a->n_asked++] = user_id;
}

int my_aggregates_finish(struct store *st, struct my_aggregates *a,
                         const struct store_capture_input *in, char *err, size_t errlen)
{
    if (!a->n_asked)
        return 0;
    struct earlier_session *s = NULL;
    size_t n_s = 0;
    int64_t owner = 0;
    struct my_val *args = xcalloc(MAX_PREFIX + ASK, sizeof *args);
    int rc = earlier_sessions(st, in, &owner, &s, &n_s, err, errlen);
    size_t n = a->n_asked;
    for (size_t i = 0; i < n_s && n && !rc; i++) {
        for (size_t at = 0; at < n && !rc; at += ASK)
            rc = drop_seen(st, in, owner, &s[i], a->asked + at, n - at < ASK ? n - at : ASK, args,
                           err, errlen);
        n = compact(a->asked, n);
    }
    if (!rc)
        a->new_to_owner += (int64_t)n;
    free(args);
    free(s);
    return rc;
}

/* A session's chatters over all its channels: the sum of its captures' first stays when it
 * captured one channel and every capture kept them, else the distinct chatters of its stays
 * (store/sqlite_aggregates.c's rule). */
int my_session_chatters(struct store *st, int64_t session_id, int64_t *total, char *err,
                        size_t errlen)
{
    int rc = my_query_int(st,
                          "SELECT CASE WHEN COUNT(DISTINCT channel_id) <= 1"
                          " AND COUNT(first_stays) = COUNT(*) THEN COALESCE(SUM(first_stays), 0)"
                          " ELSE -1 END FROM captures WHERE session_id = ?",
                          MY_ARGS(MY_INT(session_id)), total, err, errlen);
    if (!rc && *total < 0)
        rc = my_query_int(st, "SELECT COUNT(DISTINCT user_id) FROM presence WHERE session_id = ?",
                          MY_ARGS(MY_INT(session_id)), total, err, errlen);
    return rc;
}

void my_aggregates_free(struct my_aggregates *a)
{
    free(a->asked);
    memset(a, 0, sizeof *a);
}
