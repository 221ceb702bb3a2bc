/*
 * MariaDB: Twitch user profiles (placeholders from captures, then enriched from Helix), their
 * name history, and the export of a session. A rename is a change between two consecutive
 * recorded names of one user: it must never be counted per capture or per enrichment that
 * saw the same name again. An export must never gather a session in memory.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int my_profile_stale(struct store *st, int64_t session_id, int64_t stale_before_ms, size_t limit,
                     int64_t **ids, size_t *n, char *err, size_t errlen)
{
    *ids = NULL;
    *n = 0;
    if (limit == 0)
        return 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT p.user_id FROM (SELECT user_id FROM presence WHERE session_id = ?"
                      "  UNION SELECT user_id FROM channel_followers WHERE session_id = ?) p"
                      " LEFT JOIN twitch_users u ON u.id = p.user_id"
                      " WHERE (u.id IS NULL OR u.enriched_at = 0 OR u.enriched_at < ?)"
                      " ORDER BY p.user_id LIMIT ?",
                      MY_ARGS(MY_INT(session_id), MY_INT(session_id), MY_INT(stale_before_ms),
                              MY_INT(limit > INT64_MAX ? INT64_MAX : (int64_t)limit)),
                      &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *ids = xgrow(*ids, &cap, *n, sizeof **ids, 128);
        (*ids)[(*n)++] = my_int(&r, 0);
    }
    my_done(&r);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

/* The latest recorded name of a user; *found is 0 when the history is empty. */
static int last_name(struct store *st, int64_t user_id, struct store_name *out, int *found,
                     char *err, size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT login, display_name, seen_at FROM twitch_user_names"
                      " WHERE user_id = ? ORDER BY seen_at DESC, id DESC LIMIT 1",
                      MY_ARGS(MY_INT(user_id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    *found = rc == 1;
    if (*found) {
        my_text(&r, 0, out->login, sizeof out->login);
        my_text(&r, 1, out->display_name, sizeof out->display_name);
        out->seen_at_ms = my_int(&r, 2);
    }
    my_done(&r);
    return rc < 0 ? rc : 0;
}

static int add_name(struct store *st, int64_t user_id, const char *login, const char *display,
                    int64_t seen_at, char *err, size_t errlen)
{
    return my_exec(st,
                   "INSERT INTO twitch_user_names(user_id, login, display_name, seen_at)"
                   " VALUES(?, ?, ?, ?)",
                   MY_ARGS(MY_INT(user_id), MY_TEXT(login), MY_TEXT(display), MY_INT(seen_at)),
                   NULL, NULL, err, errlen);
}

/* Records p's name in the history when it differs from the last one; counts renames. */
static int record_name(struct store *st, const struct store_profile *p, int *renames, char *err,
                       size_t errlen)
{
    struct store_name last;
    int found;
    int rc = last_name(st, p->id, &last, &found, err, errlen);
    if (rc)
        return rc;
    if (found) {
        if (strcmp(last.login, p->login) == 0 && strcmp(last.display_name, p->display_name) == 0)
            return 0;
        (*renames)++;
        return add_name(st, p->id, p->login, p->display_name, p->enriched_at_ms, err, errlen);
    }
    /* First enrichment: a placeholder only knows the login seen in chat; if that login is not
     * the enriched one, the chatter renamed in between, and it is the first known name. */
    struct store_profile stored;
    rc = my_profile_get(st, p->id, &stored, err, errlen);
    if (rc && rc != TCA_ENOTFOUND)
        return rc;
    if (!rc && stored.login[0] && strcasecmp(stored.login, p->login) != 0) {
        const char *old_display = stored.enriched_at_ms ? stored.display_name : stored.login;
        rc = add_name(st, p->id, stored.login, old_display, p->enriched_at_ms, err, errlen);
        if (rc)
            return rc;
        (*renames)++;
    }
    return add_name(st, p->id, p->login, p->display_name, p->enriched_at_ms, err, errlen);
}

int my_profile_put(struct store *st, const struct store_profile *p, size_t n, int *renames,
                   char *err, size_t errlen)
{
    int count = 0;
    if (renames)
        *renames = 0;
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = record_name(st, &p[i], &count, err, errlen);
        if (!rc)
            rc = my_exec(st,
                         "INSERT INTO twitch_users(id, login, display_name, created_at, type,"
                         " broadcaster_type, enriched_at) VALUES(?, ?, ?, ?, ?, ?, ?)"
                         " ON DUPLICATE KEY UPDATE login = VALUES(login),"
                         " display_name = VALUES(display_name), created_at = VALUES(created_at),"
                         " type = VALUES(type), broadcaster_type = VALUES(broadcaster_type),"
                         " enriched_at = VALUES(enriched_at)",
                         MY_ARGS(MY_INT(p[i].id), MY_TEXT(p[i].login), MY_TEXT(p[i].display_name),
                                 MY_INT(p[i].created_at_ms), MY_TEXT(p[i].type),
                                 MY_TEXT(p[i].broadcaster_type), MY_INT(p[i].enriched_at_ms)),
                         NULL, NULL, err, errlen);
    }
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc) {
        my_rollback(st);
        return rc;
    }
    if (renames)
        *renames = count;
    return 0;
}

int my_profile_get(struct store *st, int64_t id, struct store_profile *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT id, login, display_name, type, broadcaster_type, created_at,"
                      " enriched_at FROM twitch_users WHERE id = ?",
                      MY_ARGS(MY_INT(id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        out->id = my_int(&r, 0);
        my_text(&r, 1, out->login, sizeof out->login);
        my_text(&r, 2, out->display_name, sizeof out->display_name);
        my_text(&r, 3, out->type, sizeof out->type);
        my_text(&r, 4, out->broadcaster_type, sizeof out->broadcaster_type);
        out->created_at_ms = my_int(&r, 5);
        out->enriched_at_ms = my_int(&r, 6);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no profile for %lld", (long long)id);
    }
    my_done(&r);
    return rc;
}

int my_name_history(struct store *st, int64_t user_id, struct store_name **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT login, display_name, seen_at FROM twitch_user_names"
                      " WHERE user_id = ? ORDER BY seen_at, id",
                      MY_ARGS(MY_INT(user_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        struct store_name *name = &(*out)[(*n)++];
        my_text(&r, 0, name->login, sizeof name->login);
        my_text(&r, 1, name->display_name, sizeof name->display_name);
        name->seen_at_ms = my_int(&r, 2);
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

/* One row per chatter of the session, aggregated over stays; an open stay ends at the last
 * capture of its channel in the session. */
static const char export_sql[] =
    "SELECT p.user_id, SUM(ct.seq - p.from_seq + 1),"
    "  MIN(cf.taken_at), MAX(ct.taken_at), SUM(ct.taken_at - cf.taken_at),"
    "  MAX(u.login), MAX(u.display_name), MAX(u.created_at)"
    " FROM presence p"
    " JOIN captures cf ON cf.session_id = p.session_id AND cf.channel_id = p.channel_id"
    "  AND cf.seq = p.from_seq"
    " JOIN captures ct ON ct.session_id = p.session_id AND ct.channel_id = p.channel_id"
    "  AND ct.seq = COALESCE(p.to_seq, (SELECT MAX(c.seq) FROM captures c"
    "   WHERE c.session_id = p.session_id AND c.channel_id = p.channel_id))"
    " LEFT JOIN twitch_users u ON u.id = p.user_id"
    " WHERE p.session_id = ?"
    " GROUP BY p.user_id ORDER BY p.user_id";

int my_export_session(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                      void *ctx, char *err, size_t errlen)
{
    /* One snapshot (REPEATABLE READ), so the total matches the rows even while captures go
     * on. */
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    if (total)
        rc = my_session_chatters(st, session_id, total, err, errlen);
    struct my_rows r;
    if (!rc)
        rc = my_query_stream(st, export_sql, MY_ARGS(MY_INT(session_id)), &r, err, errlen);
    if (!rc) {
        struct store_export_row row;
        int more;
        while ((more = my_next(&r, err, errlen)) == 1) {
            memset(&row, 0, sizeof row);
            row.user_id = my_int(&r, 0);
            row.captures_seen = my_int(&r, 1);
            row.first_seen_ms = my_int(&r, 2);
            row.last_seen_ms = my_int(&r, 3);
            row.time_present_ms = my_int(&r, 4);
            my_text(&r, 5, row.login, sizeof row.login);
            my_text(&r, 6, row.display_name, sizeof row.display_name);
            row.created_at_ms = my_int(&r, 7);
            rc = fn(ctx, &row);
            if (rc)
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
