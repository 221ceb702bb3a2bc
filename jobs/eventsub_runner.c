/*
 * The EventSub runner (see the header). Must never log or store a chat message's text (it is
 * scored while the parser holds it, and only the score is kept), never subscribe a channel
 * nobody follows, and never ask Twitch again for a subscription it refused or revoked with the
 * same login: Twitch would refuse again, and a revoked authorization is the user's decision.
 * Only a changed token (refreshed, or a new login, maybe with the missing scope) can have
 * removed the cause; then it asks once more, no sooner than a backoff that doubles each time.
 */
#include "jobs/eventsub_runner.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "jobs/live.h"
#include "store/store_chat.h"
#include "twitch/eventsub.h"
#include "twitch/user_token.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIT(sub) (1u << (sub))
#define STREAM_BITS (BIT(TWITCH_ES_SUB_STREAM_ONLINE) | BIT(TWITCH_ES_SUB_STREAM_OFFLINE))
#define CHAT_BITS (BIT(TWITCH_ES_SUB_CHAT_MESSAGE) | BIT(TWITCH_ES_SUB_RAID) | STREAM_BITS)
/* Messages read from one connection before the others get their turn. */
#define DRAIN_MAX 512
#define BACKOFF_MAX_MS 60000
/* Token trouble needs the user: no point asking Twitch every few seconds. */
#define TOKEN_RETRY_MS 60000
/* Longest wait between two attempts at a subscription that died (about an hour). */
#define RESUBSCRIBE_MAX_MS (64 * 60000)

/* One followed channel of one user's active session. */
struct follow {
    int64_t session_id;
    int64_t channel_id;
    unsigned want; /* BIT(sub) of the subscriptions it needs */
    unsigned held; /* subscribed on the current connection */
    unsigned dead; /* refused or revoked: not asked again with the same token */
    char dead_token[CRYPTO_HASH_HEX + 1]; /* keyed hash of the token that saw it die */
    int64_t retry_at_ms;                  /* no new attempt before (backoff) */
    int64_t retry_backoff_ms;
    int revived; /* asked again after a change of token: clear the status once held */
};

struct user {
    int64_t user_id;
    struct twitch_es *es; /* NULL: not connected */
    struct twitch_token tok;
    int64_t retry_at_ms;
    int64_t backoff_ms;
    int64_t token_checked_at_ms; /* last look for a changed token (dead subscriptions) */
    struct follow *f;
    size_t n_f, cap_f;
};

/* A counted message waiting to be stored: who and when, never what. */
struct pending {
    int64_t session_id, channel_id, minute_ms, user_id;
    char login[32];
    int emote_only;
    int scored; /* the scorer found lexicon words */
    int score;
};

struct eventsub_runner {
    struct eventsub_runner_options o;
    char *url;
    struct user *users;
    size_t n_users, cap_users;
    struct pending *pend;
    size_t n_pend, cap_pend;
    int64_t next_refresh_ms, next_flush_ms;
    struct eventsub_runner_counts counts;
    long closed_duplicates, closed_reconnects;
};

static int64_t now(const struct eventsub_runner *r)
{
    return r->o.clock.now_ms(r->o.clock.ctx);
}

static void problem(struct eventsub_runner *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(struct eventsub_runner *r, const char *fmt, ...)
{
    if (!r->o.on_problem)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->o.on_problem(r->o.ctx, msg);
}

/* Records why chat of a session is not (fully) captured, for the user to see. */
static int note(struct eventsub_runner *r, int64_t session_id, const char *why, char *err,
                size_t errlen)
{
    return store_chat_note(r->o.st, session_id, why, now(r), err, errlen);
}

struct eventsub_runner *eventsub_runner_new(const struct eventsub_runner_options *o)
{
    struct eventsub_runner *r = xcalloc(1, sizeof *r);
    r->o = *o;
    r->url = xstrdup(o->url);
    r->o.url = r->url;
    if (r->o.refresh_every_ms <= 0)
        r->o.refresh_every_ms = 5000;
    if (r->o.flush_every_ms <= 0)
        r->o.flush_every_ms = 1000;
    if (r->o.connect_timeout_ms <= 0)
        r->o.connect_timeout_ms = 10000;
    if (r->o.token_recheck_ms <= 0)
        r->o.token_recheck_ms = 30000;
    if (r->o.resubscribe_backoff_ms <= 0)
        r->o.resubscribe_backoff_ms = 60000;
    return r;
}

static void disconnect(struct eventsub_runner *r, struct user *u)
{
    if (u->es) {
        long d = 0, rc = 0;
        twitch_es_counts(u->es, &d, &rc);
        r->closed_duplicates += d;
        r->closed_reconnects += rc;
        twitch_es_free(u->es);
        u->es = NULL;
    }
    for (size_t i = 0; i < u->n_f; i++)
        u->f[i].held = 0;
}

static struct user *user_get(struct eventsub_runner *r, int64_t user_id)
{
    for (size_t i = 0; i < r->n_users; i++)
        if (r->users[i].user_id == user_id)
            return &r->users[i];
    r->users = xgrow(r->users, &r->cap_users, r->n_users, sizeof *r->users, 4);
    struct user *u = &r->users[r->n_users++];
    memset(u, 0, sizeof *u);
    u->user_id = user_id;
    return u;
}

static struct follow *follow_get(struct user *u, int64_t session_id, int64_t channel_id)
{
    for (size_t i = 0; i < u->n_f; i++)
        if (u->f[i].session_id == session_id && u->f[i].channel_id == channel_id)
            return &u->f[i];
    u->f = xgrow(u->f, &u->cap_f, u->n_f, sizeof *u->f, 8);
    struct follow *f = &u->f[u->n_f++];
    memset(f, 0, sizeof *f);
    f->session_id = session_id;
    f->channel_id = channel_id;
    return f;
}

static void user_drop(struct eventsub_runner *r, size_t i)
{
    struct user *u = &r->users[i];
    disconnect(r, u);
    twitch_token_clear(&u->tok);
    free(u->f);
    r->users[i] = r->users[--r->n_users];
}

/* Re-reads which channels are followed: chat capture (every subscription) and live watches
 * (stream status only). Channels no longer followed are forgotten with their refusals. */
static int refresh(struct eventsub_runner *r, char *err, size_t errlen)
{
    struct store_chat_target *t = NULL;
    struct store_live_watch *lw = NULL;
    size_t nt = 0, nw = 0;
    int rc = store_chat_targets(r->o.st, &t, &nt, err, errlen);
    if (!rc)
        rc = store_live_watch_list(r->o.st, &lw, &nw, err, errlen);
    if (rc)
        goto out;
    for (size_t i = 0; i < r->n_users; i++)
        for (size_t k = 0; k < r->users[i].n_f; k++)
            r->users[i].f[k].want = 0;
    for (size_t i = 0; i < nt; i++)
        follow_get(user_get(r, t[i].user_id), t[i].session_id, t[i].channel_id)->want |= CHAT_BITS;
    for (size_t i = 0; i < nw; i++)
        follow_get(user_get(r, lw[i].user_id), lw[i].session_id, lw[i].channel_id)->want |=
            STREAM_BITS;
    for (size_t i = r->n_users; i-- > 0;) {
        struct user *u = &r->users[i];
        for (size_t k = u->n_f; k-- > 0;)
            if (!u->f[k].want)
                u->f[k] = u->f[--u->n_f];
        if (!u->n_f)
            user_drop(r, i);
    }
out:
    free(t);
    free(lw);
    return rc;
}

/* Which token a subscription died with: a keyed hash of the access token and its scopes, so
 * a refreshed token or a new login (maybe with another scope) reads as a change. */
static void token_print(const struct eventsub_runner *r, const struct twitch_token *t,
                        char out[CRYPTO_HASH_HEX + 1])
{
    char access[CRYPTO_HASH_HEX + 1], both[CRYPTO_HASH_HEX + sizeof t->scopes + 2];
    crypto_token_hash(r->o.keys, t->access_token ? t->access_token : "", access);
    snprintf(both, sizeof both, "%s %s", access, t->scopes);
    crypto_token_hash(r->o.keys, both, out);
}

static void kill_sub(const struct eventsub_runner *r, const struct user *u, struct follow *f,
                     enum twitch_es_sub sub)
{
    f->dead |= BIT(sub);
    f->held &= ~BIT(sub);
    f->revived = 0;
    token_print(r, &u->tok, f->dead_token);
}

/* Asks for every subscription a follow wants and does not hold. */
static int subscribe_missing(struct eventsub_runner *r, struct user *u, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < u->n_f && u->es && !rc; i++) {
        struct follow *f = &u->f[i];
        for (int sub = TWITCH_ES_SUB_CHAT_MESSAGE; sub <= TWITCH_ES_SUB_STREAM_OFFLINE; sub++) {
            if (!(f->want & BIT(sub)) || (f->held | f->dead) & BIT(sub))
                continue;
            char id[TWITCH_ES_ID_MAX + 1], why[320];
            int src = twitch_es_subscribe(r->o.tw, &u->tok, twitch_es_session_id(u->es), sub,
                                          f->channel_id, id, why, sizeof why);
            if (src == 0 || src == TCA_ECONFLICT) {
                f->held |= BIT(sub);
                if (f->revived && (f->held & f->want) == f->want) {
                    f->revived = 0; /* what the status said is over */
                    rc = note(r, f->session_id, "", err, errlen);
                }
            } else if (src == TCA_EFORBIDDEN || src == TCA_EAUTH) {
                kill_sub(r, u, f, (enum twitch_es_sub)sub);
                problem(r, "eventsub user=%lld session=%lld: %s", (long long)u->user_id,
                        (long long)f->session_id, why);
                rc = note(r, f->session_id, why, err, errlen);
            } else {
                problem(r, "eventsub user=%lld: %s (retried at the next refresh)",
                        (long long)u->user_id, why);
            }
            if (rc)
                break;
        }
    }
    int saved = user_token_persist_refresh(r->o.st, r->o.keys, &u->tok, now(r), err, errlen);
    return rc ? rc : saved;
}

/* A user's dead subscriptions are asked again when the stored token changed since they died
 * (refreshed, or a new login) and their backoff has passed; the token is looked at no more
 * than every token_recheck_ms. Never an error: a user without a usable token keeps them dead. */
static void revive(struct eventsub_runner *r, struct user *u)
{
    int64_t t = now(r);
    int due = 0;
    for (size_t i = 0; i < u->n_f && !due; i++)
        due = (u->f[i].dead & u->f[i].want) && t >= u->f[i].retry_at_ms;
    if (!due || (u->token_checked_at_ms && t - u->token_checked_at_ms < r->o.token_recheck_ms))
        return;
    u->token_checked_at_ms = t;
    struct twitch_token tok = {0};
    char why[256], print[CRYPTO_HASH_HEX + 1];
    if (user_token_load(r->o.st, r->o.keys, r->o.tw, u->user_id, t, &tok, why, sizeof why)) {
        twitch_token_clear(&tok);
        return;
    }
    token_print(r, &tok, print);
    int changed = 0;
    for (size_t i = 0; i < u->n_f; i++) {
        struct follow *f = &u->f[i];
        if (!(f->dead & f->want) || t < f->retry_at_ms || strcmp(print, f->dead_token) == 0)
            continue;
        f->dead = 0;
        f->revived = 1;
        f->retry_backoff_ms =
            f->retry_backoff_ms ? f->retry_backoff_ms * 2 : r->o.resubscribe_backoff_ms;
        if (f->retry_backoff_ms > RESUBSCRIBE_MAX_MS)
            f->retry_backoff_ms = RESUBSCRIBE_MAX_MS;
        f->retry_at_ms = t + f->retry_backoff_ms;
        changed = 1;
        problem(r, "eventsub user=%lld session=%lld: the Twitch login changed; subscribing again",
                (long long)u->user_id, (long long)f->session_id);
    }
    if (changed) { /* the new token is the one to subscribe with */
        twitch_token_clear(&u->tok);
        u->tok = tok;
    } else {
        twitch_token_clear(&tok);
    }
}

static void backoff(struct eventsub_runner *r, struct user *u)
{
    u->backoff_ms = u->backoff_ms ? u->backoff_ms * 2 : 1000;
    if (u->backoff_ms > BACKOFF_MAX_MS)
        u->backoff_ms = BACKOFF_MAX_MS;
    u->retry_at_ms = now(r) + u->backoff_ms;
}

/* The chat reader: scores a message while the parser holds its text, keeps only the score. */
static int score_message(void *ctx, const struct twitch_es_fragment *frags, size_t n, int *score)
{
    const struct an_lexicon *lx = ctx;
    struct an_fragment *in = xcalloc(n ? n : 1, sizeof *in);
    for (size_t i = 0; i < n; i++)
        in[i] = (struct an_fragment){frags[i].text, frags[i].len, frags[i].emote};
    struct an_sentiment s;
    an_sentiment_score(lx, AN_LANG_AUTO, in, n, &s);
    free(in);
    *score = s.score;
    return s.kind == AN_SENT_SCORED;
}

static int connect_user(struct eventsub_runner *r, struct user *u, char *err, size_t errlen)
{
    char why[256];
    twitch_token_clear(&u->tok);
    int rc =
        user_token_load(r->o.st, r->o.keys, r->o.tw, u->user_id, now(r), &u->tok, why, sizeof why);
    if (rc) {
        problem(r, "eventsub user=%lld: no usable token: %s", (long long)u->user_id, why);
        u->retry_at_ms = now(r) + TOKEN_RETRY_MS;
        int nrc = 0;
        for (size_t i = 0; i < u->n_f && !nrc; i++)
            if (u->f[i].want & BIT(TWITCH_ES_SUB_CHAT_MESSAGE))
                nrc = note(r, u->f[i].session_id, "no usable Twitch token: log in again", err,
                           errlen);
        return nrc;
    }
    rc = twitch_es_connect(r->url, r->o.connect_timeout_ms, &u->es, why, sizeof why);
    if (rc) {
        problem(r, "eventsub user=%lld: %s", (long long)u->user_id, why);
        backoff(r, u);
        return 0;
    }
    u->backoff_ms = 0;
    if (r->o.lexicon) {
        struct twitch_es_reader rd = {score_message, (void *)r->o.lexicon};
        twitch_es_set_reader(u->es, &rd);
    }
    return subscribe_missing(r, u, err, errlen);
}

static struct follow *follow_of(struct user *u, int64_t channel_id)
{
    for (size_t i = 0; i < u->n_f; i++)
        if (u->f[i].channel_id == channel_id)
            return &u->f[i];
    return NULL;
}

static int64_t event_ms(const struct eventsub_runner *r, const struct twitch_es_message *m)
{
    return m->sent_at_ms > 0 ? m->sent_at_ms : now(r);
}

static void count_chat(struct eventsub_runner *r, const struct follow *f,
                       const struct twitch_es_message *m)
{
    r->pend = xgrow(r->pend, &r->cap_pend, r->n_pend, sizeof *r->pend, 256);
    struct pending *p = &r->pend[r->n_pend++];
    int64_t at = event_ms(r, m);
    p->session_id = f->session_id;
    p->channel_id = f->channel_id;
    p->minute_ms = at - at % 60000;
    p->user_id = m->chat.chatter_id;
    snprintf(p->login, sizeof p->login, "%s", m->chat.chatter_login);
    p->emote_only = m->chat.emote_only != 0;
    p->scored = m->chat.read;
    p->score = m->chat.score;
    r->counts.messages++;
}

/* stream.online / stream.offline: the session's live watch of that channel follows at once. */
static int stream_status(struct eventsub_runner *r, const struct follow *f, int live, char *err,
                         size_t errlen)
{
    struct store_live_watch *lw = NULL;
    size_t n = 0;
    int rc = store_live_watch_list(r->o.st, &lw, &n, err, errlen);
    for (size_t i = 0; i < n && !rc; i++)
        if (lw[i].session_id == f->session_id && lw[i].channel_id == f->channel_id)
            rc = live_apply(r->o.st, &lw[i], live, now(r), err, errlen);
    free(lw);
    if (live)
        r->counts.online++;
    else
        r->counts.offline++;
    return rc;
}

static int handle(struct eventsub_runner *r, struct user *u, const struct twitch_es_message *m,
                  char *err, size_t errlen)
{
    struct follow *f = follow_of(u, m->broadcaster_id);
    /* no longer followed (or not for this type): its subscriptions die with the connection */
    if (!f || !(f->want & BIT(m->sub)))
        return 0;
    if (m->kind == TWITCH_ES_REVOCATION) {
        kill_sub(r, u, f, m->sub);
        r->counts.revocations++;
        char why[256];
        snprintf(why, sizeof why, "Twitch revoked %s on channel %lld: %s",
                 twitch_es_sub_name(m->sub), (long long)f->channel_id, m->sub_status);
        problem(r, "eventsub user=%lld session=%lld: %s", (long long)u->user_id,
                (long long)f->session_id, why);
        return note(r, f->session_id, why, err, errlen);
    }
    switch (m->sub) {
    case TWITCH_ES_SUB_CHAT_MESSAGE:
        count_chat(r, f, m);
        return 0;
    case TWITCH_ES_SUB_RAID: {
        struct store_chat_raid raid = {.session_id = f->session_id,
                                       .channel_id = f->channel_id,
                                       .from_id = m->raid.from_id,
                                       .viewers = m->raid.viewers,
                                       .at_ms = event_ms(r, m)};
        snprintf(raid.from_login, sizeof raid.from_login, "%s", m->raid.from_login);
        r->counts.raids++;
        return store_chat_raid_add(r->o.st, &raid, err, errlen);
    }
    case TWITCH_ES_SUB_STREAM_ONLINE:
        return stream_status(r, f, 1, err, errlen);
    case TWITCH_ES_SUB_STREAM_OFFLINE:
        return stream_status(r, f, 0, err, errlen);
    }
    return 0;
}

/* Reads what one connection has (waiting up to wait_ms for the first message). */
static int read_user(struct eventsub_runner *r, struct user *u, int64_t wait_ms, char *err,
                     size_t errlen)
{
    for (int k = 0; k < DRAIN_MAX && u->es; k++) {
        struct twitch_es_message m;
        char why[256];
        int rc = twitch_es_next(u->es, k ? 0 : wait_ms, &m, why, sizeof why);
        if (rc == TCA_ENOTFOUND)
            return 0;
        if (rc) {
            problem(r, "eventsub user=%lld: %s; connecting again", (long long)u->user_id, why);
            disconnect(r, u);
            backoff(r, u);
            return 0;
        }
        rc = handle(r, u, &m, err, errlen);
        if (rc)
            return rc;
    }
    return 0;
}

static int by_key(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    int64_t kx[4] = {x->session_id, x->channel_id, x->minute_ms, x->user_id};
    int64_t ky[4] = {y->session_id, y->channel_id, y->minute_ms, y->user_id};
    for (int i = 0; i < 4; i++)
        if (kx[i] != ky[i])
            return kx[i] < ky[i] ? -1 : 1;
    return 0;
}

/* Drops the counts of sessions deleted since their messages arrived (their rows would break
 * the foreign key forever); returns how many were dropped. */
static size_t drop_deleted_sessions(struct eventsub_runner *r)
{
    size_t kept = 0, dropped = 0;
    int64_t checked = 0;
    int gone = 0;
    for (size_t i = 0; i < r->n_pend; i++) {
        if (i == 0 || r->pend[i].session_id != checked) { /* sorted: one lookup per session */
            struct store_session s;
            char e[256];
            checked = r->pend[i].session_id;
            gone = store_session_get(r->o.st, checked, &s, e, sizeof e) == TCA_ENOTFOUND;
        }
        if (gone)
            dropped++;
        else
            r->pend[kept++] = r->pend[i];
    }
    r->n_pend = kept;
    return dropped;
}

static int store_pending(struct eventsub_runner *r, char *err, size_t errlen);

int eventsub_runner_flush(struct eventsub_runner *r, char *err, size_t errlen)
{
    r->next_flush_ms = now(r) + r->o.flush_every_ms;
    if (!r->n_pend)
        return 0;
    qsort(r->pend, r->n_pend, sizeof *r->pend, by_key);
    int rc = store_pending(r, err, errlen);
    if (rc && drop_deleted_sessions(r))
        rc = store_pending(r, err, errlen);
    return rc;
}

/* Stores r->pend (sorted), summed per key; on failure they stay pending for the next flush. */
static int store_pending(struct eventsub_runner *r, char *err, size_t errlen)
{
    if (!r->n_pend)
        return 0;
    struct store_chat_count *rows = xcalloc(r->n_pend, sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < r->n_pend; i++) {
        const struct pending *p = &r->pend[i];
        if (!n || by_key(p, &r->pend[i - 1]) != 0) {
            struct store_chat_count *c = &rows[n++];
            c->session_id = p->session_id;
            c->channel_id = p->channel_id;
            c->minute_ms = p->minute_ms;
            c->user_id = p->user_id;
        }
        struct store_chat_count *c = &rows[n - 1];
        snprintf(c->login, sizeof c->login, "%s", p->login);
        c->messages++;
        c->emote_only += p->emote_only;
        if (p->scored) {
            c->scored++;
            c->score_sum += p->score;
            c->positive += p->score > 0;
            c->negative += p->score < 0;
        }
    }
    int rc = store_chat_add(r->o.st, rows, n, err, errlen);
    free(rows);
    if (!rc) {
        r->counts.stored += (long)r->n_pend;
        r->n_pend = 0;
    }
    return rc;
}

static size_t connected(const struct eventsub_runner *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_users; i++)
        n += r->users[i].es != NULL;
    return n;
}

int eventsub_runner_step(struct eventsub_runner *r, int64_t ms, char *err, size_t errlen)
{
    int64_t t = now(r), deadline = t + ms;
    int rc = 0;
    if (t >= r->next_refresh_ms) {
        rc = refresh(r, err, errlen);
        r->next_refresh_ms = t + r->o.refresh_every_ms;
        for (size_t i = 0; i < r->n_users && !rc; i++) {
            struct user *u = &r->users[i];
            revive(r, u);
            if (!u->es && now(r) >= u->retry_at_ms)
                rc = connect_user(r, u, err, errlen);
            else if (u->es)
                rc = subscribe_missing(r, u, err, errlen);
        }
    }
    while (!rc && connected(r) && (t = now(r)) < deadline) {
        int64_t slice = (deadline - t) / (int64_t)connected(r);
        for (size_t i = 0; i < r->n_users && !rc; i++)
            if (r->users[i].es)
                rc = read_user(r, &r->users[i], slice > 50 ? 50 : slice, err, errlen);
        if (!rc && now(r) >= r->next_flush_ms)
            rc = eventsub_runner_flush(r, err, errlen);
    }
    if (!rc && now(r) >= r->next_flush_ms)
        rc = eventsub_runner_flush(r, err, errlen);
    return rc;
}

void eventsub_runner_counts(const struct eventsub_runner *r, struct eventsub_runner_counts *out)
{
    *out = r->counts;
    out->connections = 0;
    out->subscriptions = 0;
    out->duplicates = r->closed_duplicates;
    out->reconnects = r->closed_reconnects;
    for (size_t i = 0; i < r->n_users; i++) {
        const struct user *u = &r->users[i];
        if (!u->es)
            continue;
        long d = 0, rc = 0;
        twitch_es_counts(u->es, &d, &rc);
        out->duplicates += d;
        out->reconnects += rc;
        out->connections++;
        for (size_t k = 0; k < u->n_f; k++)
            out->subscriptions += __builtin_popcount(u->f[k].held);
    }
}

void eventsub_runner_free(struct eventsub_runner *r)
{
    if (!r)
        return;
    char err[256];
    eventsub_runner_flush(r, err, sizeof err);
    while (r->n_users)
        user_drop(r, r->n_users - 1);
    free(r->users);
    free(r->pend);
    free(r->url);
    free(r);
}
