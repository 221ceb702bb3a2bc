/*
 * The known-bots list: tca's built-in service and lurker bots (owner 0) plus each user's own
 * additions and removals. A user's changes must never touch the built-in rows or another
 * user's list: removing a built-in bot writes a hiding row for that user.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int sq_bot_list(struct store *st, int64_t owner_id, struct store_known_bot **out, size_t *n,
                char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    /* A user's row wins over the built-in one of the same login (by kind, id, or hiding). */
    int src = sq_cached(st,
                        "SELECT login, user_id, kind, owner_id = 0, added_at"
                        " FROM known_bots b WHERE removed = 0 AND (owner_id = ?1"
                        "  OR (owner_id = 0 AND NOT EXISTS (SELECT 1 FROM known_bots u"
                        "   WHERE u.owner_id = ?1 AND u.login = b.login)))"
                        " ORDER BY login",
                        &s);
    if (src != SQLITE_OK)
        return sq_fail(st, src, err, errlen, "known bots");
    sqlite3_bind_int64(s, 1, owner_id);
    size_t cap = 0;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 32);
        struct store_known_bot *b = &(*out)[(*n)++];
        memset(b, 0, sizeof *b);
        sq_copy_text(b->login, sizeof b->login, s, 0);
        b->user_id = sqlite3_column_int64(s, 1);
        sq_copy_text(b->kind, sizeof b->kind, s, 2);
        b->builtin = sqlite3_column_int(s, 3);
        b->added_at_ms = sqlite3_column_int64(s, 4);
    }
    int rc = 0;
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "known bots");
        free(*out);
        *out = NULL;
        *n = 0;
    }
    sqlite3_reset(s);
    return rc;
}

/* 1 when login is on owner_id's effective list. */
static int listed(sqlite3_stmt *s, int64_t owner_id, const char *login)
{
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, owner_id);
    sqlite3_bind_text(s, 2, login, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    return found;
}

static const char listed_sql[] =
    "SELECT 1 FROM known_bots b WHERE login = ?2 AND removed = 0 AND (owner_id = ?1"
    " OR (owner_id = 0 AND NOT EXISTS (SELECT 1 FROM known_bots u"
    "  WHERE u.owner_id = ?1 AND u.login = b.login)))";

int sq_bot_add(struct store *st, int64_t owner_id, const struct store_known_bot *bots, size_t n,
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
    sqlite3_stmt *find = NULL, *put = NULL;
    int src = sq_cached(st, listed_sql, &find);
    if (src == SQLITE_OK)
        src = sq_cached(st,
                        "INSERT INTO known_bots(owner_id, login, user_id, kind, removed,"
                        " added_at) VALUES(?1, ?2, ?3, ?4, 0, ?5)"
                        " ON CONFLICT(owner_id, login) DO UPDATE SET"
                        " user_id = excluded.user_id, kind = excluded.kind, removed = 0,"
                        " added_at = excluded.added_at",
                        &put);
    int rc = 0;
    if (src != SQLITE_OK) {
        rc = sq_fail(st, src, err, errlen, "add bot");
        goto done;
    }
    if ((rc = sq_begin(st, err, errlen)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        char login[32];
        size_t len = strnlen(bots[i].login, sizeof login - 1);
        for (size_t k = 0; k < len; k++)
            login[k] = (char)tolower((unsigned char)bots[i].login[k]);
        login[len] = '\0';
        if (added && !listed(find, owner_id, login))
            (*added)++;
        sqlite3_bind_int64(put, 1, owner_id);
        sqlite3_bind_text(put, 2, login, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(put, 3, bots[i].user_id);
        sqlite3_bind_text(put, 4, bots[i].kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(put, 5, now_ms);
        if ((rc = sq_run(st, put, err, errlen, "add bot")))
            goto out;
    }
    rc = sq_commit(st, err, errlen);
out:
    if (rc)
        sq_rollback(st);
done:
    sqlite3_reset(find);
    sqlite3_reset(put);
    return rc;
}

int sq_bot_remove(struct store *st, int64_t owner_id, const char *login, char *err, size_t errlen)
{
    sqlite3_stmt *find = NULL, *hide = NULL;
    int src = sq_cached(st, listed_sql, &find);
    /* Hiding keeps a row for the user even when the login is only theirs: one statement for
     * both cases, and a later built-in entry of that login stays hidden. */
    if (src == SQLITE_OK)
        src = sq_cached(st,
                        "INSERT INTO known_bots(owner_id, login, removed) VALUES(?1, ?2, 1)"
                        " ON CONFLICT(owner_id, login) DO UPDATE SET removed = 1",
                        &hide);
    int rc = 0;
    if (src != SQLITE_OK) {
        rc = sq_fail(st, src, err, errlen, "remove bot");
        goto done;
    }
    if ((rc = sq_begin(st, err, errlen)))
        goto done;
    if (!listed(find, owner_id, login)) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "%s is not on the known-bots list", login);
        goto out;
    }
    sqlite3_bind_int64(hide, 1, owner_id);
    sqlite3_bind_text(hide, 2, login, -1, SQLITE_TRANSIENT);
    if ((rc = sq_run(st, hide, err, errlen, "remove bot")))
        goto out;
    rc = sq_commit(st, err, errlen);
out:
    if (rc)
        sq_rollback(st);
done:
    sqlite3_reset(find);
    sqlite3_reset(hide);
    return rc;
}
