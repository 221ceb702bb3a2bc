/*
 * Export of a session: one row per chatter, aggregated over the session's channels, streamed
 * from a single stepping scan of the session's stays. It must never gather a session's
 * chatters in memory: a long stream of a big channel has millions of stays. Only the
 * session's captures (a few thousand at most: seq -> time per channel) are held.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The captures of one channel in the session, in seq order. */
struct channel_times {
    int64_t channel_id;
    int64_t *seq;
    int64_t *taken_at;
    size_t n;
};

struct session_times {
    struct channel_times *ch;
    size_t n, cap;
};

static void times_free(struct session_times *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->ch[i].seq);
        free(t->ch[i].taken_at);
    }
    free(t->ch);
}

static int load_times(struct store *st, int64_t session_id, struct session_times *t, char *err,
                      size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT channel_id, seq, taken_at FROM captures WHERE session_id = ?"
                     " ORDER BY channel_id, seq",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    int src;
    size_t cap = 0;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t channel = sqlite3_column_int64(s, 0);
        if (!t->n || t->ch[t->n - 1].channel_id != channel) {
            t->ch = xgrow(t->ch, &t->cap, t->n, sizeof *t->ch, 4);
            t->ch[t->n++] = (struct channel_times){.channel_id = channel};
            cap = 0;
        }
        struct channel_times *c = &t->ch[t->n - 1];
        size_t seq_cap = cap;
        c->seq = xgrow(c->seq, &seq_cap, c->n, sizeof *c->seq, 64);
        c->taken_at = xgrow(c->taken_at, &cap, c->n, sizeof *c->taken_at, 64);
        c->seq[c->n] = sqlite3_column_int64(s, 1);
        c->taken_at[c->n++] = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return src == SQLITE_DONE ? 0 : sq_fail(st, src, err, errlen, "export captures");
}

static const struct channel_times *find_channel(const struct session_times *t, int64_t id)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->ch[i].channel_id == id)
            return &t->ch[i];
    return NULL;
}

/* The time of capture seq, or -1 when the channel has no such capture. Seqs are normally
 * 1..n, so the index is tried first. */
static int64_t time_of(const struct channel_times *c, int64_t seq)
{
    if (seq >= 1 && (size_t)seq <= c->n && c->seq[seq - 1] == seq)
        return c->taken_at[seq - 1];
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->seq[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n && c->seq[lo] == seq ? c->taken_at[lo] : -1;
}

/* Adds one stay to the chatter's row; 0 when its captures are missing (then it counts for
 * nothing, as the joins of the SQL form of this export did). An open stay ends at the last
 * capture of its channel in the session. */
static int add_stay(const struct session_times *t, sqlite3_stmt *s, struct store_export_row *row)
{
    const struct channel_times *c = find_channel(t, sqlite3_column_int64(s, 1));
    if (!c || !c->n)
        return 0;
    int64_t from = sqlite3_column_int64(s, 2);
    int64_t to =
        sqlite3_column_type(s, 3) == SQLITE_NULL ? c->seq[c->n - 1] : sqlite3_column_int64(s, 3);
    int64_t from_at = time_of(c, from), to_at = time_of(c, to);
    if (from_at < 0 || to_at < 0)
        return 0;
    row->captures_seen += to - from + 1;
    if (!row->first_seen_ms || from_at < row->first_seen_ms)
        row->first_seen_ms = from_at;
    if (to_at > row->last_seen_ms)
        row->last_seen_ms = to_at;
    row->time_present_ms += to_at - from_at;
    return 1;
}

/* The names and creation time are decoded in C (sq_profile_row, as the twitch_users view
 * does): the view's lower() and CASE per stay row were a fifth of the scan's CPU. A chatter
 * without a profile row gets empty names and 0, as the LEFT JOIN of the view gave. */
_Static_assert(sizeof(struct store_export_row){0}.login ==
                       sizeof(struct store_chatter_profile){0}.login &&
                   sizeof(struct store_export_row){0}.display_name ==
                       sizeof(struct store_chatter_profile){0}.display_name,
               "the export row copies a profile's names whole");

/* The stays come in chatter order, so the profile cursor moves along with them: a join
 * seeked the profiles' B-tree for every stay. */
static int start_row(sqlite3_stmt *s, struct sq_profile_cursor *p, struct store_export_row *row)
{
    memset(row, 0, sizeof *row);
    row->user_id = sqlite3_column_int64(s, 0);
    int state = sq_profile_cursor_find(p, row->user_id);
    if (state != SQLITE_ROW)
        return state == SQLITE_DONE ? 0 : state;
    struct store_chatter_profile c;
    sq_profile_row(p->s, 1, STORE_PROFILE_DISPLAY, &c);
    memcpy(row->login, c.login, sizeof row->login);
    memcpy(row->display_name, c.display_name, sizeof row->display_name);
    row->created_at_ms = c.created_at_ms;
    return 0;
}

/* The presence key is (session, user, channel, from_seq), so SQLite walks the session's
 * stays already grouped by user: no temporary b-tree, memory stays flat. The per-stay
 * capture times come from the table loaded first rather than from joins on captures: the
 * joined SQL (two capture lookups and a correlated MAX per stay, GROUP BY in SQL) measured
 * 10x the CPU of this scan on a 120,000-chatter session. */
static int stream_rows(struct store *st, int64_t session_id, const struct session_times *t,
                       store_export_fn fn, void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    struct sq_profile_cursor p;
    int rc = sq_profile_cursor_open(st, &p, err, errlen);
    if (!rc)
        rc = sq_stmt(st,
                     "SELECT p.user_id, p.channel_id, p.from_seq, p.to_seq FROM presence p"
                     " WHERE p.session_id = ? ORDER BY p.user_id",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    struct store_export_row row = {0};
    int have = 0, counted = 0, src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        if (!have || sqlite3_column_int64(s, 0) != row.user_id) {
            if (counted && (rc = fn(ctx, &row)) != 0)
                break;
            if ((src = start_row(s, &p, &row)) != 0)
                break;
            have = 1;
            counted = 0;
        }
        counted |= add_stay(t, s, &row);
    }
    if (!rc && src == SQLITE_DONE && counted)
        rc = fn(ctx, &row);
    sqlite3_reset(s);
    sq_profile_cursor_close(&p);
    if (!rc && src != SQLITE_DONE)
        rc = sq_fail(st, src, err, errlen, "export");
    return rc;
}

int sq_export_session(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                      void *ctx, char *err, size_t errlen)
{
    /* One read snapshot, so the total matches the rows even while captures go on. */
    int rc = sq_begin_read(st, err, errlen);
    if (rc)
        return rc;
    struct session_times times = {0};
    if (total) {
        rc = sq_session_chatters(st, session_id, total, err, errlen);
        if (rc)
            goto out;
    }
    rc = load_times(st, session_id, &times, err, errlen);
    if (!rc)
        rc = stream_rows(st, session_id, &times, fn, ctx, err, errlen);
    if (!rc)
        rc = sq_commit(st, err, errlen);
out:
    times_free(&times);
    sq_rollback(st);
    return rc;
}

/* A scan of a whole session reads each page once: with the connection's 32 MB cache it only
 * evicts what other requests keep warm and adds that much to the process (the cache of a
 * 1,000,000-chatter export filled all of it). 2 MB holds the b-tree interiors the scan walks. */
void sq_scan_hint(struct store *st, int scanning)
{
    struct sqlite_store *s = sq_conn(st);
    if (scanning && !s->cache_before_scan) {
        sqlite3_stmt *q;
        if (sq_cached(st, "PRAGMA cache_size", &q) != SQLITE_OK)
            return;
        if (sqlite3_step(q) == SQLITE_ROW)
            s->cache_before_scan = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
        if (s->cache_before_scan)
            sqlite3_exec(s->db, "PRAGMA cache_size = -2048", NULL, NULL, NULL);
    } else if (!scanning && s->cache_before_scan) {
        char *sql = sqlite3_mprintf("PRAGMA cache_size = %lld", (long long)s->cache_before_scan);
        sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
        s->cache_before_scan = 0;
        sqlite3_db_release_memory(s->db);
    }
}
