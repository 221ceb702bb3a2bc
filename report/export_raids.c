/*
 * The raids export: one row per raid of each chosen channel, with the stay counts as the
 * session document has them: an empty cell (JSON null) while a window has not passed, and
 * the time it becomes observable beside it. Must never write 0 for a count not known yet.
 */
#include "report/internal.h"
#include "report/table.h"
#include "base/clock.h"
#include "base/xalloc.h"

#include <stdlib.h>

static struct rp_cell text(const char *s)
{
    return (struct rp_cell){.kind = RP_STR, .s = s};
}

static struct rp_cell whole(int64_t v)
{
    return (struct rp_cell){.kind = RP_INT, .i = v};
}

static struct rp_cell real(double v)
{
    return (struct rp_cell){.kind = RP_NUM, .d = v};
}

static struct rp_cell when(int64_t ms, char *buf, size_t len)
{
    clock_format_rfc3339(ms, buf, len);
    return text(buf);
}

static int raid_rows(struct rp_table *t, const char *channel, const struct an_raids *r, char *err,
                     size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < r->n && !rc; i++) {
        const struct an_raid *x = &r->raids[i];
        char at[40], due[AN_STAY_WINDOWS][40];
        struct rp_cell cells[10 + 2 * AN_STAY_WINDOWS] = {
            text(channel),
            whole(x->seq),
            when(x->taken_at_ms, at, sizeof at),
            whole((int64_t)x->size),
            whole((int64_t)x->joined),
            whole((int64_t)x->audience),
            real(x->expected),
            whole((int64_t)x->new_to_channel),
            whole((int64_t)x->in_wave),
            real(x->wave_share),
        };
        for (size_t w = 0; w < AN_STAY_WINDOWS; w++) {
            struct rp_cell *count = &cells[10 + w], *observable = &cells[10 + AN_STAY_WINDOWS + w];
            *count = x->stayed_known[w] ? whole((int64_t)x->stayed[w])
                                        : (struct rp_cell){.kind = RP_NULL};
            *observable = x->stayed_known[w]
                              ? (struct rp_cell){.kind = RP_NULL}
                              : when(x->taken_at_ms + (int64_t)AN_STAY_WINDOWS_MIN[w] * 60000,
                                     due[w], sizeof due[w]);
        }
        rc = rp_table_row(t, cells, err, errlen);
    }
    return rc;
}

int rp_export_raids(struct rp_data *d, const struct report_export *x,
                    const struct report_options *o, const struct report_sink *sink, char *err,
                    size_t errlen)
{
    static const char *const columns[] = {"channel",
                                          "seq",
                                          "taken_at",
                                          "size",
                                          "joined",
                                          "audience",
                                          "expected_joined",
                                          "new_to_channel",
                                          "in_wave",
                                          "wave_share",
                                          "stayed_5m",
                                          "stayed_15m",
                                          "stayed_30m",
                                          "stayed_5m_observable_at",
                                          "stayed_15m_observable_at",
                                          "stayed_30m_observable_at"};
    struct rp_table t;
    rp_table_begin(&t, sink, x->format, columns, sizeof columns / sizeof *columns, 0);
    size_t n_wave;
    int64_t *wave = rp_wave_ids(d, &n_wave);
    int rc = 0;
    for (size_t c = 0; c < d->n_channels && !rc; c++) {
        struct an_participation p = {0};
        struct an_raids r = {0};
        const struct rp_channel *ch = &d->channels[c];
        rc = an_participation(&ch->ch, d->session.id, ch->history, ch->n_history, &p, err, errlen);
        if (!rc)
            rc = an_raids(&ch->ch, &p, &o->raid, wave, n_wave, &r, err, errlen);
        if (!rc)
            rc = raid_rows(&t, ch->info.login, &r, err, errlen);
        an_raids_free(&r);
        an_participation_free(&p);
    }
    free(wave);
    if (rc) {
        rp_table_abort(&t);
        return rc;
    }
    return rp_table_end(&t, err, errlen);
}
