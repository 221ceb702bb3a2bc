/*
 * Overlap reports: two sessions, two channels of a session, and the matrix of every channel
 * of a session. A chatter set is everyone with a stay in the chosen channels, after the
 * options' exclusion. Must never compare chatter lists pairwise: analysis/overlap does it
 * with bitmaps.
 */
#include "report/internal.h"
#include "analysis/overlap.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

json_t *rp_matrix_json(const struct rp_data *d)
{
    struct an_channel *chs = xmalloc((d->n_channels ? d->n_channels : 1) * sizeof *chs);
    for (size_t c = 0; c < d->n_channels; c++)
        chs[c] = d->channels[c].ch;
    struct an_overlap_matrix m;
    an_overlap_channels(chs, d->n_channels, &m);
    free(chs);
    json_t *channels = json_array(), *pairs = json_array();
    for (size_t i = 0; i < m.n; i++)
        json_array_append_new(channels, json_pack("{s:o, s:s, s:I}", "id", rp_id(m.keys[i]),
                                                  "login", d->channels[i].info.login, "chatters",
                                                  (json_int_t)m.sizes[i]));
    for (size_t i = 0; i < m.n; i++)
        for (size_t j = i + 1; j < m.n; j++)
            json_array_append_new(pairs,
                                  json_pack("{s:s, s:s, s:I, s:f}", "a", d->channels[i].info.login,
                                            "b", d->channels[j].info.login, "shared",
                                            (json_int_t)m.shared[i * m.n + j], "jaccard",
                                            m.jaccard[i * m.n + j]));
    an_overlap_matrix_free(&m);
    return json_pack("{s:o, s:o}", "channels", channels, "pairs", pairs);
}

/* Every chatter of the given channels of a loaded session (repeats allowed). */
static int64_t *chatters_of(const struct rp_data *d, const char *only, size_t *n)
{
    size_t total = 0;
    for (size_t c = 0; c < d->n_channels; c++)
        total += d->channels[c].n_stays;
    int64_t *ids = xmalloc((total ? total : 1) * sizeof *ids);
    *n = 0;
    for (size_t c = 0; c < d->n_channels; c++) {
        if (only && strcasecmp(d->channels[c].info.login, only) != 0)
            continue;
        for (size_t i = 0; i < d->channels[c].n_stays; i++)
            ids[(*n)++] = d->channels[c].stays[i].user_id;
    }
    return ids;
}

static json_t *overlap_json(const struct an_overlap *ov, const struct rp_data *names)
{
    json_t *shared = json_array();
    for (size_t i = 0; i < ov->shared; i++) {
        const struct rp_person *p = rp_profile(names, ov->shared_ids[i]);
        json_array_append_new(shared, json_pack("{s:o, s:s}", "id", rp_id(ov->shared_ids[i]),
                                                "login", p ? p->login : ""));
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:f, s:o}", "a_chatters", (json_int_t)ov->a,
                     "b_chatters", (json_int_t)ov->b, "shared", (json_int_t)ov->shared, "either",
                     (json_int_t)ov->either, "jaccard", ov->jaccard, "shared_chatters", shared);
}

int report_overlap_sessions(struct store *st, int64_t user_id, int64_t session_a, int64_t session_b,
                            const struct report_options *o, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    struct rp_data a, b;
    int rc = rp_load(st, user_id, session_a, o, &a, err, errlen);
    if (rc)
        return rc;
    /* a session beside itself (a dashboard's first pick) is loaded once */
    if (session_b != session_a)
        rc = rp_load(st, user_id, session_b, o, &b, err, errlen);
    if (rc) {
        rp_free(&a);
        return rc;
    }
    const struct rp_data *bp = session_b != session_a ? &b : &a;
    size_t na, nb;
    int64_t *ia = chatters_of(&a, NULL, &na), *ib = chatters_of(bp, NULL, &nb);
    struct an_overlap ov;
    an_overlap(ia, na, ib, nb, &ov);
    *out = overlap_json(&ov, &a);
    json_object_set_new(*out, "a", json_pack("{s:I}", "session", (json_int_t)session_a));
    json_object_set_new(*out, "b", json_pack("{s:I}", "session", (json_int_t)session_b));
    an_overlap_free(&ov);
    free(ia);
    free(ib);
    rp_free(&a);
    if (session_b != session_a)
        rp_free(&b);
    return 0;
}

int report_overlap_channels(struct store *st, int64_t user_id, int64_t session_id,
                            const char *channel_a, const char *channel_b, json_t **out, char *err,
                            size_t errlen)
{
    *out = NULL;
    struct report_options o;
    report_options_default(&o);
    int rc = report_option_set(&o, "channel", channel_a, err, errlen);
    if (!rc)
        rc = report_option_set(&o, "channel", channel_b, err, errlen);
    struct rp_data d;
    if (!rc)
        rc = rp_load(st, user_id, session_id, &o, &d, err, errlen);
    if (rc)
        return rc;
    size_t na, nb;
    int64_t *ia = chatters_of(&d, channel_a, &na), *ib = chatters_of(&d, channel_b, &nb);
    struct an_overlap ov;
    an_overlap(ia, na, ib, nb, &ov);
    *out = overlap_json(&ov, &d);
    json_object_set_new(
        *out, "a",
        json_pack("{s:I, s:s}", "session", (json_int_t)session_id, "channel", channel_a));
    json_object_set_new(
        *out, "b",
        json_pack("{s:I, s:s}", "session", (json_int_t)session_id, "channel", channel_b));
    an_overlap_free(&ov);
    free(ia);
    free(ib);
    rp_free(&d);
    return 0;
}
