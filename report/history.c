/*
 * Reports across sessions: one chatter's profile (every session and channel of the user's
 * sessions it was seen in, name history) and one channel's whole history (each session's
 * numbers, unique chatters over all of them, regulars by sessions attended). Must never show
 * a chatter the user's own sessions did not see.
 */
#include "report/internal.h"
#include "report/marks.h"
#include "analysis/ids.h"
#include "analysis/suspects.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* How long after the user's last sighting of a chatter its enrichment may still record a
 * name: the enrichment job runs after the capture that queued it. */
#define NAME_SEEN_SLACK_MS (3600 * 1000)

/* The name history is shared by every user (it comes from Twitch); a seen_at outside the
 * user's own sightings [from, to] would tell when someone else captured this chatter, so
 * it is null there. */
static json_t *names_json(const struct store_name *names, size_t n, int64_t user_id, int64_t from,
                          int64_t to, size_t *renames)
{
    json_t *a = json_array();
    struct an_name *rows = xmalloc((n ? n : 1) * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        int64_t at = names[i].seen_at_ms;
        rows[i] = (struct an_name){user_id, names[i].login, names[i].display_name, at};
        json_t *when = at >= from && at <= to + NAME_SEEN_SLACK_MS ? rp_time(at) : json_null();
        json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "login", names[i].login,
                                           "display_name", names[i].display_name, "seen_at", when));
    }
    struct an_renamer *r;
    size_t n_r;
    an_renamers(rows, n, 0, &r, &n_r);
    *renames = n_r ? r[0].renames : 0;
    free(r);
    free(rows);
    return a;
}

int report_chatter(struct store *st, int64_t user_id, int64_t chatter_id, json_t **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    struct store_profile p;
    struct store_chatter_session *seen = NULL;
    struct store_name *names = NULL;
    size_t n_seen = 0, n_names = 0;
    int rc = store_chatter_sessions(st, user_id, chatter_id, &seen, &n_seen, err, errlen);
    if (!rc && n_seen == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "chatter %lld was never seen in your sessions",
                      (long long)chatter_id);
    if (!rc)
        rc = store_profile_get(st, chatter_id, &p, err, errlen);
    if (!rc)
        rc = store_name_history(st, chatter_id, &names, &n_names, err, errlen);
    if (rc) {
        free(seen);
        return rc;
    }
    json_t *sessions = json_array();
    int64_t total = 0, first = 0, last = 0;
    /* the channels seen in, once each, for the roles held there */
    int64_t *channels = xcalloc(n_seen + 1, sizeof *channels);
    char(*logins)[32] = xcalloc(n_seen + 1, sizeof *logins);
    const char **login_ptrs = xcalloc(n_seen + 1, sizeof *login_ptrs);
    size_t n_channels = 0;
    for (size_t i = 0; i < n_seen; i++) {
        if (seen[i].last_seen_ms > last)
            last = seen[i].last_seen_ms;
        struct store_channel ch;
        if (store_channel_get(st, seen[i].channel_id, &ch, err, errlen))
            memset(&ch, 0, sizeof ch);
        size_t k = 0;
        while (k < n_channels && channels[k] != seen[i].channel_id)
            k++;
        if (k == n_channels) {
            channels[n_channels] = seen[i].channel_id;
            snprintf(logins[n_channels], sizeof logins[n_channels], "%s", ch.login);
            login_ptrs[n_channels] = logins[n_channels];
            n_channels++;
        }
        total += seen[i].time_present_ms;
        if (!first || seen[i].first_seen_ms < first)
            first = seen[i].first_seen_ms;
        json_array_append_new(sessions,
                              json_pack("{s:I, s:o, s:s, s:I, s:o, s:o, s:I}", "session",
                                        (json_int_t)seen[i].session_id, "channel_id",
                                        rp_id(seen[i].channel_id), "channel", ch.login,
                                        "captures_seen", (json_int_t)seen[i].captures_seen,
                                        "first_seen", rp_time(seen[i].first_seen_ms), "last_seen",
                                        rp_time(seen[i].last_seen_ms), "present_ms",
                                        (json_int_t)seen[i].time_present_ms));
    }
    size_t renames;
    json_t *name_list = names_json(names, n_names, chatter_id, first, last, &renames);
    /* Age when first seen, not "now": a report must not depend on when it is read. */
    json_t *age = p.created_at_ms && first >= p.created_at_ms
                      ? json_integer((json_int_t)((first - p.created_at_ms) / 86400000))
                      : json_null();
    *out =
        json_pack("{s:o, s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:o}", "id", rp_id(p.id), "login",
                  p.login, "display_name", p.display_name, "created_at", rp_time(p.created_at_ms),
                  "account_age_days_when_first_seen", age, "time_present_ms", (json_int_t)total,
                  "renames", (json_int_t)renames, "names", name_list, "sessions", sessions);
    rc = rp_marks_profile(st, user_id, chatter_id, channels, login_ptrs, n_channels, *out, err,
                          errlen);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    free(channels);
    free(logins);
    free(login_ptrs);
    free(seen);
    free(names);
    return rc;
}

/* One chatter's presence in one session of the channel. */
struct attendance {
    int64_t user_id;
    int64_t present_ms;
};

static int by_user(const void *a, const void *b)
{
    const struct attendance *x = a, *y = b;
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

/* A regular over the whole history. */
struct regular {
    int64_t user_id;
    size_t sessions;
    int64_t present_ms;
};

static int by_rank(const void *a, const void *b)
{
    const struct regular *x = a, *y = b;
    if (x->sessions != y->sessions)
        return x->sessions < y->sessions ? 1 : -1;
    if (x->present_ms != y->present_ms)
        return x->present_ms < y->present_ms ? 1 : -1;
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

static json_t *regulars_json(struct attendance *att, size_t n, size_t top, size_t *unique)
{
    if (n) /* qsort's base must not be NULL, even for no element */
        qsort(att, n, sizeof *att, by_user);
    struct regular *r = xmalloc((n ? n : 1) * sizeof *r);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && r[k - 1].user_id == att[i].user_id) {
            r[k - 1].sessions++;
            r[k - 1].present_ms += att[i].present_ms;
        } else {
            r[k++] = (struct regular){att[i].user_id, 1, att[i].present_ms};
        }
    }
    *unique = k;
    qsort(r, k, sizeof *r, by_rank);
    json_t *a = json_array();
    for (size_t i = 0; i < k && i < top; i++)
        json_array_append_new(a, json_pack("{s:o, s:I, s:I}", "id", rp_id(r[i].user_id), "sessions",
                                           (json_int_t)r[i].sessions, "present_ms",
                                           (json_int_t)r[i].present_ms));
    free(r);
    return a;
}

int report_channel_history(struct store *st, int64_t user_id, const char *channel_login,
                           const struct report_options *o, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    struct store_channel ch;
    struct store_channel_session *ss;
    size_t n_ss;
    int rc = store_channel_by_login(st, channel_login, &ch, err, errlen);
    if (!rc)
        rc = store_channel_sessions(st, ch.id, user_id, &ss, &n_ss, err, errlen);
    if (!rc && n_ss == 0)
        free(ss);
    /* unknown, or only in other users' sessions: the same answer */
    if (rc == TCA_ENOTFOUND || (!rc && n_ss == 0))
        return tca_fail(err, errlen, TCA_ENOTFOUND, "no history of channel %s in your sessions",
                        channel_login);
    if (rc)
        return rc;
    struct report_options one = *o;
    one.n_channels = 0;
    report_option_set(&one, "channel", ch.login, err, errlen);
    json_t *sessions = json_array();
    struct attendance *att = NULL;
    size_t n_att = 0, cap = 0;
    for (size_t s = 0; s < n_ss && !rc; s++) {
        struct rp_data d;
        rc = rp_load(st, user_id, ss[s].session_id, &one, &d, err, errlen);
        if (rc)
            break;
        json_t *cj =
            d.n_channels
                ? rp_channel_json(&d, 0, &one, REPORT_PARTICIPATION | REPORT_VIEWERS | REPORT_RAIDS,
                                  err, errlen)
                : NULL;
        struct an_participation p = {0};
        if (cj)
            rc = an_participation(&d.channels[0].ch, d.session.id, NULL, 0, &p, err, errlen);
        else
            rc = TCA_EINVAL;
        for (size_t i = 0; !rc && i < p.unique_chatters; i++) {
            att = xgrow(att, &cap, n_att, sizeof *att, 1024);
            att[n_att++] = (struct attendance){p.chatters[i].user_id, p.chatters[i].present_ms};
        }
        an_participation_free(&p);
        if (cj) {
            json_object_set_new(cj, "session", json_integer((json_int_t)ss[s].session_id));
            json_object_del(cj, "id");
            json_object_del(cj, "login");
            json_object_del(cj, "display_name");
            json_array_append_new(sessions, cj);
        }
        rp_free(&d);
    }
    free(ss);
    if (rc) {
        free(att);
        json_decref(sessions);
        return rc;
    }
    size_t unique;
    json_t *regulars = regulars_json(att, n_att, o->top, &unique);
    free(att);
    *out = json_pack("{s:o, s:s, s:s, s:I, s:I, s:o, s:o}", "id", rp_id(ch.id), "login", ch.login,
                     "display_name", ch.display_name, "sessions_count", (json_int_t)n_ss,
                     "unique_chatters", (json_int_t)unique, "sessions", sessions, "regulars",
                     regulars);
    return 0;
}
