/*
 * Alert events: which webhooks want an event, the delivery rows and jobs that carry it, and
 * the watchlist check after each capture. Must never open a sealed URL or secret (only
 * jobs/deliver.c does, to post) and never fail a capture because an alert could not be queued.
 */
#include "jobs/alert.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "jobs/job_payload.h"
#include "report/report.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[ALERT_EVENTS] = {
    "raid",           "bot_wave", "watched_joined", "capture_failing",
    "login_rejected", "test",     "follower_wave",
};

const char *alert_event_name(int ev)
{
    return ev >= 0 && ev < ALERT_EVENTS ? names[ev] : NULL;
}

int alert_event_parse(const char *name)
{
    for (int i = 0; i < ALERT_EVENTS; i++)
        if (name && strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* The host part of url after its scheme, as [start, start + len). */
static void host_of(const char *rest, size_t *len)
{
    *len = strcspn(rest, "/?#");
}

static int loopback_host(const char *host, size_t len)
{
    /* strip a port, keeping a bracketed IPv6 literal whole */
    size_t hl = len;
    if (host[0] == '[') {
        const char *close = memchr(host, ']', len);
        hl = close ? (size_t)(close - host) + 1 : len;
    } else {
        const char *colon = memchr(host, ':', len);
        if (colon)
            hl = (size_t)(colon - host);
    }
    return (hl == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
           (hl == 9 && strncmp(host, "localhost", 9) == 0) ||
           (hl == 5 && strncmp(host, "[::1]", 5) == 0);
}

int alert_url_check(const char *url, char *err, size_t errlen)
{
    size_t n = url ? strlen(url) : 0;
    if (n == 0 || n > 512)
        return tca_fail(err, errlen, TCA_EINVAL, "webhook URL must be 1 to 512 bytes");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
            return tca_fail(err, errlen, TCA_EINVAL, "webhook URL has a space or control byte");
    const char *rest;
    size_t hl;
    if (strncmp(url, "https://", 8) == 0) {
        rest = url + 8;
        host_of(rest, &hl);
        if (hl == 0 || memchr(rest, '@', hl))
            return tca_fail(err, errlen, TCA_EINVAL, "webhook URL needs a host (no user info)");
        return 0;
    }
    if (strncmp(url, "http://", 7) == 0) {
        rest = url + 7;
        host_of(rest, &hl);
        if (hl && loopback_host(rest, hl))
            return 0;
    }
    return tca_fail(err, errlen, TCA_EINVAL,
                    "webhook URL must start with https:// (http:// only to loopback)");
}

void alert_url_mask(const char *url, char out[96])
{
    const char *rest = strstr(url, "://");
    if (!rest) {
        snprintf(out, 96, "…");
        return;
    }
    rest += 3;
    size_t hl;
    host_of(rest, &hl);
    int scheme = (int)(rest - url);
    snprintf(out, 96, "%.*s%.*s/…", scheme, url, (int)(hl > 60 ? 60 : hl), rest);
}

static int wants(const struct store_webhook *w, int64_t channel_id, int ev, int64_t only)
{
    if (only)
        return w->id == only;
    if (w->channel_id && w->channel_id != channel_id)
        return 0;
    return (w->events >> ev) & 1;
}

/* Queues one delivery: 0, 1 when its dedupe key was already delivered to w, or a TCA_E* code. */
static int queue_one(struct store *st, const struct store_webhook *w, int ev, const char *dedupe,
                     const char *body, int64_t now_ms, char *err, size_t errlen)
{
    struct store_delivery d = {
        .webhook_id = w->id, .owner_id = w->owner_id, .created_at_ms = now_ms};
    snprintf(d.event, sizeof d.event, "%s", names[ev]);
    snprintf(d.dedupe_key, sizeof d.dedupe_key, "%s", dedupe ? dedupe : "");
    d.body = (char *)body;
    int64_t id = 0, job = 0;
    int rc = store_delivery_create(st, &d, &id, err, errlen);
    if (rc == TCA_ECONFLICT && dedupe)
        return 1;
    if (rc)
        return rc;
    char key[64];
    snprintf(key, sizeof key, "deliver:%lld", (long long)id);
    struct job_payload p = {.user_id = w->owner_id, .delivery_id = id};
    char *payload = job_payload_encode(&p);
    rc = store_job_enqueue(st, "deliver", key, payload, now_ms, &job, err, errlen);
    free(payload);
    return rc;
}

int alert_emit(struct store *st, int64_t owner_id, int64_t channel_id, int ev, int64_t only,
               const char *dedupe, const char *text, json_t *details, int64_t now_ms, int *queued,
               char *err, size_t errlen)
{
    if (queued)
        *queued = 0;
    if (!alert_event_name(ev))
        return tca_fail(err, errlen, TCA_EINVAL, "unknown alert event %d", ev);
    struct store_webhook *hooks = NULL;
    size_t n = 0;
    char *body = NULL;
    int rc = store_webhook_list(st, owner_id, &hooks, &n, err, errlen);
    if (rc)
        goto out;
    json_t *data = details ? json_incref(details) : json_object();
    json_t *o = json_pack("{sssIsIsIssso}", "event", names[ev], "owner_id", (json_int_t)owner_id,
                          "channel_id", (json_int_t)channel_id, "created_at", (json_int_t)now_ms,
                          "text", text ? text : "", "data", data);
    body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!wants(&hooks[i], channel_id, ev, only))
            continue;
        rc = queue_one(st, &hooks[i], ev, dedupe, body, now_ms, err, errlen);
        if (rc == 0 && queued)
            (*queued)++;
        if (rc == 1)
            rc = 0;
    }
out:
    free(body);
    free(hooks);
    return rc;
}

static const struct chatter *find_chatter(const struct chatter_set *s, int64_t id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->items[mid].id == id)
            return &s->items[mid];
        if (s->items[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int is_joined(const int64_t *joined, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (joined[mid] == id)
            return 1;
        if (joined[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The joined chatter a watch entry names: by id once known, else by login (any case). */
static const struct chatter *match(const struct store_watch *w, const struct chatter_set *s,
                                   const int64_t *joined, size_t n_joined)
{
    if (w->user_id > 0)
        return is_joined(joined, n_joined, w->user_id) ? find_chatter(s, w->user_id) : NULL;
    for (size_t i = 0; i < n_joined; i++) {
        const struct chatter *c = find_chatter(s, joined[i]);
        if (c && strcasecmp(c->login, w->login) == 0)
            return c;
    }
    return NULL;
}

int alert_on_capture(struct store *st, int64_t owner_id, int64_t channel_id,
                     const struct chatter_set *chatters, const int64_t *joined, size_t n_joined,
                     int64_t now_ms, int *alerts, char *err, size_t errlen)
{
    if (alerts)
        *alerts = 0;
    struct store_watch *list = NULL;
    size_t n = 0;
    int rc = n_joined ? store_watch_list(st, owner_id, &list, &n, err, errlen) : 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct chatter *c = match(&list[i], chatters, joined, n_joined);
        if (!c)
            continue;
        if (list[i].user_id != c->id || strcmp(list[i].login, c->login)) {
            /* keep the entry by id from now on, and show the name it has today */
            struct store_watch w = list[i];
            w.user_id = c->id;
            snprintf(w.login, sizeof w.login, "%s", c->login);
            if ((rc = store_watch_put(st, &w, NULL, err, errlen)))
                break;
        }
        char text[256];
        snprintf(text, sizeof text, "Watched account %s joined the chat (reason: %s)", c->login,
                 list[i].reason[0] ? list[i].reason : "none");
        json_t *d =
            json_pack("{sIsssssssI}", "user_id", (json_int_t)c->id, "login", c->login, "reason",
                      list[i].reason, "note", list[i].note, "watch_id", (json_int_t)list[i].id);
        int q = 0;
        rc = alert_emit(st, owner_id, channel_id, ALERT_WATCHED_JOINED, 0, NULL, text, d, now_ms,
                        &q, err, errlen);
        json_decref(d);
        if (alerts)
            *alerts += q;
    }
    free(list);
    return rc;
}

void alert_capture_failed(struct store *st, const struct job_payload *p, int rc, const char *why,
                          int64_t now_ms)
{
    int ev = rc == TCA_EAUTH ? ALERT_LOGIN_REJECTED : ALERT_CAPTURE_FAILING;
    char text[384];
    if (ev == ALERT_LOGIN_REJECTED)
        snprintf(text, sizeof text,
                 "Twitch no longer accepts the login of user %lld: captures stopped until"
                 " they log in again",
                 (long long)p->user_id);
    else
        snprintf(text, sizeof text, "Captures of channel %lld keep failing: %s",
                 (long long)p->channel_id, why ? why : "");
    json_t *d =
        json_pack("{sIsIsssss}", "session_id", (json_int_t)p->session_id, "user_id",
                  (json_int_t)p->user_id, "error", tca_err_name(rc), "reason", why ? why : "");
    char ignored[160];
    alert_emit(st, p->user_id, p->channel_id, ev, 0, NULL, text, d, now_ms, NULL, ignored,
               sizeof ignored);
    json_decref(d);
}

/* 1 when some webhook of owner_id wants ev in channel_id (so the costly check is worth it). */
static int anyone_wants(struct store *st, int64_t owner_id, int64_t channel_id, int ev, char *err,
                        size_t errlen, int *rc)
{
    struct store_webhook *hooks = NULL;
    size_t n = 0;
    int yes = 0;
    *rc = store_webhook_list(st, owner_id, &hooks, &n, err, errlen);
    for (size_t i = 0; i < n && !yes; i++)
        yes = wants(&hooks[i], channel_id, ev, 0);
    free(hooks);
    return yes;
}

/* The largest stay window of a raid taken at taken_at observable at capture_at (its index),
 * or -1. */
static int last_known_window(json_t *raid, int64_t taken_at, int64_t capture_at)
{
    int last = -1;
    for (int w = 0; w < AN_STAY_WINDOWS; w++) {
        char key[40];
        snprintf(key, sizeof key, "stayed_%dm", AN_STAY_WINDOWS_MIN[w]);
        if (json_is_integer(json_object_get(raid, key)) &&
            taken_at + (int64_t)AN_STAY_WINDOWS_MIN[w] * 60000 <= capture_at)
            last = w;
    }
    return last;
}

/* When capture seq of a channel document was taken (from its series), or 0. */
static int64_t capture_time(json_t *channel, int64_t seq)
{
    size_t i;
    json_t *s;
    int64_t at = 0;
    json_array_foreach(json_object_get(channel, "series"), i, s)
    {
        if (json_integer_value(json_object_get(s, "seq")) == seq &&
            clock_parse_rfc3339(json_string_value(json_object_get(s, "taken_at")), &at) < 0)
            at = 0;
    }
    return at;
}

/* A raid's stay counts once they are observable: one post per window and webhook, the
 * largest window known at this capture only (a capture that makes two windows known at once
 * posts the later one; the earlier one is then never posted), for raids at most
 * RAID_FOLLOWUP_MAX_MS old. */
static int raid_followup(struct store *st, int64_t owner_id, int64_t session_id,
                         const struct store_channel *ch, json_t *raid, int64_t seq,
                         int64_t capture_at, int64_t now_ms, int *alerts, char *err, size_t errlen)
{
    int64_t at = json_integer_value(json_object_get(raid, "seq")), taken_at = 0;
    if (at > seq || capture_at <= 0 ||
        clock_parse_rfc3339(json_string_value(json_object_get(raid, "taken_at")), &taken_at) < 0 ||
        capture_at - taken_at > RAID_FOLLOWUP_MAX_MS)
        return 0;
    int w = last_known_window(raid, taken_at, capture_at);
    if (w < 0)
        return 0;
    char key[96], count_key[40], text[256];
    snprintf(count_key, sizeof count_key, "stayed_%dm", AN_STAY_WINDOWS_MIN[w]);
    long long stayed = (long long)json_integer_value(json_object_get(raid, count_key));
    long long joined = (long long)json_integer_value(json_object_get(raid, "joined"));
    snprintf(text, sizeof text,
             "Raid on %s at capture %lld: %lld of its %lld chatters still there after %d "
             "minutes (%.0f%%)",
             ch->login, (long long)at, stayed, joined, AN_STAY_WINDOWS_MIN[w],
             joined > 0 ? 100.0 * (double)stayed / (double)joined : 0.0);
    snprintf(key, sizeof key, "raid:%lld:%lld:%lld:%dm", (long long)session_id, (long long)ch->id,
             (long long)at, AN_STAY_WINDOWS_MIN[w]);
    json_t *d = json_deep_copy(raid);
    json_object_set_new(d, "session_id", json_integer(session_id));
    json_object_set_new(d, "channel", json_string(ch->login));
    json_object_set_new(d, "followup_window_min", json_integer(AN_STAY_WINDOWS_MIN[w]));
    json_object_set_new(d, "recognised_at_seq", json_integer(seq));
    int queued = 0;
    int rc =
        alert_emit(st, owner_id, ch->id, ALERT_RAID, 0, key, text, d, now_ms, &queued, err, errlen);
    json_decref(d);
    if (alerts)
        *alerts += queued;
    return rc;
}

int alert_on_raid(struct store *st, int64_t owner_id, int64_t session_id, int64_t channel_id,
                  int64_t seq, int64_t now_ms, int *alerts, char *err, size_t errlen)
{
    if (alerts)
        *alerts = 0;
    int rc = 0;
    if (!anyone_wants(st, owner_id, channel_id, ALERT_RAID, err, errlen, &rc))
        return rc;
    struct store_channel ch;
    struct report_options o;
    json_t *doc = NULL;
    if ((rc = store_channel_get(st, channel_id, &ch, err, errlen)))
        return rc;
    report_options_default(&o);
    snprintf(o.channels[0], sizeof o.channels[0], "%s", ch.login);
    o.n_channels = 1;
    rc = report_session(st, owner_id, session_id, &o, REPORT_RAIDS | REPORT_SERIES, &doc, err,
                        errlen);
    json_t *c = rc ? NULL : json_array_get(json_object_get(doc, "channels"), 0);
    int64_t capture_at = capture_time(c, seq);
    size_t i;
    json_t *raid;
    /* A raid the rules recognise only at a later capture (its numbers need the captures
     * after it) is announced then: every raid of the last RAID_LATE_CAPTURES captures is
     * offered, and its dedupe key (the raid's own capture) keeps it to one post. */
    json_array_foreach(json_object_get(c, "raids"), i, raid)
    {
        int64_t at = json_integer_value(json_object_get(raid, "seq"));
        if ((rc = raid_followup(st, owner_id, session_id, &ch, raid, seq, capture_at, now_ms,
                                alerts, err, errlen)))
            break;
        if (at > seq || at <= seq - RAID_LATE_CAPTURES)
            continue;
        char text[256];
        int n =
            snprintf(text, sizeof text,
                     "Raid on %s: %lld chatters joined at capture %lld (%.0f%% new to the "
                     "channel)",
                     ch.login, (long long)json_integer_value(json_object_get(raid, "joined")),
                     (long long)at, 100.0 * json_number_value(json_object_get(raid, "new_share")));
        if (at != seq && n > 0 && (size_t)n < sizeof text)
            snprintf(text + n, sizeof text - (size_t)n, "; recognised at capture %lld",
                     (long long)seq);
        json_t *d = json_deep_copy(raid);
        json_object_set_new(d, "session_id", json_integer(session_id));
        json_object_set_new(d, "channel", json_string(ch.login));
        json_object_set_new(d, "recognised_at_seq", json_integer(seq));
        char key[96];
        snprintf(key, sizeof key, "raid:%lld:%lld:%lld", (long long)session_id,
                 (long long)channel_id, (long long)at);
        int queued = 0;
        rc = alert_emit(st, owner_id, channel_id, ALERT_RAID, 0, key, text, d, now_ms, &queued, err,
                        errlen);
        json_decref(d);
        if (alerts)
            *alerts += queued;
        if (rc)
            break;
    }
    json_decref(doc);
    return rc;
}

/* The largest login cluster among logins (the accounts of one creation day), or NULL. */
static json_t *cluster_of(json_t *clusters, json_t *logins)
{
    json_t *best = NULL;
    size_t i, k, m;
    json_t *c, *l, *x;
    json_array_foreach(clusters, i, c)
    {
        size_t shared = 0;
        json_array_foreach(json_object_get(c, "logins"), k, l)
        {
            json_array_foreach(logins, m, x) shared += json_equal(l, x);
        }
        if (shared && (!best || json_integer_value(json_object_get(c, "count")) >
                                    json_integer_value(json_object_get(best, "count"))))
            best = c;
    }
    return best;
}

/* Announces the critical creation days of one channel's audience, each once per session. */
static int waves_of_channel(struct store *st, int64_t owner_id, int64_t session_id,
                            const struct store_channel *ch, int64_t now_ms, int *alerts, char *err,
                            size_t errlen)
{
    struct report_options o;
    json_t *doc = NULL;
    report_options_default(&o);
    snprintf(o.channels[0], sizeof o.channels[0], "%s", ch->login);
    o.n_channels = 1;
    int rc = report_session(st, owner_id, session_id, &o, REPORT_ACCOUNTS, &doc, err, errlen);
    json_t *acc = rc ? NULL : json_object_get(doc, "accounts");
    size_t i;
    json_t *day;
    json_array_foreach(json_object_get(acc, "top_creation_days"), i, day)
    {
        const char *level = json_string_value(json_object_get(day, "level"));
        if (rc || !level || strcmp(level, "critical"))
            continue;
        const char *date = json_string_value(json_object_get(day, "day"));
        json_t *cl = cluster_of(json_object_get(acc, "clusters"), json_object_get(day, "logins"));
        char text[320], key[96];
        snprintf(text, sizeof text, "Bot wave in %s: %lld accounts created on %s%s%s%s", ch->login,
                 (long long)json_integer_value(json_object_get(day, "count")), date ? date : "?",
                 cl ? " (logins " : "", cl ? json_string_value(json_object_get(cl, "stem")) : "",
                 cl ? "*)" : "");
        snprintf(key, sizeof key, "bot_wave:%lld:%lld:%s", (long long)session_id, (long long)ch->id,
                 date ? date : "");
        json_t *cluster = cl ? json_deep_copy(cl) : json_null();
        json_object_del(cluster, "logins"); /* the stem and numbers say enough */
        json_t *d =
            json_pack("{sIsssssOsOso}", "session_id", (json_int_t)session_id, "channel", ch->login,
                      "day", date ? date : "", "count", json_object_get(day, "count"), "share",
                      json_object_get(day, "share"), "cluster", cluster);
        int q = 0;
        rc = alert_emit(st, owner_id, ch->id, ALERT_BOT_WAVE, 0, key, text, d, now_ms, &q, err,
                        errlen);
        json_decref(d);
        if (alerts)
            *alerts += q;
    }
    json_decref(doc);
    return rc;
}

int alert_on_bot_wave(struct store *st, int64_t owner_id, int64_t session_id, int64_t now_ms,
                      int *alerts, char *err, size_t errlen)
{
    if (alerts)
        *alerts = 0;
    struct store_session_channel *chans = NULL;
    size_t n = 0;
    int rc = store_session_channels(st, session_id, &chans, &n, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        int64_t channel_id = chans[i].channel_id;
        if (!anyone_wants(st, owner_id, channel_id, ALERT_BOT_WAVE, err, errlen, &rc))
            continue;
        struct store_channel ch = {.id = channel_id};
        snprintf(ch.login, sizeof ch.login, "%s", chans[i].login);
        rc = waves_of_channel(st, owner_id, session_id, &ch, now_ms, alerts, err, errlen);
    }
    free(chans);
    return rc;
}

/* Announces the follower waves of one channel, each creation day once per session. */
static int follower_waves_of_channel(struct store *st, int64_t owner_id, int64_t session_id,
                                     const char *login, int64_t channel_id, int64_t now_ms,
                                     int *alerts, char *err, size_t errlen)
{
    struct report_options o;
    json_t *doc = NULL;
    report_options_default(&o);
    snprintf(o.channels[0], sizeof o.channels[0], "%s", login);
    o.n_channels = 1;
    int rc = report_session(st, owner_id, session_id, &o, REPORT_FOLLOWERS, &doc, err, errlen);
    json_t *c =
        rc ? NULL
           : json_array_get(json_object_get(json_object_get(doc, "followers"), "channels"), 0);
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(c, "waves"), i, w)
    {
        if (rc)
            break;
        const char *day = json_string_value(json_object_get(w, "day"));
        long long count = (long long)json_integer_value(json_object_get(w, "count"));
        long long seq = (long long)json_integer_value(json_object_get(w, "seq"));
        char text[320], key[96];
        snprintf(text, sizeof text,
                 "Follower wave on %s: %lld new followers at capture %lld with accounts created "
                 "within hours of each other on %s",
                 login, count, seq, day ? day : "?");
        snprintf(key, sizeof key, "follower_wave:%lld:%lld:%s", (long long)session_id,
                 (long long)channel_id, day ? day : "");
        json_t *d = json_deep_copy(w);
        json_object_del(d, "logins"); /* the count and creation window say enough */
        json_object_set_new(d, "session_id", json_integer(session_id));
        json_object_set_new(d, "channel", json_string(login));
        int q = 0;
        rc = alert_emit(st, owner_id, channel_id, ALERT_FOLLOWER_WAVE, 0, key, text, d, now_ms, &q,
                        err, errlen);
        json_decref(d);
        if (alerts)
            *alerts += q;
    }
    json_decref(doc);
    return rc;
}

int alert_on_follower_wave(struct store *st, int64_t owner_id, int64_t session_id, int64_t now_ms,
                           int *alerts, char *err, size_t errlen)
{
    if (alerts)
        *alerts = 0;
    struct store_session_channel *chans = NULL;
    size_t n = 0;
    int rc = store_session_channels(st, session_id, &chans, &n, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!anyone_wants(st, owner_id, chans[i].channel_id, ALERT_FOLLOWER_WAVE, err, errlen, &rc))
            continue;
        rc = follower_waves_of_channel(st, owner_id, session_id, chans[i].login,
                                       chans[i].channel_id, now_ms, alerts, err, errlen);
    }
    free(chans);
    return rc;
}
