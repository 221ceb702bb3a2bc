/*
 * Analysis inputs: what the statistics read from the store (the channels of a session, the
 * sessions of a channel, each chatter's visits, profiles, name histories, one capture's exact
 * chatter list, a chatter's sessions). Read-only, and it must never compute a statistic:
 * that is analysis/'s job.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Reads one row of s into the element at p. */
typedef void (*read_fn)(sqlite3_stmt *s, void *p);

/* Runs sql with up to three int64 parameters and collects every row into a new array of
 * elements of size elem (*out the caller's to free). */
static int collect(struct store *st, const char *sql, const int64_t *params, int n_params,
                   size_t elem, read_fn read, void **out, size_t *n, char *err, size_t errlen,
                   const char *what)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int src = sq_cached(st, sql, &s);
    if (src != SQLITE_OK)
        return sq_fail(st, src, err, errlen, what);
    for (int i = 0; i < n_params; i++)
        sqlite3_bind_int64(s, i + 1, params[i]);
    size_t cap = 0;
    char *items = NULL;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        items = xgrow(items, &cap, *n, elem, 64);
        read(s, items + *n * elem);
        (*n)++;
    }
    int rc = 0;
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, what);
        free(items);
        items = NULL;
        *n = 0;
    }
    sqlite3_reset(s);
    *out = items;
    return rc;
}

static void read_session_channel(sqlite3_stmt *s, void *p)
{
    struct store_session_channel *c = p;
    memset(c, 0, sizeof *c);
    c->channel_id = sqlite3_column_int64(s, 0);
    sq_copy_text(c->login, sizeof c->login, s, 1);
    sq_copy_text(c->display_name, sizeof c->display_name, s, 2);
    c->captures = sqlite3_column_int64(s, 3);
    c->first_at_ms = sqlite3_column_int64(s, 4);
    c->last_at_ms = sqlite3_column_int64(s, 5);
}

int sq_session_channels(struct store *st, int64_t session_id, struct store_session_channel **out,
                        size_t *n, char *err, size_t errlen)
{
    int64_t p[] = {session_id};
    return collect(st,
                   "SELECT c.channel_id, ch.login, ch.display_name, COUNT(*), MIN(c.taken_at),"
                   " MAX(c.taken_at) FROM captures c JOIN channels ch ON ch.id = c.channel_id"
                   " WHERE c.session_id = ?1 GROUP BY c.channel_id ORDER BY ch.login, c.channel_id",
                   p, 1, sizeof **out, read_session_channel, (void **)out, n, err, errlen,
                   "session channels");
}

static void read_channel_session(sqlite3_stmt *s, void *p)
{
    struct store_channel_session *c = p;
    c->session_id = sqlite3_column_int64(s, 0);
    c->user_id = sqlite3_column_int64(s, 1);
    c->captures = sqlite3_column_int64(s, 2);
    c->first_at_ms = sqlite3_column_int64(s, 3);
    c->last_at_ms = sqlite3_column_int64(s, 4);
}

int sq_channel_sessions(struct store *st, int64_t channel_id, int64_t owner_id,
                        struct store_channel_session **out, size_t *n, char *err, size_t errlen)
{
    int64_t p[] = {channel_id, owner_id};
    return collect(st,
                   "SELECT c.session_id, s.user_id, COUNT(*), MIN(c.taken_at), MAX(c.taken_at)"
                   " FROM captures c JOIN sessions s ON s.id = c.session_id"
                   " WHERE c.channel_id = ?1 AND (?2 = 0 OR s.user_id = ?2)"
                   " GROUP BY c.session_id ORDER BY MIN(c.taken_at), c.session_id",
                   p, 2, sizeof **out, read_channel_session, (void **)out, n, err, errlen,
                   "channel sessions");
}

static void read_visit(sqlite3_stmt *s, void *p)
{
    struct store_visit *v = p;
    v->user_id = sqlite3_column_int64(s, 0);
    v->first_seq = sqlite3_column_int64(s, 1);
    v->last_seen_ms = sqlite3_column_int64(s, 2);
}

int sq_channel_visits(struct store *st, int64_t session_id, int64_t channel_id,
                      struct store_visit **out, size_t *n, char *err, size_t errlen)
{
    int64_t p[] = {session_id, channel_id};
    /* An open stay ends at the channel's last capture, read once. */
    return collect(st,
                   "WITH last(seq) AS (SELECT MAX(seq) FROM captures"
                   "  WHERE session_id = ?1 AND channel_id = ?2)"
                   " SELECT p.user_id, MIN(p.from_seq), MAX(c.taken_at)"
                   " FROM presence p, last"
                   " JOIN captures c ON c.session_id = ?1 AND c.channel_id = ?2"
                   "  AND c.seq = COALESCE(p.to_seq, last.seq)"
                   " WHERE p.session_id = ?1 AND p.channel_id = ?2"
                   " GROUP BY p.user_id ORDER BY p.user_id",
                   p, 2, sizeof **out, read_visit, (void **)out, n, err, errlen, "channel visits");
}

static void read_kept_visit(sqlite3_stmt *s, void *p)
{
    struct store_kept_visit *v = p;
    v->session_id = sqlite3_column_int64(s, 0);
    v->user_id = sqlite3_column_int64(s, 1);
    v->first_seq = sqlite3_column_int64(s, 2);
    v->last_seen_ms = sqlite3_column_int64(s, 3);
    v->session_first_at_ms = sqlite3_column_int64(s, 4);
}

int sq_channel_kept_visits(struct store *st, int64_t channel_id, int64_t owner_id,
                           struct store_kept_visit **out, size_t *n, char *err, size_t errlen)
{
    int64_t p[] = {owner_id, channel_id};
    return collect(st,
                   "SELECT session_id, user_id, first_seq, last_seen, session_first_at"
                   " FROM kept_visits WHERE owner_id = ?1 AND channel_id = ?2"
                   " ORDER BY user_id, session_first_at, session_id",
                   p, 2, sizeof **out, read_kept_visit, (void **)out, n, err, errlen,
                   "kept visits");
}

static void read_profile(sqlite3_stmt *s, void *p)
{
    struct store_chatter_profile *c = p;
    memset(c, 0, sizeof *c);
    c->user_id = sqlite3_column_int64(s, 0);
    sq_profile_row(s, 1, STORE_PROFILE_DISPLAY, c);
}

/* The presence key starts (session, user): the scan walks it in user order, no sort, and a
 * chatter's stays are adjacent, so the repeats are skipped here. (The former DISTINCT
 * subquery had SQLite sort every profile row, logins included; a GROUP BY copied every row's
 * names into its accumulator: 111 against 84 ms of CPU for issue 15's 307,600 stays.) */
static const char profiles_sql[] =
    "SELECT p.user_id, u.login, u.display_name, u.created_at"
    " FROM presence p LEFT JOIN twitch_profiles u ON u.id = p.user_id"
    " WHERE p.session_id = ?1 AND (?2 = 0 OR +p.channel_id = ?2)"
    " ORDER BY p.user_id";

struct profile_list {
    struct store_chatter_profile *items;
    size_t n, cap;
};

static int add_profile(void *ctx, const struct store_chatter_profile *c)
{
    struct profile_list *l = ctx;
    l->items = xgrow(l->items, &l->cap, l->n, sizeof *l->items, 64);
    l->items[l->n++] = *c;
    return 0;
}

int sq_session_profiles(struct store *st, int64_t session_id, int64_t channel_id,
                        struct store_chatter_profile **out, size_t *n, char *err, size_t errlen)
{
    struct profile_list l = {0};
    int rc = sq_session_profiles_each(st, session_id, channel_id, add_profile, &l, err, errlen);
    if (rc) {
        free(l.items);
        l.items = NULL;
        l.n = 0;
    }
    *out = l.items;
    *n = l.n;
    return rc;
}

int sq_session_profiles_each(struct store *st, int64_t session_id, int64_t channel_id,
                             store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int src = sq_cached(st, profiles_sql, &s);
    if (src != SQLITE_OK)
        return sq_fail(st, src, err, errlen, "session profiles");
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, channel_id);
    int rc = 0, any = 0;
    int64_t last = 0;
    struct store_chatter_profile c;
    while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t user_id = sqlite3_column_int64(s, 0);
        if (any && user_id == last)
            continue;
        any = 1;
        last = user_id;
        read_profile(s, &c);
        rc = fn(ctx, &c);
    }
    if (!rc && src != SQLITE_DONE)
        rc = sq_fail(st, src, err, errlen, "session profiles");
    sqlite3_reset(s);
    return rc;
}

static void read_name(sqlite3_stmt *s, void *p)
{
    struct store_name_row *r = p;
    memset(r, 0, sizeof *r);
    r->user_id = sqlite3_column_int64(s, 0);
    sq_copy_text(r->login, sizeof r->login, s, 1);
    sq_copy_text(r->display_name, sizeof r->display_name, s, 2);
    r->seen_at_ms = sqlite3_column_int64(s, 3);
}

/* One number from sql, with the session as its parameter if it has one. */
static int count_of(struct store *st, const char *sql, int64_t session_id, int64_t *out, char *err,
                    size_t errlen)
{
    sqlite3_stmt *s;
    int src = sq_cached(st, sql, &s);
    if (src != SQLITE_OK)
        return sq_fail(st, src, err, errlen, "count");
    if (sqlite3_bind_parameter_count(s) > 0)
        sqlite3_bind_int64(s, 1, session_id);
    src = sqlite3_step(s);
    *out = src == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return src == SQLITE_ROW ? 0 : sq_fail(st, src, err, errlen, "count");
}

/* Only chatters with two names or more have history rows (sqlite_profiles.c), usually far
 * fewer than a session's stays: walking the rows and looking each user up in presence costs
 * nothing where materialising the session's distinct chatters first took a quarter of
 * `tca stats --json` on issue 15's workload (307,600 stays, no rename: 986M of 4,018M
 * instructions under callgrind). A small session in a store with many renamed chatters is
 * still read from its stays. Both give the same rows in the same order. */
int sq_session_names(struct store *st, int64_t session_id, struct store_name_row **out, size_t *n,
                     char *err, size_t errlen)
{
    int64_t p[] = {session_id}, rows, stays;
    int rc = count_of(st, "SELECT COUNT(*) FROM twitch_user_names", session_id, &rows, err, errlen);
    if (!rc)
        rc = count_of(st, "SELECT TOTAL(joined) FROM captures WHERE session_id = ?1", session_id,
                      &stays, err, errlen);
    if (rc)
        return rc;
    if (rows <= stays)
        return collect(st,
                       "SELECT n.user_id, n.login, n.display_name, n.seen_at"
                       " FROM twitch_user_names n INDEXED BY twitch_user_names_user"
                       " WHERE EXISTS(SELECT 1 FROM presence p WHERE p.session_id = ?1"
                       "  AND p.user_id = n.user_id)"
                       " AND (SELECT COUNT(*) FROM twitch_user_names m"
                       "  WHERE m.user_id = n.user_id) > 1"
                       " ORDER BY n.user_id, n.seen_at, n.id",
                       p, 1, sizeof **out, read_name, (void **)out, n, err, errlen,
                       "session names");
    return collect(st,
                   "SELECT n.user_id, n.login, n.display_name, n.seen_at"
                   " FROM (SELECT DISTINCT user_id FROM presence WHERE session_id = ?1) p"
                   " JOIN twitch_user_names n ON n.user_id = p.user_id"
                   " WHERE (SELECT COUNT(*) FROM twitch_user_names m"
                   "  WHERE m.user_id = p.user_id) > 1"
                   " ORDER BY n.user_id, n.seen_at, n.id",
                   p, 1, sizeof **out, read_name, (void **)out, n, err, errlen, "session names");
}

static void read_chatter_session(sqlite3_stmt *s, void *p)
{
    struct store_chatter_session *c = p;
    c->session_id = sqlite3_column_int64(s, 0);
    c->channel_id = sqlite3_column_int64(s, 1);
    c->captures_seen = sqlite3_column_int64(s, 2);
    c->first_seen_ms = sqlite3_column_int64(s, 3);
    c->last_seen_ms = sqlite3_column_int64(s, 4);
    c->time_present_ms = sqlite3_column_int64(s, 5);
}

int sq_chatter_sessions(struct store *st, int64_t owner_id, int64_t user_id,
                        struct store_chatter_session **out, size_t *n, char *err, size_t errlen)
{
    int64_t p[] = {owner_id, user_id};
    /* Sessions outside, presence by its (session, user) key prefix inside: a lookup per
     * session, never a scan of every stay. */
    return collect(st,
                   "SELECT p.session_id, p.channel_id, SUM(ct.seq - p.from_seq + 1),"
                   " MIN(cf.taken_at), MAX(ct.taken_at), SUM(ct.taken_at - cf.taken_at)"
                   " FROM sessions s JOIN presence p ON p.session_id = s.id AND p.user_id = ?2"
                   " JOIN captures cf ON cf.session_id = p.session_id"
                   "  AND cf.channel_id = p.channel_id AND cf.seq = p.from_seq"
                   " JOIN captures ct ON ct.session_id = p.session_id"
                   "  AND ct.channel_id = p.channel_id"
                   "  AND ct.seq = COALESCE(p.to_seq, (SELECT MAX(c.seq) FROM captures c"
                   "   WHERE c.session_id = p.session_id AND c.channel_id = p.channel_id))"
                   " WHERE s.user_id = ?1"
                   " GROUP BY p.session_id, p.channel_id ORDER BY MIN(cf.taken_at), p.session_id",
                   p, 2, sizeof **out, read_chatter_session, (void **)out, n, err, errlen,
                   "chatter sessions");
}

int sq_capture_chatters(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                        int64_t *total, store_capture_chatter_fn fn, void *ctx, char *err,
                        size_t errlen)
{
    sqlite3_stmt *count = NULL, *rows = NULL;
    int rc = 0;
    int src = sq_cached(st,
                        "SELECT chatter_count, taken_at FROM captures WHERE session_id = ?1"
                        " AND channel_id = ?2 AND seq = ?3",
                        &count);
    if (src == SQLITE_OK)
        /* Open stays (to_seq NULL) reach the last capture, which is >= seq. The name at the
         * capture is the last history row dated at or before it; before the first row, the
         * first row's; without history, the profile's. */
        src = sq_cached(st,
                        "SELECT p.user_id, COALESCE(n.login, u.login),"
                        " COALESCE(n.display_name, u.display_name), u.created_at,"
                        " p.from_seq FROM presence p"
                        " LEFT JOIN twitch_users u ON u.id = p.user_id"
                        " LEFT JOIN twitch_user_names n ON n.id = COALESCE("
                        "  (SELECT h.id FROM twitch_user_names h WHERE h.user_id = p.user_id"
                        "   AND h.seen_at <= ?4 ORDER BY h.seen_at DESC, h.id DESC LIMIT 1),"
                        "  (SELECT h.id FROM twitch_user_names h WHERE h.user_id = p.user_id"
                        "   ORDER BY h.seen_at, h.id LIMIT 1))"
                        " WHERE p.session_id = ?1 AND p.channel_id = ?2"
                        " AND p.from_seq <= ?3 AND (p.to_seq IS NULL OR p.to_seq >= ?3)"
                        " ORDER BY p.user_id",
                        &rows);
    if (src != SQLITE_OK) {
        rc = sq_fail(st, src, err, errlen, "capture chatters");
        goto done;
    }
    /* One snapshot, so the count matches the rows while captures go on. */
    if ((rc = sq_begin_read(st, err, errlen)))
        goto done;
    sqlite3_bind_int64(count, 1, session_id);
    sqlite3_bind_int64(count, 2, channel_id);
    sqlite3_bind_int64(count, 3, seq);
    src = sqlite3_step(count);
    if (src == SQLITE_DONE) {
        rc =
            tca_fail(err, errlen, TCA_ENOTFOUND, "no capture %lld of that channel", (long long)seq);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = sq_fail(st, src, err, errlen, "capture chatters");
        goto out;
    }
    if (total)
        *total = sqlite3_column_int64(count, 0);
    int64_t params[] = {session_id, channel_id, seq, sqlite3_column_int64(count, 1)};
    for (int i = 0; i < 4; i++)
        sqlite3_bind_int64(rows, i + 1, params[i]);
    struct store_capture_chatter c;
    while ((src = sqlite3_step(rows)) == SQLITE_ROW) {
        memset(&c, 0, sizeof c);
        c.user_id = sqlite3_column_int64(rows, 0);
        sq_copy_text(c.login, sizeof c.login, rows, 1);
        sq_copy_text(c.display_name, sizeof c.display_name, rows, 2);
        c.created_at_ms = sqlite3_column_int64(rows, 3);
        c.stay_from_seq = sqlite3_column_int64(rows, 4);
        if ((rc = fn(ctx, &c)))
            goto out;
    }
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "capture chatters");
        goto out;
    }
    rc = sq_commit(st, err, errlen);
out:
    sq_rollback(st);
done:
    sqlite3_reset(count);
    sqlite3_reset(rows);
    return rc;
}
