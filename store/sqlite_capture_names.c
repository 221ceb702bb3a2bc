/*
 * Renames seen by captures: every capture gives each chatter's current login and display
 * name, and the joiners and the stays whose name hash changed are checked here against the
 * last known name, inside the capture's transaction. It must never look at a chatter whose
 * name hash is unchanged (that is what keeps an unchanged capture cheap), and never count
 * the same name seen again as a rename.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"

#include <string.h>

/* The name known for one user; *found is 0 when there is no profile yet. */
struct known_name {
    char login[32];
    char display_name[128];
    int64_t enriched_at_ms;
    int64_t named_at_ms; /* 0 unless the history is this one name (sqlite_profiles.c) */
};

static int current_name(struct store *st, int64_t user_id, struct known_name *out, int *found,
                        char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(
        st, "SELECT login, display_name, enriched_at, named_at FROM twitch_users WHERE id = ?", &s,
        err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    int src = sqlite3_step(s);
    *found = src == SQLITE_ROW;
    if (*found) {
        sq_copy_text(out->login, sizeof out->login, s, 0);
        sq_copy_text(out->display_name, sizeof out->display_name, s, 1);
        out->enriched_at_ms = sqlite3_column_int64(s, 2);
        out->named_at_ms = sqlite3_column_int64(s, 3);
    }
    sqlite3_reset(s);
    return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : sq_fail(st, src, err, errlen, "name");
}

static int has_history(struct store *st, int64_t user_id, int *found, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc =
        sq_stmt(st, "SELECT 1 FROM twitch_user_names WHERE user_id = ? LIMIT 1", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    int src = sqlite3_step(s);
    *found = src == SQLITE_ROW;
    sqlite3_reset(s);
    return src == SQLITE_ROW || src == SQLITE_DONE ? 0
                                                   : sq_fail(st, src, err, errlen, "name history");
}

/* A profile that only ever had its login (a placeholder from a capture that gave no display
 * name) does not know the display name: a display name seen later is no rename. */
static int display_known(const struct known_name *k)
{
    return k->enriched_at_ms > 0 || strcmp(k->display_name, k->login) != 0;
}

/* A profile with only the names a capture saw; *added is 0 when the user had one already. */
static int add_placeholder(struct store *st, const struct chatter *ch, int *added, char *err,
                           size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO twitch_profiles(id, login, display_name) VALUES(?1, ?2, ?3)"
                     " ON CONFLICT DO NOTHING",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, ch->id);
    const char *display = ch->display_name[0] ? ch->display_name : ch->login;
    sq_bind_login(s, 2, ch->login, display);
    sqlite3_bind_text(s, 3, display, -1, SQLITE_STATIC);
    rc = sq_run(st, s, err, errlen, "placeholder profile");
    *added = !rc && sqlite3_changes(sq_conn(st)->db) == 1;
    return rc;
}

int sq_capture_name(struct store *st, const struct chatter *ch, int likely_new, int64_t before_ms,
                    int64_t taken_at, int64_t *renames, char *err, size_t errlen)
{
    const char *display = ch->display_name[0] ? ch->display_name : ch->login;
    /* Chatters new to the channel are mostly new to tca: try the insert first, which is then
     * the only statement they cost. */
    int added = 0, known = 0;
    int rc = likely_new ? add_placeholder(st, ch, &added, err, errlen) : 0;
    if (rc || added)
        return rc;
    struct known_name k;
    rc = current_name(st, ch->id, &k, &known, err, errlen);
    if (rc)
        return rc;
    if (!known)
        return add_placeholder(st, ch, &added, err, errlen);
    int login_changed = strcmp(k.login, ch->login) != 0;
    int display_changed =
        ch->display_name[0] && display_known(&k) && strcmp(k.display_name, ch->display_name) != 0;
    if (!login_changed && !display_changed) {
        if (!ch->display_name[0] || display_known(&k))
            return 0;
        /* Learn the display name, without calling it a rename. */
    } else {
        /* The known name becomes the history's first row: dated when the profile saw it
         * if it kept that date (named_at), else by the last capture before this one. */
        int found = 0;
        if (!k.named_at_ms)
            rc = has_history(st, ch->id, &found, err, errlen);
        if (!rc && !found)
            rc = sq_name_add(st, ch->id, k.login, k.display_name,
                             k.named_at_ms ? k.named_at_ms : before_ms, err, errlen);
        if (!rc)
            rc = sq_name_add(st, ch->id, ch->login, display, taken_at, err, errlen);
        if (rc)
            return rc;
        (*renames)++;
    }
    sqlite3_stmt *s;
    rc = sq_stmt(st,
                 "UPDATE twitch_profiles SET login = ?2, display_name = ?3,"
                 " named_at = CASE WHEN ?4 THEN NULL ELSE named_at END WHERE id = ?1",
                 &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, ch->id);
    sq_bind_login(s, 2, ch->login, display);
    sqlite3_bind_text(s, 3, display, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, login_changed || display_changed); /* the history is in rows now */
    return sq_run(st, s, err, errlen, "profile rename");
}

/* Every open stay of the user in the session, whichever channel: open_stays is keyed
 * (session, channel, user), so the session's channels (from its captures' key) make it one
 * lookup each. A later capture of another channel then compares against the new name, so a
 * return to the old one (A -> B -> A) is seen there too. */
int sq_stay_rename(struct store *st, int64_t session_id, int64_t user_id, int64_t name_hash,
                   char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "UPDATE open_stays SET name_hash = ?3 WHERE session_id = ?1"
                     " AND channel_id IN (SELECT DISTINCT channel_id FROM captures"
                     " WHERE session_id = ?1) AND user_id = ?2",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_int64(s, 3, name_hash);
    return sq_run(st, s, err, errlen, "stay rename");
}
