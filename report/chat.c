/*
 * The chat activity report (see the header). Every number comes from the stored counts and
 * stays through analysis/chat.c; it must never read the clock.
 */
#include "report/chat.h"
#include "report/chat_raids.h"
#include "analysis/chat.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store_chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The distinct chatters the captures saw in one channel, sorted. */
static int present_ids(struct store *st, int64_t session_id, int64_t channel_id, int64_t **ids,
                       size_t *n, char *err, size_t errlen)
{
    struct store_stay *stays = NULL;
    size_t ns = 0;
    *ids = NULL;
    *n = 0;
    int rc = store_stay_list(st, session_id, channel_id, &stays, &ns, err, errlen);
    if (rc)
        return rc;
    int64_t *v = xcalloc(ns ? ns : 1, sizeof *v);
    for (size_t i = 0; i < ns; i++)
        v[i] = stays[i].user_id;
    free(stays);
    if (ns > 1)
        qsort(v, ns, sizeof *v, cmp_id);
    size_t k = 0;
    for (size_t i = 0; i < ns; i++)
        if (!k || v[k - 1] != v[i])
            v[k++] = v[i];
    *ids = v;
    *n = k;
    return 0;
}

static json_t *time_json(int64_t ms)
{
    char t[40];
    clock_format_rfc3339(ms, t, sizeof t);
    return json_string(t);
}

/* The login a talker last wrote under (rows are the channel's counts). */
static const char *login_of(const struct store_chat_count *rows, size_t n, int64_t user_id)
{
    const char *login = "";
    for (size_t i = 0; i < n; i++)
        if (rows[i].user_id == user_id)
            login = rows[i].login;
    return login;
}

/* The mean score of the scored messages; null when none was scored (0 would read "neutral"). */
static json_t *mean_json(const struct an_chat_tone *t)
{
    return t->scored ? json_real(an_chat_tone_mean(t)) : json_null();
}

static json_t *minute_json(const struct an_chat_minute *m)
{
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:o, s:I, s:I}", "minute", time_json(m->minute_ms),
                     "minute_ms", (json_int_t)m->minute_ms, "messages", (json_int_t)m->messages,
                     "talkers", (json_int_t)m->talkers, "scored", (json_int_t)m->tone.scored,
                     "sentiment_mean", mean_json(&m->tone), "positive",
                     (json_int_t)m->tone.positive, "negative", (json_int_t)m->tone.negative);
}

static struct an_chat_count an_row(const struct store_chat_count *r)
{
    return (struct an_chat_count){.minute_ms = r->minute_ms,
                                  .user_id = r->user_id,
                                  .messages = r->messages,
                                  .emote_only = r->emote_only,
                                  .tone = {r->scored, r->score_sum, r->positive, r->negative}};
}

static json_t *channel_json(const struct store_session_channel *ch,
                            const struct store_chat_count *rows, size_t n, const int64_t *present,
                            size_t n_present, size_t top)
{
    struct an_chat_count *in = xcalloc(n ? n : 1, sizeof *in);
    for (size_t i = 0; i < n; i++)
        in[i] = an_row(&rows[i]);
    struct an_chat a;
    an_chat(in, n, present, n_present, &a);
    free(in);
    json_t *timeline = json_array(), *talkers = json_array();
    for (size_t i = 0; i < a.n_minutes; i++)
        json_array_append_new(timeline, minute_json(&a.minutes[i]));
    for (size_t i = 0; i < a.talkers && i < top; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)a.ranked[i].user_id);
        json_array_append_new(talkers, json_pack("{s:s, s:s, s:I, s:I, s:o}", "user_id", id,
                                                 "login", login_of(rows, n, a.ranked[i].user_id),
                                                 "messages", (json_int_t)a.ranked[i].messages,
                                                 "emote_only", (json_int_t)a.ranked[i].emote_only,
                                                 "sentiment_mean", mean_json(&a.ranked[i].tone)));
    }
    char cid[24];
    snprintf(cid, sizeof cid, "%lld", (long long)ch->channel_id);
    json_t *j =
        json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "channel_id", cid, "login",
                  ch->login, "messages", (json_int_t)a.messages, "emote_only",
                  (json_int_t)a.emote_only, "chatters", (json_int_t)a.present, "talkers",
                  (json_int_t)a.talkers, "talkers_seen_in_captures", (json_int_t)a.talkers_present,
                  "lurkers", (json_int_t)a.lurkers, "timeline", timeline, "top_talkers", talkers);
    json_object_set_new(j, "scored", json_integer(a.tone.scored));
    json_object_set_new(j, "sentiment_mean", mean_json(&a.tone));
    an_chat_free(&a);
    return j;
}

/* Channels with chat but no capture yet (chat capture runs from the moment it is on): they are
 * listed too, after the captured ones, with the login the store knows. */
static int add_chat_only_channels(struct store *st, const struct store_chat_count *rows, size_t n,
                                  struct store_session_channel **chs, size_t *nch, char *err,
                                  size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (i && rows[i - 1].channel_id == rows[i].channel_id)
            continue; /* sorted by channel */
        size_t k = 0;
        while (k < *nch && (*chs)[k].channel_id != rows[i].channel_id)
            k++;
        if (k < *nch)
            continue;
        struct store_channel c;
        int rc = store_channel_get(st, rows[i].channel_id, &c, err, errlen);
        if (rc && rc != TCA_ENOTFOUND)
            return rc;
        *chs = xrealloc(*chs, (*nch + 1) * sizeof **chs);
        struct store_session_channel *sc = &(*chs)[(*nch)++];
        memset(sc, 0, sizeof *sc);
        sc->channel_id = rows[i].channel_id;
        if (!rc)
            snprintf(sc->login, sizeof sc->login, "%s", c.login);
    }
    return 0;
}

int report_chat_per_chatter(struct store *st, int64_t session_id, int64_t **ids, int64_t **messages,
                            size_t *n, char *err, size_t errlen)
{
    struct store_chat_count *rows = NULL;
    size_t nr = 0;
    *ids = *messages = NULL;
    *n = 0;
    int rc = store_chat_counts(st, session_id, 0, &rows, &nr, err, errlen);
    if (rc)
        return rc;
    struct an_chat_count *in = xcalloc(nr ? nr : 1, sizeof *in);
    for (size_t i = 0; i < nr; i++)
        in[i] = an_row(&rows[i]);
    free(rows);
    struct an_chat a;
    an_chat(in, nr, NULL, 0, &a);
    free(in);
    *ids = xcalloc(a.talkers ? a.talkers : 1, sizeof **ids);
    *messages = xcalloc(a.talkers ? a.talkers : 1, sizeof **messages);
    /* by id, for a merge with an export's chatters */
    if (a.talkers > 1) /* user_id is the first member */
        qsort(a.ranked, a.talkers, sizeof *a.ranked, cmp_id);
    for (size_t i = 0; i < a.talkers; i++) {
        (*ids)[i] = a.ranked[i].user_id;
        (*messages)[i] = a.ranked[i].messages;
    }
    *n = a.talkers;
    an_chat_free(&a);
    return 0;
}

static int kept_by(const struct report_options *o, const char *login)
{
    for (size_t i = 0; i < o->n_channels; i++)
        if (strcmp(o->channels[i], login) == 0)
            return 1;
    return o->n_channels == 0;
}

/* The totals of one channel for the statistics document. */
static int section_channel(struct store *st, int64_t session_id,
                           const struct store_session_channel *ch,
                           const struct store_chat_count *rows, size_t n, struct an_chat *a,
                           char *err, size_t errlen)
{
    int64_t *present = NULL;
    size_t np = 0;
    int rc = present_ids(st, session_id, ch->channel_id, &present, &np, err, errlen);
    if (rc)
        return rc;
    struct an_chat_count *in = xcalloc(n ? n : 1, sizeof *in);
    for (size_t i = 0; i < n; i++)
        in[i] = an_row(&rows[i]);
    an_chat(in, n, present, np, a);
    free(in);
    free(present);
    return 0;
}

int report_chat_section(struct store *st, int64_t session_id, const struct report_options *o,
                        json_t **out, char *err, size_t errlen)
{
    struct store_chat_setting cs;
    struct store_session_channel *chs = NULL;
    struct store_chat_count *rows = NULL;
    size_t nch = 0, nrows = 0;
    *out = NULL;
    int rc = store_chat_get(st, session_id, &cs, err, errlen);
    if (!rc)
        rc = store_chat_counts(st, session_id, 0, &rows, &nrows, err, errlen);
    if (rc || (!cs.enabled && !nrows)) {
        *out = rc ? NULL : json_null();
        goto out;
    }
    rc = store_session_channels(st, session_id, &chs, &nch, err, errlen);
    if (!rc)
        rc = add_chat_only_channels(st, rows, nrows, &chs, &nch, err, errlen);
    json_t *channels = json_array();
    struct an_chat_tone all = {0};
    int64_t messages = 0;
    for (size_t c = 0; c < nch && !rc; c++) {
        if (!kept_by(o, chs[c].login))
            continue;
        size_t from = 0, to;
        while (from < nrows && rows[from].channel_id != chs[c].channel_id)
            from++;
        for (to = from; to < nrows && rows[to].channel_id == chs[c].channel_id; to++)
            ;
        struct an_chat a;
        rc = section_channel(st, session_id, &chs[c], rows + from, to - from, &a, err, errlen);
        if (rc)
            break;
        char cid[24];
        snprintf(cid, sizeof cid, "%lld", (long long)chs[c].channel_id);
        json_array_append_new(
            channels, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "channel_id", cid, "login",
                                chs[c].login, "messages", (json_int_t)a.messages, "talkers",
                                (json_int_t)a.talkers, "lurkers", (json_int_t)a.lurkers, "scored",
                                (json_int_t)a.tone.scored, "sentiment_mean", mean_json(&a.tone)));
        messages += a.messages;
        an_chat_tone_add(&all, &a.tone);
        an_chat_free(&a);
    }
    if (rc) {
        json_decref(channels);
        goto out;
    }
    *out = json_pack("{s:b, s:s, s:I, s:I, s:o, s:o}", "enabled", cs.enabled, "status", cs.status,
                     "messages", (json_int_t)messages, "scored", (json_int_t)all.scored,
                     "sentiment_mean", mean_json(&all), "channels", channels);
out:
    free(chs);
    free(rows);
    return rc;
}

int report_chat(struct store *st, int64_t user_id, int64_t session_id, size_t top, int chatters,
                json_t **out, char *err, size_t errlen)
{
    struct store_session s;
    struct store_chat_setting cs;
    struct store_session_channel *chs = NULL;
    struct store_chat_count *rows = NULL;
    struct store_chat_raid *raids = NULL;
    struct store_capture *caps = NULL;
    size_t nch = 0, nrows = 0, nraids = 0, ncaps = 0;
    *out = NULL;
    int rc = store_session_get(st, session_id, &s, err, errlen);
    if (!rc && s.user_id != user_id)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    if (!rc)
        rc = store_chat_get(st, session_id, &cs, err, errlen);
    if (!rc)
        rc = store_session_channels(st, session_id, &chs, &nch, err, errlen);
    if (!rc)
        rc = store_chat_counts(st, session_id, 0, &rows, &nrows, err, errlen);
    if (!rc)
        rc = add_chat_only_channels(st, rows, nrows, &chs, &nch, err, errlen);
    if (!rc)
        rc = store_chat_raids(st, session_id, &raids, &nraids, err, errlen);
    if (!rc)
        rc = store_capture_list(st, session_id, 0, &caps, &ncaps, err, errlen);
    json_t *raids_doc = NULL;
    if (!rc)
        rc = report_chat_raids_json(st, session_id, raids, nraids, chs, nch, caps, ncaps,
                                    &raids_doc, err, errlen);
    if (rc)
        goto out;
    json_t *channels = json_array();
    int64_t total = 0;
    for (size_t c = 0; c < nch && !rc; c++) {
        size_t from = 0, to;
        while (from < nrows && rows[from].channel_id != chs[c].channel_id)
            from++;
        for (to = from; to < nrows && rows[to].channel_id == chs[c].channel_id; to++)
            total += rows[to].messages;
        int64_t *present = NULL;
        size_t np = 0;
        rc = present_ids(st, session_id, chs[c].channel_id, &present, &np, err, errlen);
        if (!rc)
            json_array_append_new(channels,
                                  channel_json(&chs[c], rows + from, to - from, present, np, top));
        free(present);
    }
    if (rc) {
        json_decref(channels);
        json_decref(raids_doc);
        goto out;
    }
    *out = json_pack("{s:I, s:b, s:s, s:I, s:o, s:o}", "session_id", (json_int_t)session_id,
                     "enabled", cs.enabled, "status", cs.status, "messages", (json_int_t)total,
                     "channels", channels, "raids", raids_doc);
    if (chatters) {
        int64_t *ids, *msgs;
        size_t n;
        rc = report_chat_per_chatter(st, session_id, &ids, &msgs, &n, err, errlen);
        json_t *per = json_object();
        for (size_t i = 0; i < n && !rc; i++) {
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)ids[i]);
            json_object_set_new(per, id, json_integer(msgs[i]));
        }
        json_object_set_new(*out, "messages_per_chatter", per);
        if (!rc) {
            free(ids);
            free(msgs);
        }
    }
out:
    free(chs);
    free(rows);
    free(raids);
    free(caps);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
