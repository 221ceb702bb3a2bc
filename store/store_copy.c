/*
 * Moving a store to another back end (tca migrate-store): every table in parent-first order,
 * in batches, then a count and a checksum of each table read back from both sides. The table
 * list is the schema both back ends share; a back end's own columns (MariaDB's generated
 * ones) are not in it. Must never write into a target that already holds data.
 */
#include "store/store_driver.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define I(n)                                                                                       \
    {                                                                                              \
        n, 0                                                                                       \
    }
#define T(n)                                                                                       \
    {                                                                                              \
        n, 1                                                                                       \
    }
#define TABLE(name, cols, order, skip)                                                             \
    {                                                                                              \
        name, cols, sizeof cols / sizeof *cols, order, skip                                        \
    }

static const struct store_column users[] = {I("id"), T("login"), T("display_name"),
                                            I("last_login")};
static const struct store_column oauth_tokens[] = {I("user_id"),        T("access_sealed"),
                                                   T("refresh_sealed"), I("expires_at"),
                                                   I("validated_at"),   T("scopes")};
static const struct store_column channels[] = {I("id"), T("login"), T("display_name")};
static const struct store_column sessions[] = {
    I("id"), I("user_id"), I("active"), I("saved"), T("label"), I("created_at"), I("updated_at")};
static const struct store_column session_channels[] = {
    I("session_id"), I("channel_id"), I("interval_s"), I("next_at"), I("stop_at"), I("enabled")};
static const struct store_column captures[] = {I("id"),      I("session_id"),   I("channel_id"),
                                               I("seq"),     I("taken_at"),     I("chatter_count"),
                                               I("joined"),  I("left"),         I("new_to_channel"),
                                               I("pages"),   I("duration_ms"),  I("job_id"),
                                               I("renames"), I("new_to_owner"), I("first_stays")};
static const struct store_column presence[] = {I("session_id"), I("user_id"), I("channel_id"),
                                               I("from_seq"),   I("to_seq"),  I("name_hash")};
static const struct store_column kept_visits[] = {
    I("owner_id"),  I("channel_id"), I("session_id"),      I("user_id"),
    I("first_seq"), I("last_seen"),  I("session_first_at")};
static const struct store_column channel_chatters[] = {I("channel_id"), I("user_id")};
static const struct store_column twitch_users[] = {I("id"),           T("login"),
                                                   T("display_name"), I("created_at"),
                                                   T("type"),         T("broadcaster_type"),
                                                   I("enriched_at")};
static const struct store_column twitch_user_names[] = {I("id"), I("user_id"), T("login"),
                                                        T("display_name"), I("seen_at")};
static const struct store_column jobs[] = {
    I("id"),     T("kind"),        T("dedupe_key"), T("payload"),    I("state"),     I("attempts"),
    I("run_at"), I("lease_until"), T("last_error"), I("created_at"), I("updated_at")};
static const struct store_column login_sessions[] = {
    T("id_hash"), I("user_id"), T("csrf"), I("created_at"), I("last_seen"), I("expires_at")};
static const struct store_column oauth_states[] = {T("state_hash"), I("expires_at")};
static const struct store_column api_keys[] = {I("id"),         T("key_hash"),  I("user_id"),
                                               T("name"),       T("prefix"),    I("read_only"),
                                               I("created_at"), I("last_used"), I("revoked_at")};
static const struct store_column user_channels[] = {I("user_id"), I("channel_id"), T("role"),
                                                    I("live"),    I("checked_at"), I("viewers")};
static const struct store_column live_watches[] = {I("session_id"), I("channel_id"), I("user_id"),
                                                   I("interval_s"), I("live")};
static const struct store_column known_bots[] = {I("owner_id"), T("login"),   I("user_id"),
                                                 T("kind"),     I("removed"), I("added_at")};
static const struct store_column webhooks[] = {
    I("id"),         T("kind"),       T("name"),   T("url_sealed"),    T("secret_sealed"),
    T("url_masked"), I("channel_id"), I("events"), I("blocked_until"), I("created_at"),
    I("owner_id")};
static const struct store_column webhook_deliveries[] = {
    I("id"),         I("webhook_id"), I("owner_id"),   T("event"),
    T("body"),       T("state"),      I("attempts"),   I("last_status"),
    T("last_error"), T("dedupe_key"), I("created_at"), I("updated_at")};
static const struct store_column watchlist[] = {
    I("id"), I("owner_id"), I("user_id"), T("login"), T("reason"), T("note"), I("added_at")};
static const struct store_column chat_settings[] = {I("session_id"), I("enabled"), T("status"),
                                                    I("updated_at"), I("counts_seq")};
static const struct store_column chat_counts[] = {
    I("session_id"), I("channel_id"), I("minute"),    I("user_id"),  T("login"),   I("messages"),
    I("emote_only"), I("scored"),     I("score_sum"), I("positive"), I("negative")};
static const struct store_column chat_raids[] = {I("session_id"), I("channel_id"), I("from_id"),
                                                 T("from_login"), I("viewers"),    I("at")};
static const struct store_column channel_roles[] = {I("channel_id"), I("role"), I("user_id")};
static const struct store_column channel_roles_read[] = {I("channel_id"), I("role"), I("read_at")};
static const struct store_column channel_followers[] = {
    I("channel_id"), I("user_id"), T("login"), I("followed_at"), I("session_id"), I("seq")};
static const struct store_column follower_reads[] = {
    I("session_id"), I("channel_id"), I("seq"), I("read_at"), I("new_followers"), I("total")};

/* Parents before children, so foreign keys hold at every insert. */
static const struct store_table tables[STORE_COPY_TABLES] = {
    TABLE("users", users, "id", NULL),
    TABLE("oauth_tokens", oauth_tokens, "user_id", NULL),
    TABLE("channels", channels, "id", NULL),
    TABLE("sessions", sessions, "id", NULL),
    TABLE("session_channels", session_channels, "session_id, channel_id", NULL),
    TABLE("captures", captures, "id", NULL),
    TABLE("presence", presence, "session_id, user_id, channel_id, from_seq", NULL),
    TABLE("channel_chatters", channel_chatters, "channel_id, user_id", NULL),
    TABLE("twitch_users", twitch_users, "id", NULL),
    TABLE("twitch_user_names", twitch_user_names, "id", NULL),
    TABLE("jobs", jobs, "id", NULL),
    TABLE("login_sessions", login_sessions, "id_hash", NULL),
    TABLE("oauth_states", oauth_states, "state_hash", NULL),
    TABLE("api_keys", api_keys, "id", NULL),
    TABLE("user_channels", user_channels, "user_id, channel_id", NULL),
    TABLE("live_watches", live_watches, "session_id, channel_id", NULL),
    /* the built-in list (owner 0) comes with every fresh store */
    TABLE("known_bots", known_bots, "owner_id, login", "owner_id = 0"),
    TABLE("kept_visits", kept_visits, "owner_id, channel_id, session_id, user_id", NULL),
    TABLE("webhooks", webhooks, "id", NULL),
    TABLE("webhook_deliveries", webhook_deliveries, "id", NULL),
    TABLE("watchlist", watchlist, "id", NULL),
    TABLE("chat_settings", chat_settings, "session_id", NULL),
    TABLE("chat_counts", chat_counts, "session_id, channel_id, minute, user_id", NULL),
    TABLE("chat_raids", chat_raids, "session_id, channel_id, from_id, at", NULL),
    TABLE("channel_roles", channel_roles, "channel_id, role, user_id", NULL),
    TABLE("channel_roles_read", channel_roles_read, "channel_id, role", NULL),
    TABLE("channel_followers", channel_followers, "channel_id, user_id", NULL),
    TABLE("follower_reads", follower_reads, "session_id, channel_id, seq", NULL),
};

enum { BATCH = 500 };

/* Rows waiting to be inserted: cells, with their text owned here. */
struct batch {
    struct store *to;
    const struct store_table *t;
    struct store_cell cells[BATCH * 16];
    size_t n;
    char *err;
    size_t errlen;
};

static void batch_clear(struct batch *b)
{
    for (size_t i = 0; i < b->n * b->t->n_columns; i++)
        free((char *)b->cells[i].s);
    b->n = 0;
}

static int batch_flush(struct batch *b)
{
    if (!b->n)
        return 0;
    int rc = b->to->ops->table_insert(b->to, b->t, b->cells, b->n, b->err, b->errlen);
    batch_clear(b);
    return rc;
}

static int add_row(void *ctx, const struct store_cell *cells)
{
    struct batch *b = ctx;
    struct store_cell *row = &b->cells[b->n * b->t->n_columns];
    for (size_t i = 0; i < b->t->n_columns; i++) {
        row[i] = cells[i];
        row[i].s = cells[i].null || !cells[i].s ? NULL : xstrdup(cells[i].s);
    }
    return ++b->n == BATCH ? batch_flush(b) : 0;
}

/* A table's count and checksum, as read back through a back end. */
struct digest {
    const struct store_table *t;
    crypto_generichash_state h;
    int64_t rows;
};

static int digest_row(void *ctx, const struct store_cell *cells)
{
    struct digest *d = ctx;
    for (size_t i = 0; i < d->t->n_columns; i++) {
        char head[48];
        if (cells[i].null)
            snprintf(head, sizeof head, "N;");
        else if (d->t->columns[i].text)
            snprintf(head, sizeof head, "s%zu:", strlen(cells[i].s ? cells[i].s : ""));
        else
            snprintf(head, sizeof head, "i%lld;", (long long)cells[i].i);
        crypto_generichash_update(&d->h, (const unsigned char *)head, strlen(head));
        if (!cells[i].null && d->t->columns[i].text && cells[i].s)
            crypto_generichash_update(&d->h, (const unsigned char *)cells[i].s, strlen(cells[i].s));
    }
    d->rows++;
    return 0;
}

static int table_digest(struct store *st, const struct store_table *t, int64_t *rows, char sum[33],
                        char *err, size_t errlen)
{
    struct digest d = {.t = t};
    crypto_generichash_init(&d.h, NULL, 0, 16);
    int rc = st->ops->table_rows(st, t, 0, digest_row, &d, err, errlen);
    unsigned char out[16];
    crypto_generichash_final(&d.h, out, sizeof out);
    sodium_bin2hex(sum, 33, out, sizeof out);
    *rows = d.rows;
    return rc;
}

static int count_row(void *ctx, const struct store_cell *cells)
{
    (*(int64_t *)ctx)++;
    return 1; /* one row is enough to know the target is not empty */
}

int store_copy(struct store *from, struct store *to, struct store_copy_report *rep, char *err,
               size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    if (sodium_init() < 0)
        return tca_fail(err, errlen, TCA_ERR, "libsodium did not initialise");
    for (size_t i = 0; i < STORE_COPY_TABLES; i++) {
        int64_t found = 0;
        int rc = to->ops->table_rows(to, &tables[i], 1, count_row, &found, err, errlen);
        if (rc && rc != 1)
            return rc;
        if (found)
            return tca_fail(err, errlen, TCA_ECONFLICT,
                            "the target store already holds data (table %s): refusing to copy "
                            "into it",
                            tables[i].name);
    }
    struct batch *b = xcalloc(1, sizeof *b);
    b->to = to;
    b->err = err;
    b->errlen = errlen;
    int rc = 0;
    for (size_t i = 0; i < STORE_COPY_TABLES && !rc; i++) {
        b->t = &tables[i];
        rc = from->ops->table_rows(from, &tables[i], 1, add_row, b, err, errlen);
        if (!rc)
            rc = batch_flush(b);
        batch_clear(b);
    }
    free(b);
    for (size_t i = 0; i < STORE_COPY_TABLES && !rc; i++) {
        struct store_copy_table *c = &rep->tables[rep->n++];
        c->name = tables[i].name;
        rc = table_digest(from, &tables[i], &c->rows_from, c->sum_from, err, errlen);
        if (!rc)
            rc = table_digest(to, &tables[i], &c->rows_to, c->sum_to, err, errlen);
    }
    for (size_t i = 0; i < rep->n && !rc; i++)
        if (rep->tables[i].rows_from != rep->tables[i].rows_to ||
            strcmp(rep->tables[i].sum_from, rep->tables[i].sum_to))
            rc = tca_fail(err, errlen, TCA_EDB, "table %s differs after the copy",
                          rep->tables[i].name);
    return rc;
}
