/*
 * MariaDB: the known-bots list, tca's built-in service and lurker bots (owner 0) plus each
 * user's own additions and removals. A user's changes must never touch the built-in rows or
 * another user's list: removing a built-in bot writes a hiding row for that user.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int my_bot_list(struct store *st, int64_t owner_id, struct store_known_bot **out, size_t *n,
                char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    /* A user's row wins over the built-in one of the same login (by kind, id, or hiding). */
    int rc = my_query(st,
                      "SELECT login, user_id, kind, owner_id = 0, added_at"
                      " FROM known_bots b WHERE removed = 0 AND (owner_id = ?"
                      "  OR (owner_id = 0 AND NOT EXISTS (SELECT 1 FROM known_bots u"
                      "   WHERE u.owner_id = ? AND u.login = b.login)))"
                      " ORDER BY login",
                      MY_ARGS(MY_INT(owner_id), MY_INT(owner_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 32);
        struct store_known_bot *b = &(*out)[(*n)++];
        memset(b, 0, sizeof *b);
        my_text(&r, 0, b->login, sizeof b->login);
        b->user_id = my_int(&r, 1);
        my_text(&r, 2, b->kind, sizeof b->kind);
        b->builtin = (int)my_int(&r, 3);
        b->added_at_ms = my_int(&r, 4);
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

/* 1 when login is on owner_id's effective list, 0 when not, or a TCA_E* code. */
static int listed(struct store *st, int64_t owner_id, const char *login, char *err, size_t errlen)
{
    int64_t one = 0;
    int rc = my_query_int(st,
                          "SELECT 1 FROM known_bots b WHERE login = ? AND removed = 0"
                          " AND (owner_id = ? OR (owner_id = 0 AND NOT EXISTS (SELECT 1"
                          "  FROM known_bots u WHERE u.owner_id = ? AND u.login = b.login)))"
                          " LIMIT 1",
                          MY_ARGS(MY_TEXT(login), MY_INT(owner_id), MY_INT(owner_id)), &one, err,
                          errlen);
    if (rc == TCA_ENOTFOUND)
        return 0;
    return rc ? rc : 1;
}

int my_bot_add(struct store *st, int64_t owner_id, const struct store_known_bot *bots, size_t n,
               int64_t now_ms, size_t *added, char *err, size_t errlen)
{
    if (added)
        *added = 0;
    if (owner_id <= 0)
        return tca_fail(err, errlen, TCA_EINVAL, "known bots belong to a user");
    for (size_t i = 0; i < n; i++)
        if (!bots[i].login[0] ||
            (strcmp(bots[i].kind, "service") && strcmp(bots[i].kind, "lurker")))
            return tca_fail(err, errlen, TCA_EINVAL, "bot %zu: empty login or unknown kind", i + 1);
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        char login[32];
        size_t len = strnlen(bots[i].login, sizeof login - 1);
        for (size_t k = 0; k < len; k++)
            login[k] = (char)tolower((unsigned char)bots[i].login[k]);
        login[len] = '\0';
        if (added) {
            int on = listed(st, owner_id, login, err, errlen);
            if (on < 0) {
                rc = on;
                break;
            }
            *added += !on;
        }
        rc = my_exec(st,
                     "INSERT INTO known_bots(owner_id, login, user_id, kind, removed, added_at)"
                     " VALUES(?, ?, ?, ?, 0, ?) ON DUPLICATE KEY UPDATE user_id = VALUES(user_id),"
                     " kind = VALUES(kind), removed = 0, added_at = VALUES(added_at)",
                     MY_ARGS(MY_INT(owner_id), MY_TEXT(login), MY_INT(bots[i].user_id),
                             MY_TEXT(bots[i].kind), MY_INT(now_ms)),
                     NULL, NULL, err, errlen);
    }
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc) {
        my_rollback(st);
        if (added)
            *added = 0;
    }
    return rc;
}

int my_bot_remove(struct store *st, int64_t owner_id, const char *login, char *err, size_t errlen)
{
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    int on = listed(st, owner_id, login, err, errlen);
    if (on < 0)
        rc = on;
    else if (!on)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "%s is not on the known-bots list", login);
    /* Hiding keeps a row for the user even when the login is only theirs: one statement for
     * both cases, and a later built-in entry of that login stays hidden. */
    if (!rc)
        rc = my_exec(st,
                     "INSERT INTO known_bots(owner_id, login, removed) VALUES(?, ?, 1)"
                     " ON DUPLICATE KEY UPDATE removed = 1",
                     MY_ARGS(MY_INT(owner_id), MY_TEXT(login)), NULL, NULL, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}
