/*
 * Aggregates a capture keeps up to date inside its own transaction, so that statistics read
 * them instead of recomputing from every stay. Kept now: each capture's joiners who are new
 * to the session's owner (captures.new_to_owner), the series' new_to_channel of the
 * statistics: a joiner at their first stay of the session, never seen in the channel by an
 * earlier session of the same user (by first capture of the channel, as report/load.c
 * decides), purged and deleted sessions included through their kept visits. Only joiners at
 * their first stay of the session can cost a read here; it must never touch stayers, and
 * never write anything but the capture row's own columns. Also kept: each capture's joiners at
 * their first stay of the session in the channel (captures.first_stays, counted from what the
 * commit already knows: no read), whose sum is the channel's unique chatters.
 */
#include "store/sqlite_internal.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The owner's other sessions that captured the channel, with their first capture of it:
 * live from captures, purged or deleted from kept_visits (a session can be both: purged,
 * then captured again). */
static const char live_sql[] = "SELECT c.session_id, MIN(c.taken_at) FROM sessions s"
                               " JOIN captures c ON c.session_id = s.id AND c.channel_id = ?1"
                               " WHERE s.user_id = ?2 AND s.id <> ?3 GROUP BY c.session_id";
/* One seek per kept session instead of a walk over every kept visit. */
static const char kept_next_sql[] =
    "SELECT session_id, session_first_at FROM kept_visits"
    " WHERE owner_id = ?1 AND channel_id = ?2 AND session_id > ?3 ORDER BY session_id LIMIT 1";
static const char first_sql[] =
    "SELECT MIN(taken_at) FROM captures WHERE session_id = ?1 AND channel_id = ?2";
static const char owner_sql[] = "SELECT user_id FROM sessions WHERE id = ?1";
static const char in_live_sql[] =
    "SELECT 1 FROM presence WHERE session_id = ?1 AND user_id = ?2 AND channel_id = ?3 LIMIT 1";
static const char in_kept_sql[] = "SELECT 1 FROM kept_visits WHERE owner_id = ?1"
                                  " AND channel_id = ?2 AND session_id = ?3 AND user_id = ?4";

/* Earlier than the capturing session: first capture of the channel before its own, the
 * lower id on a tie (report/load.c's rule). */
static int earlier(const struct sq_aggregates *a, int64_t session_id, int64_t first_at)
{
    return first_at < a->first_at || (first_at == a->first_at && session_id < a->session_id);
}

static void add_earlier(int64_t **ids, size_t *n, size_t *cap, int64_t id)
{
    *ids = xgrow(*ids, cap, *n, sizeof **ids, 8);
    (*ids)[(*n)++] = id;
}

static int one_int(struct store *st, const char *sql, const int64_t *p, int np, int64_t *out,
                   int *found, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, sql, &s, err, errlen);
    if (rc)
        return rc;
    for (int i = 0; i < np; i++)
        sqlite3_bind_int64(s, i + 1, p[i]);
    int src = sqlite3_step(s);
    *found = src == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL;
    if (*found)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : sq_fail(st, src, err, errlen, "aggregate");
}

/* The earlier sessions, read on the first joiner that needs them. */
static int load_earlier(struct store *st, struct sq_aggregates *a, char *err, size_t errlen)
{
    int found;
    int64_t first = 0;
    int rc =
        one_int(st, owner_sql, (int64_t[]){a->session_id}, 1, &a->owner_id, &found, err, errlen);
    if (!rc)
        rc = one_int(st, first_sql, (int64_t[]){a->session_id, a->channel_id}, 2, &first, &found,
                     err, errlen);
    if (rc)
        return rc;
    if (found && first < a->first_at)
        a->first_at = first;
    sqlite3_stmt *s;
    rc = sq_stmt(st, live_sql, &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, a->channel_id);
    sqlite3_bind_int64(s, 2, a->owner_id);
    sqlite3_bind_int64(s, 3, a->session_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW)
        if (earlier(a, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)))
            add_earlier(&a->live, &a->n_live, &cap, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    if (src != SQLITE_DONE)
        return sq_fail(st, src, err, errlen, "earlier sessions");
    rc = sq_stmt(st, kept_next_sql, &s, err, errlen);
    if (rc)
        return rc;
    cap = 0;
    for (int64_t after = 0;;) {
        sqlite3_bind_int64(s, 1, a->owner_id);
        sqlite3_bind_int64(s, 2, a->channel_id);
        sqlite3_bind_int64(s, 3, after);
        src = sqlite3_step(s);
        if (src != SQLITE_ROW)
            break;
        after = sqlite3_column_int64(s, 0);
        if (after != a->session_id && earlier(a, after, sqlite3_column_int64(s, 1)))
            add_earlier(&a->kept, &a->n_kept, &cap, after);
        sqlite3_reset(s);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE)
        return sq_fail(st, src, err, errlen, "kept sessions");
    /* found by their text once here, not once per joiner: that search cost as much as
     * the lookup itself */
    rc = sq_stmt(st, in_live_sql, &a->in_live, err, errlen);
    if (!rc)
        rc = sq_stmt(st, in_kept_sql, &a->in_kept, err, errlen);
    a->loaded = !rc;
    return rc;
}

/* Whether statement s, bound to p, has a row. */
static int has_row(struct store *st, sqlite3_stmt *s, const int64_t *p, int np, int *found,
                   char *err, size_t errlen)
{
    for (int i = 0; i < np; i++)
        sqlite3_bind_int64(s, i + 1, p[i]);
    int src = sqlite3_step(s);
    *found = src == SQLITE_ROW;
    sqlite3_reset(s);
    return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : sq_fail(st, src, err, errlen, "aggregate");
}

/* Whether user_id was in the channel in one of the earlier sessions. */
static int seen_earlier(struct store *st, const struct sq_aggregates *a, int64_t user_id, int *seen,
                        char *err, size_t errlen)
{
    *seen = 0;
    int rc = 0;
    for (size_t i = 0; i < a->n_live && !rc && !*seen; i++)
        rc = has_row(st, a->in_live, (int64_t[]){a->live[i], user_id, a->channel_id}, 3, seen, err,
                     errlen);
    for (size_t i = 0; i < a->n_kept && !rc && !*seen; i++)
        rc = has_row(st, a->in_kept, (int64_t[]){a->owner_id, a->channel_id, a->kept[i], user_id},
                     4, seen, err, errlen);
    return rc;
}

void sq_aggregates_init(struct sq_aggregates *a, const struct store_capture_input *in)
{
    memset(a, 0, sizeof *a);
    a->session_id = in->session_id;
    a->channel_id = in->channel_id;
    a->first_at = in->taken_at_ms;
}

int sq_aggregates_join(struct store *st, struct sq_aggregates *a, int64_t user_id, int new_here,
                       int first_stay, char *err, size_t errlen)
{
    if (!first_stay)
        return 0;
    a->first_stays++;
    if (new_here) { /* no channel_chatters row: no session of anyone saw them here */
        a->new_to_owner++;
        return 0;
    }
    int rc = a->loaded ? 0 : load_earlier(st, a, err, errlen);
    int seen = 0;
    if (!rc)
        rc = seen_earlier(st, a, user_id, &seen, err, errlen);
    if (!rc && !seen)
        a->new_to_owner++;
    return rc;
}

/* A session's chatters over all its channels: the sum of its captures' first stays when it
 * captured one channel and every capture kept them (720 capture rows on issue 15's session,
 * where counting the distinct chatters of its 307,600 stays took ~25 ms); else that count. */
int sq_session_chatters(struct store *st, int64_t session_id, int64_t *total, char *err,
                        size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT COUNT(DISTINCT channel_id) <= 1 AND COUNT(first_stays) = COUNT(*),"
                     " COALESCE(SUM(first_stays), 0) FROM captures WHERE session_id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    int src = sqlite3_step(s), kept = src == SQLITE_ROW && sqlite3_column_int(s, 0);
    *total = kept ? sqlite3_column_int64(s, 1) : 0;
    sqlite3_reset(s);
    if (src != SQLITE_ROW)
        return sq_fail(st, src, err, errlen, "session chatters");
    if (kept)
        return 0;
    int found;
    return one_int(st, "SELECT COUNT(DISTINCT user_id) FROM presence WHERE session_id = ?",
                   (int64_t[]){session_id}, 1, total, &found, err, errlen);
}

void sq_aggregates_free(struct sq_aggregates *a)
{
    free(a->live);
    free(a->kept);
    memset(a, 0, sizeof *a);
}
