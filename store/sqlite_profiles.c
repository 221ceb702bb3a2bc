/*
 * Twitch user profiles (placeholders from captures, then enriched from Helix) and their name
 * history. A rename is a change between two consecutive recorded names of one user: it must
 * never be counted per capture or per enrichment that saw the same name again.
 * A history of one name is not stored as a row: it is the profile's own name, seen at
 * twitch_users.named_at (NULL otherwise). The first rename writes that name as the first row
 * and clears named_at, so a user has either named_at or rows, never both.
 * Rows are written to twitch_profiles in its compact form (sqlite_schema.c, the last steps);
 * everything reads them back through the twitch_users view.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sq_bind_login(sqlite3_stmt *s, int i, const char *login, const char *display)
{
    size_t k = 0;
    /* SQLite's lower() only folds ASCII: outside printable ASCII the text is kept */
    for (; display[k] && login[k] && display[k] >= ' ' && display[k] <= '~'; k++)
        if (login[k] !=
            (display[k] >= 'A' && display[k] <= 'Z' ? display[k] - 'A' + 'a' : display[k]))
            break;
    if (!display[k] && !login[k])
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, login, -1, SQLITE_STATIC);
}

int64_t sq_time_code(int64_t ms)
{
    if (ms > 0 && ms % 1000 == 0)
        return -(ms / 1000);
    return ms < 0 ? ms - ((int64_t)1 << 62) : ms;
}

int64_t sq_time_decode(int64_t code)
{
    if (code >= 0)
        return code;
    if (code < -((int64_t)1 << 61))
        return code + ((int64_t)1 << 62);
    return -code * 1000;
}

/* Copies len bytes of t into dst (n bytes), cut and NUL-terminated; folded to lower case
 * (ASCII only, as SQLite's lower()) when fold is set. */
static void copy_cut(char *dst, size_t n, const unsigned char *t, size_t len, int fold)
{
    if (len >= n)
        len = n - 1;
    if (fold)
        for (size_t i = 0; i < len; i++)
            dst[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] - 'A' + 'a' : t[i]);
    else if (len)
        memcpy(dst, t, len);
    dst[len] = '\0';
}

/* Each sqlite3_column_* call costs ~60 instructions: every column is asked for once. */
void sq_profile_row(sqlite3_stmt *s, int col, unsigned fields, struct store_chatter_profile *c)
{
    c->login[0] = c->display_name[0] = '\0';
    c->created_at_ms = 0;
    const unsigned char *display = sqlite3_column_text(s, col + 1);
    if (!display)
        return; /* no profile row: a chatter never seen by name */
    size_t display_len = (size_t)sqlite3_column_bytes(s, col + 1);
    const unsigned char *login = sqlite3_column_text(s, col);
    if (login)
        copy_cut(c->login, sizeof c->login, login, (size_t)sqlite3_column_bytes(s, col), 0);
    else
        copy_cut(c->login, sizeof c->login, display, display_len, 1);
    if (fields & STORE_PROFILE_DISPLAY)
        copy_cut(c->display_name, sizeof c->display_name, display, display_len, 0);
    c->created_at_ms = sq_time_decode(sqlite3_column_int64(s, col + 2));
}

/* A session's chatters are mostly runs of consecutive profile rows (profiles are written as
 * chatters first appear), so the cursor steps forward, a few hundred instructions a row, and
 * seeks (a B-tree descent, several times that) only past a gap of GAP_STEPS rows. */
enum { GAP_STEPS = 8 };

int sq_profile_cursor_open(struct store *st, struct sq_profile_cursor *c, char *err, size_t errlen)
{
    *c = (struct sq_profile_cursor){0};
    return sq_stmt(st,
                   "SELECT id, login, display_name, created_at FROM twitch_profiles"
                   " WHERE id >= ?1 ORDER BY id",
                   &c->s, err, errlen);
}

static void seek(struct sq_profile_cursor *c, int64_t id)
{
    sqlite3_reset(c->s);
    sqlite3_bind_int64(c->s, 1, id);
    if ((c->state = sqlite3_step(c->s)) == SQLITE_ROW)
        c->at = sqlite3_column_int64(c->s, 0);
}

int sq_profile_cursor_find(struct sq_profile_cursor *c, int64_t id)
{
    if (!c->state)
        seek(c, id);
    for (int k = 0; c->state == SQLITE_ROW && c->at < id && k < GAP_STEPS; k++)
        if ((c->state = sqlite3_step(c->s)) == SQLITE_ROW)
            c->at = sqlite3_column_int64(c->s, 0);
    if (c->state == SQLITE_ROW && c->at < id)
        seek(c, id);
    if (c->state == SQLITE_ROW)
        return c->at == id ? SQLITE_ROW : SQLITE_DONE;
    return c->state;
}

void sq_profile_cursor_close(struct sq_profile_cursor *c)
{
    if (c->s)
        sqlite3_reset(c->s);
}

/* The ids of sq_profiles_each, handed over at once. */
struct id_array {
    const int64_t *ids;
    size_t n;
};

static const int64_t *array_ids(void *ctx, size_t *n)
{
    struct id_array *a = ctx;
    *n = a->n;
    a->n = 0;
    return a->ids;
}

int sq_profiles_each(struct store *st, const int64_t *ids, size_t n, unsigned fields,
                     store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    if (!n)
        return 0;
    return sq_profiles_pull(st, array_ids, &(struct id_array){ids, n}, fields, fn, ctx, err,
                            errlen);
}

int sq_profiles_pull(struct store *st, store_ids_fn next, void *next_ctx, unsigned fields,
                     store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    struct sq_profile_cursor cur;
    int rc = sq_profile_cursor_open(st, &cur, err, errlen);
    if (rc)
        return rc;
    /* One snapshot across the seeks, unless the caller has one. SQLite takes it at the first
     * step, so after next() gave the first ids: a reader fed by another connection's scan
     * reads a moment no earlier than that scan's. */
    int own = sqlite3_get_autocommit(sq_conn(st)->db);
    if (own && (rc = sq_begin_read(st, err, errlen)) != 0)
        return rc;
    struct store_chatter_profile c;
    size_t n;
    const int64_t *ids;
    while (!rc && (ids = next(next_ctx, &n)) != NULL && n) {
        for (size_t i = 0; i < n && !rc; i++) {
            int state = sq_profile_cursor_find(&cur, ids[i]);
            if (state != SQLITE_ROW && state != SQLITE_DONE) {
                rc = sq_fail(st, state, err, errlen, "profiles");
                break;
            }
            c.user_id = ids[i];
            if (state == SQLITE_ROW) {
                sq_profile_row(cur.s, 1, fields, &c);
            } else {
                c.login[0] = c.display_name[0] = '\0';
                c.created_at_ms = 0;
            }
            rc = fn(ctx, &c);
        }
    }
    sq_profile_cursor_close(&cur);
    if (own && !rc)
        rc = sq_commit(st, err, errlen);
    if (own)
        sq_rollback(st);
    return rc;
}

int sq_profile_stale(struct store *st, int64_t session_id, int64_t stale_before_ms, size_t limit,
                     int64_t **ids, size_t *n, char *err, size_t errlen)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT p.user_id FROM (SELECT user_id FROM presence WHERE session_id = ?1"
                     "  UNION SELECT user_id FROM channel_followers WHERE session_id = ?1) p"
                     " LEFT JOIN twitch_users u ON u.id = p.user_id"
                     " WHERE (u.id IS NULL OR u.enriched_at = 0 OR u.enriched_at < ?2)"
                     " ORDER BY p.user_id LIMIT ?3",
                     &s, err, errlen);
    if (rc)
        return rc;
    if (limit == 0)
        return 0;
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, stale_before_ms);
    sqlite3_bind_int64(s, 3, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *ids = xgrow(*ids, &cap, *n, sizeof **ids, 128);
        (*ids)[(*n)++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "stale profiles");
    }
    return 0;
}

/* One user's history: its rows, or the profile's name when named_at holds its date. */
#define HISTORY_SQL                                                                                \
    "SELECT login, display_name, seen_at, id, 0 FROM twitch_user_names WHERE user_id = ?1"         \
    " UNION ALL SELECT login, display_name, named_at, 0, 1 FROM twitch_users"                      \
    " WHERE id = ?1 AND named_at IS NOT NULL"

/* The latest recorded name of a user; *found is 0 when the history is empty, *implicit 1
 * when that name is the profile's own (no row). */
static int last_name(struct store *st, int64_t user_id, struct store_name *out, int *found,
                     int *implicit, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, HISTORY_SQL " ORDER BY 3 DESC, 4 DESC LIMIT 1", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    int src = sqlite3_step(s);
    *found = src == SQLITE_ROW;
    if (*found) {
        sq_copy_text(out->login, sizeof out->login, s, 0);
        sq_copy_text(out->display_name, sizeof out->display_name, s, 1);
        out->seen_at_ms = sqlite3_column_int64(s, 2);
        *implicit = sqlite3_column_int(s, 4);
    }
    sqlite3_reset(s);
    return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : sq_fail(st, src, err, errlen, "name");
}

int sq_name_add(struct store *st, int64_t user_id, const char *login, const char *display,
                int64_t seen_at, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO twitch_user_names(user_id, login, display_name, seen_at)"
                     " VALUES(?, ?, ?, ?)",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_text(s, 2, login, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, display, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, seen_at);
    return sq_run(st, s, err, errlen, "name insert");
}

/* What the profile upsert does with named_at. */
enum named { NAMED_KEEP, NAMED_SET, NAMED_CLEAR };

/* Records p's name in the history when it differs from the last one; counts renames. */
static int record_name(struct store *st, const struct store_profile *p, int *renames,
                       enum named *named, char *err, size_t errlen)
{
    struct store_name last;
    int found, implicit = 0;
    *named = NAMED_KEEP;
    int rc = last_name(st, p->id, &last, &found, &implicit, err, errlen);
    if (rc)
        return rc;
    if (found) {
        if (strcmp(last.login, p->login) == 0 && strcmp(last.display_name, p->display_name) == 0)
            return 0;
        (*renames)++;
        if (implicit) {
            *named = NAMED_CLEAR;
            rc =
                sq_name_add(st, p->id, last.login, last.display_name, last.seen_at_ms, err, errlen);
            if (rc)
                return rc;
        }
        return sq_name_add(st, p->id, p->login, p->display_name, p->enriched_at_ms, err, errlen);
    }
    /* First enrichment: history starts with the first known name. A placeholder only knows
     * the login seen in chat; if that login is not the enriched one, the chatter renamed in
     * between, and the old login is the first known name. */
    struct store_profile stored;
    rc = sq_profile_get(st, p->id, &stored, err, errlen);
    if (rc && rc != TCA_ENOTFOUND)
        return rc;
    if (!rc && stored.login[0] && strcasecmp(stored.login, p->login) != 0) {
        const char *old_display = stored.enriched_at_ms ? stored.display_name : stored.login;
        rc = sq_name_add(st, p->id, stored.login, old_display, p->enriched_at_ms, err, errlen);
        if (rc)
            return rc;
        (*renames)++;
    } else if (p->enriched_at_ms > 0) {
        *named = NAMED_SET; /* one name: no row */
        return 0;
    }
    return sq_name_add(st, p->id, p->login, p->display_name, p->enriched_at_ms, err, errlen);
}

int sq_profile_put(struct store *st, const struct store_profile *p, size_t n, int *renames,
                   char *err, size_t errlen)
{
    int count = 0;
    if (renames)
        *renames = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO twitch_profiles(id, login, display_name, created_at, type,"
                     " broadcaster_type, enriched_at, named_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                     " CASE WHEN ?8 = 1 THEN 0 END)"
                     " ON CONFLICT(id) DO UPDATE SET login = excluded.login,"
                     " display_name = excluded.display_name, created_at = excluded.created_at,"
                     " type = excluded.type, broadcaster_type = excluded.broadcaster_type,"
                     " enriched_at = excluded.enriched_at,"
                     /* a name dated by the enrichment keeps its date when enriched again */
                     " named_at = CASE ?8 WHEN 0 THEN CASE WHEN named_at = 0"
                     " AND enriched_at <> excluded.enriched_at THEN enriched_at ELSE named_at END"
                     " WHEN 1 THEN 0 END",
                     &s, err, errlen);
    if (rc)
        return rc;
    rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        enum named named;
        rc = record_name(st, &p[i], &count, &named, err, errlen);
        if (rc)
            goto out;
        sqlite3_bind_int64(s, 1, p[i].id);
        sq_bind_login(s, 2, p[i].login, p[i].display_name);
        sqlite3_bind_text(s, 3, p[i].display_name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, sq_time_code(p[i].created_at_ms));
        sqlite3_bind_text(s, 5, p[i].type, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, p[i].broadcaster_type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 7, sq_time_code(p[i].enriched_at_ms));
        sqlite3_bind_int(s, 8, (int)named);
        rc = sq_run(st, s, err, errlen, "profile upsert");
        if (rc)
            goto out;
    }
    rc = sq_commit(st, err, errlen);
out:
    if (rc) {
        sq_rollback(st);
        return rc;
    }
    if (renames)
        *renames = count;
    return 0;
}

int sq_profile_get(struct store *st, int64_t id, struct store_profile *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT id, login, display_name, type, broadcaster_type, created_at,"
                     " enriched_at FROM twitch_users WHERE id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        sq_copy_text(out->login, sizeof out->login, s, 1);
        sq_copy_text(out->display_name, sizeof out->display_name, s, 2);
        sq_copy_text(out->type, sizeof out->type, s, 3);
        sq_copy_text(out->broadcaster_type, sizeof out->broadcaster_type, s, 4);
        out->created_at_ms = sqlite3_column_int64(s, 5);
        out->enriched_at_ms = sqlite3_column_int64(s, 6);
    } else if (src == SQLITE_DONE) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no profile for %lld", (long long)id);
    } else {
        rc = sq_fail(st, src, err, errlen, "profile get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_name_history(struct store *st, int64_t user_id, struct store_name **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st, HISTORY_SQL " ORDER BY 3, 4", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        struct store_name *name = &(*out)[(*n)++];
        sq_copy_text(name->login, sizeof name->login, s, 0);
        sq_copy_text(name->display_name, sizeof name->display_name, s, 1);
        name->seen_at_ms = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "name history");
    }
    return 0;
}
