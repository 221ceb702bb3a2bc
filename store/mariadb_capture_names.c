/*
 * MariaDB: renames seen by captures, the same rule as store/sqlite_capture_names.c: the
 * joiners and the stays whose name hash changed are checked against the last known name
 * inside the capture's transaction. It must never look at a chatter whose name hash is
 * unchanged, and never count the same name seen again as a rename.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"

#include <string.h>

struct known_name {
    char login[32];
    char display_name[128];
    int64_t enriched_at_ms;
};

/* A profile that only ever had its login does not know the display name. */
static int display_known(const struct known_name *k)
{
    return k->enriched_at_ms > 0 || strcmp(k->display_name, k->login) != 0;
}

static int current_name(struct store *st, int64_t user_id, struct known_name *k, int *found,
                        char *err, size_t errlen)
{
    struct my_rows r;
    *found = 0;
    int rc = my_query(st, "SELECT login, display_name, enriched_at FROM twitch_users WHERE id = ?",
                      MY_ARGS(MY_INT(user_id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        *found = 1;
        my_text(&r, 0, k->login, sizeof k->login);
        my_text(&r, 1, k->display_name, sizeof k->display_name);
        k->enriched_at_ms = my_int(&r, 2);
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

int my_capture_name(struct store *st, const struct chatter *ch, int likely_new, int64_t before_ms,
                    int64_t taken_at, int64_t *renames, char *err, size_t errlen)
{
    const char *display = ch->display_name[0] ? ch->display_name : ch->login;
    uint64_t added = 0;
    int rc = 0;
    if (likely_new) {
        rc = my_exec(st, "INSERT IGNORE INTO twitch_users(id, login, display_name) VALUES(?, ?, ?)",
                     MY_ARGS(MY_INT(ch->id), MY_TEXT(ch->login), MY_TEXT(display)), &added, NULL,
                     err, errlen);
        if (rc || added)
            return rc;
    }
    struct known_name k;
    int found;
    rc = current_name(st, ch->id, &k, &found, err, errlen);
    if (rc)
        return rc;
    if (!found)
        return my_exec(
            st, "INSERT IGNORE INTO twitch_users(id, login, display_name) VALUES(?, ?, ?)",
            MY_ARGS(MY_INT(ch->id), MY_TEXT(ch->login), MY_TEXT(display)), NULL, NULL, err, errlen);
    int login_changed = strcmp(k.login, ch->login) != 0;
    int display_changed =
        ch->display_name[0] && display_known(&k) && strcmp(k.display_name, ch->display_name) != 0;
    if (!login_changed && !display_changed) {
        if (!ch->display_name[0] || display_known(&k))
            return 0;
    } else {
        int64_t rows = 0;
        rc = my_query_int(st, "SELECT COUNT(*) FROM twitch_user_names WHERE user_id = ?",
                          MY_ARGS(MY_INT(ch->id)), &rows, err, errlen);
        if (!rc && rows == 0)
            rc = add_name(st, ch->id, k.login, k.display_name, before_ms, err, errlen);
        if (!rc)
            rc = add_name(st, ch->id, ch->login, display, taken_at, err, errlen);
        if (rc)
            return rc;
        (*renames)++;
    }
    return my_exec(st, "UPDATE twitch_users SET login = ?, display_name = ? WHERE id = ?",
                   MY_ARGS(MY_TEXT(ch->login), MY_TEXT(display), MY_INT(ch->id)), NULL, NULL, err,
                   errlen);
}

int my_stay_rename(struct store *st, int64_t session_id, int64_t user_id, int64_t name_hash,
                   char *err, size_t errlen)
{
    return my_exec(st,
                   "UPDATE presence SET name_hash = ? WHERE session_id = ? AND user_id = ?"
                   " AND to_seq IS NULL",
                   MY_ARGS(MY_INT(name_hash), MY_INT(session_id), MY_INT(user_id)), NULL, NULL, err,
                   errlen);
}
