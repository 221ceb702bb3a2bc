/*
 * Alerts in the SQLite store: webhooks, their deliveries and the watchlist. Webhook URLs and
 * secrets arrive sealed and leave sealed: this file must never see or keep them in clear.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int64_t last_id(struct store *st)
{
    return sqlite3_last_insert_rowid(sq_conn(st)->db);
}

#define HOOK_COLUMNS                                                                               \
    "SELECT id, owner_id, kind, name, url_sealed, secret_sealed, url_masked, channel_id, events,"  \
    " blocked_until, created_at FROM webhooks"

static void read_hook(sqlite3_stmt *s, struct store_webhook *w)
{
    memset(w, 0, sizeof *w);
    w->id = sqlite3_column_int64(s, 0);
    w->owner_id = sqlite3_column_int64(s, 1);
    sq_copy_text(w->kind, sizeof w->kind, s, 2);
    sq_copy_text(w->name, sizeof w->name, s, 3);
    sq_copy_text(w->url_sealed, sizeof w->url_sealed, s, 4);
    sq_copy_text(w->secret_sealed, sizeof w->secret_sealed, s, 5);
    sq_copy_text(w->url_masked, sizeof w->url_masked, s, 6);
    w->channel_id = sqlite3_column_int64(s, 7);
    w->events = sqlite3_column_int64(s, 8);
    w->blocked_until_ms = sqlite3_column_int64(s, 9);
    w->created_at_ms = sqlite3_column_int64(s, 10);
}

int sq_webhook_create(struct store *st, const struct store_webhook *w, int64_t *id, char *err,
                      size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO webhooks(owner_id, kind, name, url_sealed, secret_sealed,"
                     " url_masked, channel_id, events, blocked_until, created_at)"
                     " VALUES(?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, w->owner_id);
    sqlite3_bind_text(s, 2, w->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, w->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, w->url_sealed, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, w->secret_sealed, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, w->url_masked, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, w->channel_id);
    sqlite3_bind_int64(s, 8, w->events);
    sqlite3_bind_int64(s, 9, w->created_at_ms);
    rc = sq_run(st, s, err, errlen, "webhook create");
    if (!rc)
        *id = last_id(st);
    return rc;
}

int sq_webhook_list(struct store *st, int64_t owner_id, struct store_webhook **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st, HOOK_COLUMNS " WHERE owner_id = ? ORDER BY id", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, owner_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        read_hook(s, &(*out)[(*n)++]);
    }
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "webhook list");
        free(*out);
        *out = NULL;
        *n = 0;
    }
    sqlite3_reset(s);
    return rc;
}

int sq_webhook_get(struct store *st, int64_t id, struct store_webhook *out, char *err,
                   size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, HOOK_COLUMNS " WHERE id = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        read_hook(s, out);
    else if (src == SQLITE_DONE)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no webhook %lld", (long long)id);
    else
        rc = sq_fail(st, src, err, errlen, "webhook get");
    sqlite3_reset(s);
    return rc;
}

int sq_webhook_delete(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen)
{
    sqlite3_stmt *del, *dels;
    int rc = sq_stmt(st, "DELETE FROM webhooks WHERE id = ? AND owner_id = ?", &del, err, errlen);
    if (!rc)
        rc = sq_stmt(st, "DELETE FROM webhook_deliveries WHERE webhook_id = ?", &dels, err, errlen);
    if (rc)
        return rc;
    if ((rc = sq_begin(st, err, errlen)))
        return rc;
    sqlite3_bind_int64(del, 1, id);
    sqlite3_bind_int64(del, 2, owner_id);
    rc = sq_run(st, del, err, errlen, "webhook delete");
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no webhook %lld", (long long)id);
    if (!rc) {
        sqlite3_bind_int64(dels, 1, id);
        rc = sq_run(st, dels, err, errlen, "webhook delete");
    }
    if (!rc)
        rc = sq_commit(st, err, errlen);
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_webhook_block(struct store *st, int64_t id, int64_t until_ms, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, "UPDATE webhooks SET blocked_until = MAX(blocked_until, ?) WHERE id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, until_ms);
    sqlite3_bind_int64(s, 2, id);
    return sq_run(st, s, err, errlen, "webhook block");
}

int sq_delivery_create(struct store *st, const struct store_delivery *d, int64_t *id, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO webhook_deliveries(webhook_id, owner_id, event, body, state,"
                     " created_at, updated_at, dedupe_key) VALUES(?, ?, ?, ?, 'queued', ?, ?, ?)",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, d->webhook_id);
    sqlite3_bind_int64(s, 2, d->owner_id);
    sqlite3_bind_text(s, 3, d->event, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, d->body ? d->body : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, d->created_at_ms);
    sqlite3_bind_int64(s, 6, d->created_at_ms);
    if (d->dedupe_key[0]) /* no key is NULL, and NULLs never collide in the unique index */
        sqlite3_bind_text(s, 7, d->dedupe_key, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 7);
    rc = sq_run(st, s, err, errlen, "delivery create");
    if (!rc)
        *id = last_id(st);
    return rc;
}

int sq_delivery_update(struct store *st, const struct store_delivery *d, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "UPDATE webhook_deliveries SET state = ?, attempts = ?, last_status = ?,"
                     " last_error = ?, updated_at = ? WHERE id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, d->state, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, d->attempts);
    sqlite3_bind_int(s, 3, d->last_status);
    sqlite3_bind_text(s, 4, d->last_error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, d->updated_at_ms);
    sqlite3_bind_int64(s, 6, d->id);
    return sq_run(st, s, err, errlen, "delivery update");
}

#define DELIVERY_COLUMNS                                                                           \
    "SELECT id, webhook_id, owner_id, event, state, attempts, last_status, last_error,"            \
    " created_at, updated_at"

static void read_delivery(sqlite3_stmt *s, struct store_delivery *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(s, 0);
    d->webhook_id = sqlite3_column_int64(s, 1);
    d->owner_id = sqlite3_column_int64(s, 2);
    sq_copy_text(d->event, sizeof d->event, s, 3);
    sq_copy_text(d->state, sizeof d->state, s, 4);
    d->attempts = sqlite3_column_int(s, 5);
    d->last_status = sqlite3_column_int(s, 6);
    sq_copy_text(d->last_error, sizeof d->last_error, s, 7);
    d->created_at_ms = sqlite3_column_int64(s, 8);
    d->updated_at_ms = sqlite3_column_int64(s, 9);
}

int sq_delivery_get(struct store *st, int64_t id, struct store_delivery *out, char *err,
                    size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, DELIVERY_COLUMNS ", body FROM webhook_deliveries WHERE id = ?", &s, err,
                     errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        read_delivery(s, out);
        out->body = xstrdup((const char *)sqlite3_column_text(s, 10));
    } else if (src == SQLITE_DONE) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no delivery %lld", (long long)id);
    } else {
        rc = sq_fail(st, src, err, errlen, "delivery get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_delivery_list(struct store *st, int64_t owner_id, size_t limit, struct store_delivery **out,
                     size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     DELIVERY_COLUMNS " FROM webhook_deliveries WHERE owner_id = ?"
                                      " ORDER BY id DESC LIMIT ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, owner_id);
    sqlite3_bind_int64(s, 2, (int64_t)limit);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 16);
        read_delivery(s, &(*out)[(*n)++]);
    }
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "delivery list");
        free(*out);
        *out = NULL;
        *n = 0;
    }
    sqlite3_reset(s);
    return rc;
}

/* The row a put updates: the same user id if known, else the same login still without id. */
static int find_watch(struct store *st, const struct store_watch *w, int64_t *id, char *err,
                      size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT id FROM watchlist WHERE owner_id = ?1 AND"
                     " ((?2 > 0 AND user_id = ?2) OR (user_id = 0 AND login = ?3))"
                     " ORDER BY user_id DESC LIMIT 1",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, w->owner_id);
    sqlite3_bind_int64(s, 2, w->user_id);
    sqlite3_bind_text(s, 3, w->login, -1, SQLITE_STATIC);
    int src = sqlite3_step(s);
    *id = src == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = sq_fail(st, src, err, errlen, "watchlist");
    sqlite3_reset(s);
    return rc;
}

int sq_watch_put(struct store *st, const struct store_watch *w, int64_t *id, char *err,
                 size_t errlen)
{
    if (w->owner_id <= 0 || (!w->login[0] && w->user_id <= 0))
        return tca_fail(err, errlen, TCA_EINVAL, "a watched account needs a login or an id");
    int64_t row = 0;
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    if ((rc = find_watch(st, w, &row, err, errlen)))
        goto out;
    sqlite3_stmt *s;
    rc = sq_stmt(st,
                 row ? "UPDATE watchlist SET user_id = ?2, login = ?3, reason = ?4, note = ?5"
                       " WHERE id = ?6 AND owner_id = ?1"
                     : "INSERT INTO watchlist(owner_id, user_id, login, reason, note, added_at)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?7)",
                 &s, err, errlen);
    if (rc)
        goto out;
    sqlite3_bind_int64(s, 1, w->owner_id);
    sqlite3_bind_int64(s, 2, w->user_id);
    sqlite3_bind_text(s, 3, w->login, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, w->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, w->note, -1, SQLITE_STATIC);
    if (row)
        sqlite3_bind_int64(s, 6, row);
    else
        sqlite3_bind_int64(s, 7, w->added_at_ms);
    if ((rc = sq_run(st, s, err, errlen, "watchlist put")))
        goto out;
    if (!row)
        row = last_id(st);
    rc = sq_commit(st, err, errlen);
out:
    if (rc)
        sq_rollback(st);
    else if (id)
        *id = row;
    return rc;
}

int sq_watch_list(struct store *st, int64_t owner_id, struct store_watch **out, size_t *n,
                  char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT id, owner_id, user_id, login, reason, note, added_at FROM watchlist"
                     " WHERE owner_id = ? ORDER BY login, id",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, owner_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 16);
        struct store_watch *w = &(*out)[(*n)++];
        memset(w, 0, sizeof *w);
        w->id = sqlite3_column_int64(s, 0);
        w->owner_id = sqlite3_column_int64(s, 1);
        w->user_id = sqlite3_column_int64(s, 2);
        sq_copy_text(w->login, sizeof w->login, s, 3);
        sq_copy_text(w->reason, sizeof w->reason, s, 4);
        sq_copy_text(w->note, sizeof w->note, s, 5);
        w->added_at_ms = sqlite3_column_int64(s, 6);
    }
    if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "watchlist");
        free(*out);
        *out = NULL;
        *n = 0;
    }
    sqlite3_reset(s);
    return rc;
}

int sq_watch_remove(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, "DELETE FROM watchlist WHERE id = ? AND owner_id = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, owner_id);
    rc = sq_run(st, s, err, errlen, "watchlist remove");
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no watched account %lld", (long long)id);
    return rc;
}
