/*
 * Raids Twitch announced, beside the captures (see the header). Reads the stays of a raided
 * channel only; must never read the clock: "not observable yet" is judged against the
 * channel's last capture, as analysis/raids.c does.
 */
#include "report/chat_raids.h"
#include "analysis/chat.h"
#include "base/xalloc.h"
#include "report/internal.h"

#include <stdio.h>
#include <stdlib.h>

/* The first capture of channel_id at or after at_ms (what the captures saw of a raid); NULL
 * when no capture followed it yet. */
static const struct store_capture *capture_after(const struct store_capture *caps, size_t n,
                                                 int64_t channel_id, int64_t at_ms)
{
    for (size_t i = 0; i < n; i++)
        if (caps[i].channel_id == channel_id && caps[i].taken_at_ms >= at_ms)
            return &caps[i];
    return NULL;
}

static json_t *capture_json(const struct store_capture *c)
{
    if (!c)
        return json_null();
    int64_t before = c->chatter_count - c->joined + c->left;
    return json_pack("{s:I, s:o, s:I, s:I, s:I, s:I}", "seq", (json_int_t)c->seq, "taken_at",
                     rp_time(c->taken_at_ms), "chatters", (json_int_t)c->chatter_count,
                     "chatters_before", (json_int_t)before, "joined", (json_int_t)c->joined,
                     "new_to_channel", (json_int_t)c->new_to_channel);
}

/* The stay counts of the arrivals at capture c into o: stayed_5m ... (null until observable,
 * with stayed_Xm_observable_at beside; both null when no capture followed the raid yet). */
static int stays_json(struct store *st, int64_t session_id, const struct store_capture *caps,
                      size_t ncaps, const struct store_capture *c, json_t *o, char *err,
                      size_t errlen)
{
    size_t stayed[AN_STAY_WINDOWS] = {0};
    int known[AN_STAY_WINDOWS] = {0};
    int rc = 0;
    if (c) {
        struct an_capture *ac = xcalloc(ncaps ? ncaps : 1, sizeof *ac);
        size_t nac = 0;
        for (size_t i = 0; i < ncaps; i++) /* by time, so by seq within the channel */
            if (caps[i].channel_id == c->channel_id)
                ac[nac++] = (struct an_capture){caps[i].seq, caps[i].taken_at_ms};
        struct store_stay *ss = NULL;
        size_t ns = 0;
        rc = store_stay_list(st, session_id, c->channel_id, &ss, &ns, err, errlen);
        struct an_stay *as = xcalloc(ns ? ns : 1, sizeof *as);
        for (size_t i = 0; i < ns; i++)
            as[i] = (struct an_stay){ss[i].user_id, ss[i].channel_id, ss[i].from_seq, ss[i].to_seq};
        struct an_channel ch = {c->channel_id, ac, nac, as, ns};
        if (!rc)
            rc = an_channel_check(&ch, err, errlen);
        if (!rc)
            an_chat_raid_stays(&ch, c->seq, stayed, known);
        free(ac);
        free(ss);
        free(as);
    }
    for (size_t w = 0; w < AN_STAY_WINDOWS && !rc; w++) {
        char key[40];
        snprintf(key, sizeof key, "stayed_%dm", AN_STAY_WINDOWS_MIN[w]);
        if (known[w]) {
            json_object_set_new(o, key, json_integer((json_int_t)stayed[w]));
            continue;
        }
        json_object_set_new(o, key, json_null());
        snprintf(key, sizeof key, "stayed_%dm_observable_at", AN_STAY_WINDOWS_MIN[w]);
        json_object_set_new(o, key,
                            c ? rp_time(c->taken_at_ms + (int64_t)AN_STAY_WINDOWS_MIN[w] * 60000)
                              : json_null());
    }
    return rc;
}

int report_chat_raids_json(struct store *st, int64_t session_id, const struct store_chat_raid *r,
                           size_t n, const struct store_session_channel *chs, size_t nch,
                           const struct store_capture *caps, size_t ncaps, json_t **out, char *err,
                           size_t errlen)
{
    json_t *a = json_array();
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *to = "";
        for (size_t k = 0; k < nch; k++)
            if (chs[k].channel_id == r[i].channel_id)
                to = chs[k].login;
        char from[24], cid[24];
        snprintf(from, sizeof from, "%lld", (long long)r[i].from_id);
        snprintf(cid, sizeof cid, "%lld", (long long)r[i].channel_id);
        const struct store_capture *c = capture_after(caps, ncaps, r[i].channel_id, r[i].at_ms);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "channel_id", cid, "channel",
                              to, "from_id", from, "from_login", r[i].from_login, "viewers",
                              (json_int_t)r[i].viewers, "at", rp_time(r[i].at_ms), "captures_saw",
                              capture_json(c));
        rc = stays_json(st, session_id, caps, ncaps, c, o, err, errlen);
        json_array_append_new(a, o);
    }
    if (rc) {
        json_decref(a);
        a = NULL;
    }
    *out = a;
    return rc;
}
