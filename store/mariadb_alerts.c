/*
 * MariaDB: webhooks, their deliveries and the watchlist. Webhook URLs and secrets arrive
 * sealed and leave sealed: this file must never see or keep them in clear.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define HOOK_COLUMNS                                                                               \
    "SELECT id, owner_id, kind, name, url_sealed, secret_sealed, url_masked, channel_id, events,"  \
    " blocked_until, created_at FROM webhooks"

static void read_hook(const struct my_rows *r, struct store_webhook *w)
{
    memset(w, 0, sizeof *w);
    w->id = my_int(r, 0);
    w->owner_id = my_int(r, 1);
    my_text(r, 2, w->kind, sizeof w->kind);
    my_text(r, 3, w->name, sizeof w->name);
    my_text(r, 4, w->url_sealed, sizeof w->url_sealed);
    my_text(r, 5, w->secret_sealed, sizeof w->secret_sealed);
    my_text(r, 6, w->url_masked, sizeof w->url_masked);
    w->channel_id = my_int(r, 7);
    w->events = my_int(r, 8);
    w->blocked_until_ms = my_int(r, 9);
    w->created_at_ms = my_int(r, 10);
}

int my_webhook_create(struct store *st, const struct store_webhook *w, int64_t *id, char *err,
                      size_t errlen)
{
    return my_exec(st,
                   "INSERT INTO webhooks(owner_id, kind, name, url_sealed, secret_sealed,"
                   " url_masked, channel_id, events, blocked_until, created_at)"
                   " VALUES(?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                   MY_ARGS(MY_INT(w->owner_id), MY_TEXT(w->kind), MY_TEXT(w->name),
                           MY_TEXT(w->url_sealed), MY_TEXT(w->secret_sealed),
                           MY_TEXT(w->url_masked), MY_INT(w->channel_id), MY_INT(w->events),
                           MY_INT(w->created_at_ms)),
                   NULL, id, err, errlen);
}

int my_webhook_list(struct store *st, int64_t owner_id, struct store_webhook **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st, HOOK_COLUMNS " WHERE owner_id = ? ORDER BY id", MY_ARGS(MY_INT(owner_id)),
                      &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        read_hook(&r, &(*out)[(*n)++]);
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

int my_webhook_get(struct store *st, int64_t id, struct store_webhook *out, char *err,
                   size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st, HOOK_COLUMNS " WHERE id = ?", MY_ARGS(MY_INT(id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1)
        read_hook(&r, out);
    my_done(&r);
    if (rc == 0)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "no webhook %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int my_webhook_delete(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen)
{
    uint64_t gone = 0;
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = my_exec(st, "DELETE FROM webhooks WHERE id = ? AND owner_id = ?",
                 MY_ARGS(MY_INT(id), MY_INT(owner_id)), &gone, NULL, err, errlen);
    if (!rc && !gone)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no webhook %lld", (long long)id);
    if (!rc)
        rc = my_exec(st, "DELETE FROM webhook_deliveries WHERE webhook_id = ?", MY_ARGS(MY_INT(id)),
                     NULL, NULL, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}

int my_webhook_block(struct store *st, int64_t id, int64_t until_ms, char *err, size_t errlen)
{
    return my_exec(st,
                   "UPDATE webhooks SET blocked_until = GREATEST(blocked_until, ?) WHERE id = ?",
                   MY_ARGS(MY_INT(until_ms), MY_INT(id)), NULL, NULL, err, errlen);
}

int my_delivery_create(struct store *st, const struct store_delivery *d, int64_t *id, char *err,
                       size_t errlen)
{
    /* NULLIF: no key is NULL, and NULLs never collide in the unique index */
    return my_exec(st,
                   "INSERT INTO webhook_deliveries(webhook_id, owner_id, event, body, state,"
                   " created_at, updated_at, dedupe_key)"
                   " VALUES(?, ?, ?, ?, 'queued', ?, ?, NULLIF(?, ''))",
                   MY_ARGS(MY_INT(d->webhook_id), MY_INT(d->owner_id), MY_TEXT(d->event),
                           MY_TEXT(d->body ? d->body : "{}"), MY_INT(d->created_at_ms),
                           MY_INT(d->created_at_ms), MY_TEXT(d->dedupe_key)),
                   NULL, id, err, errlen);
}

int my_delivery_update(struct store *st, const struct store_delivery *d, char *err, size_t errlen)
{
    return my_exec(st,
                   "UPDATE webhook_deliveries SET state = ?, attempts = ?, last_status = ?,"
                   " last_error = ?, updated_at = ? WHERE id = ?",
                   MY_ARGS(MY_TEXT(d->state), MY_INT(d->attempts), MY_INT(d->last_status),
                           MY_TEXT(d->last_error), MY_INT(d->updated_at_ms), MY_INT(d->id)),
                   NULL, NULL, err, errlen);
}

#define DELIVERY_COLUMNS                                                                           \
    "SELECT id, webhook_id, owner_id, event, state, attempts, last_status, last_error,"            \
    " created_at, updated_at"

static void read_delivery(const struct my_rows *r, struct store_delivery *d)
{
    memset(d, 0, sizeof *d);
    d->id = my_int(r, 0);
    d->webhook_id = my_int(r, 1);
    d->owner_id = my_int(r, 2);
    my_text(r, 3, d->event, sizeof d->event);
    my_text(r, 4, d->state, sizeof d->state);
    d->attempts = (int)my_int(r, 5);
    d->last_status = (int)my_int(r, 6);
    my_text(r, 7, d->last_error, sizeof d->last_error);
    d->created_at_ms = my_int(r, 8);
    d->updated_at_ms = my_int(r, 9);
}

int my_delivery_get(struct store *st, int64_t id, struct store_delivery *out, char *err,
                    size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st, DELIVERY_COLUMNS ", body FROM webhook_deliveries WHERE id = ?",
                      MY_ARGS(MY_INT(id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        read_delivery(&r, out);
        out->body = my_dup(&r, 10);
    }
    my_done(&r);
    if (rc == 0)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "no delivery %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int my_delivery_list(struct store *st, int64_t owner_id, size_t limit, struct store_delivery **out,
                     size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      DELIVERY_COLUMNS " FROM webhook_deliveries WHERE owner_id = ?"
                                       " ORDER BY id DESC LIMIT ?",
                      MY_ARGS(MY_INT(owner_id), MY_INT(limit)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 16);
        read_delivery(&r, &(*out)[(*n)++]);
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

int my_watch_put(struct store *st, const struct store_watch *w, int64_t *id, char *err,
                 size_t errlen)
{
    if (w->owner_id <= 0 || (!w->login[0] && w->user_id <= 0))
        return tca_fail(err, errlen, TCA_EINVAL, "a watched account needs a login or an id");
    int64_t row = 0;
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    /* The row a put updates: the same user id if known, else the same login without id. */
    rc = my_query_int(
        st,
        "SELECT id FROM watchlist WHERE owner_id = ? AND"
        " ((? > 0 AND user_id = ?) OR (user_id = 0 AND login = ?))"
        " ORDER BY user_id DESC LIMIT 1 FOR UPDATE",
        MY_ARGS(MY_INT(w->owner_id), MY_INT(w->user_id), MY_INT(w->user_id), MY_TEXT(w->login)),
        &row, err, errlen);
    if (rc == TCA_ENOTFOUND) {
        row = 0;
        rc = my_exec(st,
                     "INSERT INTO watchlist(owner_id, user_id, login, reason, note, added_at)"
                     " VALUES(?, ?, ?, ?, ?, ?)",
                     MY_ARGS(MY_INT(w->owner_id), MY_INT(w->user_id), MY_TEXT(w->login),
                             MY_TEXT(w->reason), MY_TEXT(w->note), MY_INT(w->added_at_ms)),
                     NULL, &row, err, errlen);
    } else if (!rc) {
        rc = my_exec(st,
                     "UPDATE watchlist SET user_id = ?, login = ?, reason = ?, note = ?"
                     " WHERE id = ?",
                     MY_ARGS(MY_INT(w->user_id), MY_TEXT(w->login), MY_TEXT(w->reason),
                             MY_TEXT(w->note), MY_INT(row)),
                     NULL, NULL, err, errlen);
    }
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    else if (id)
        *id = row;
    return rc;
}

int my_watch_list(struct store *st, int64_t owner_id, struct store_watch **out, size_t *n,
                  char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT id, owner_id, user_id, login, reason, note, added_at FROM watchlist"
                      " WHERE owner_id = ? ORDER BY login, id",
                      MY_ARGS(MY_INT(owner_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 16);
        struct store_watch *w = &(*out)[(*n)++];
        memset(w, 0, sizeof *w);
        w->id = my_int(&r, 0);
        w->owner_id = my_int(&r, 1);
        w->user_id = my_int(&r, 2);
        my_text(&r, 3, w->login, sizeof w->login);
        my_text(&r, 4, w->reason, sizeof w->reason);
        my_text(&r, 5, w->note, sizeof w->note);
        w->added_at_ms = my_int(&r, 6);
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

int my_watch_remove(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen)
{
    uint64_t gone = 0;
    int rc = my_exec(st, "DELETE FROM watchlist WHERE id = ? AND owner_id = ?",
                     MY_ARGS(MY_INT(id), MY_INT(owner_id)), &gone, NULL, err, errlen);
    if (!rc && !gone)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no watched account %lld", (long long)id);
    return rc;
}
