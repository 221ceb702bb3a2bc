/*
 * Streamed exports of a session: chatters (with flags and new/returning), the capture
 * timeline, one capture's exact chatter list, flagged accounts, the overlap matrix. Rows go
 * to the sink as they are produced. Must never collect the rows of an export in memory: the
 * chatters come from a stepping SELECT; only the flag set and the returning ids (8 bytes per
 * returning chatter) are kept while they stream.
 */
#include "report/chat.h"
#include "report/internal.h"
#include "report/marks.h"
#include "report/row_pipe.h"
#include "report/table.h"
#include "analysis/ids.h"
#include "analysis/overlap.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int report_export_kind_parse(const char *name)
{
    static const char *const names[] = {"chatters", "timeline", "capture",  "flagged",
                                        "overlap",  "raids",    "followers"};
    for (int i = 0; i < 7; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* Times as RFC 3339 text in both formats (the existing chatters export did so). */
static struct rp_cell time_cell(int64_t ms, char *buf, size_t len)
{
    if (!ms)
        return (struct rp_cell){.kind = RP_NULL};
    clock_format_rfc3339(ms, buf, len);
    return (struct rp_cell){.kind = RP_PLAIN, .s = buf};
}

static struct rp_cell str(const char *s)
{
    return (struct rp_cell){.kind = RP_STR, .s = s};
}

/* Text this file made of digits, letters and "-:._|" only (ids, times, fixed words): the
 * writer copies it without looking for anything to quote or escape. */
static struct rp_cell plain(const char *s)
{
    return (struct rp_cell){.kind = RP_PLAIN, .s = s};
}

static struct rp_cell num(int64_t v)
{
    return (struct rp_cell){.kind = RP_INT, .i = v};
}

/* Ids are text in both formats (JSON numbers lose precision past 2^53). Written by hand
 * because snprintf's format parsing cost more than the rest of the id column at a million
 * rows a second. */
static struct rp_cell id_cell(int64_t id, char *buf, size_t len)
{
    if (id < 0 || len < 21) {
        snprintf(buf, len, "%lld", (long long)id);
        return plain(buf);
    }
    char digits[20];
    size_t n = 0;
    uint64_t v = (uint64_t)id;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (size_t i = 0; i < n; i++)
        buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
    return plain(buf);
}

/* The last time formatted in one column: the seen times are capture times, shared by the
 * many chatters of a capture, so most rows repeat the previous row's text. */
struct time_memo {
    int64_t ms;
    char text[40];
};

static struct rp_cell memo_time_cell(int64_t ms, struct time_memo *m)
{
    if (!ms)
        return (struct rp_cell){.kind = RP_NULL};
    if (ms != m->ms) {
        clock_format_rfc3339(ms, m->text, sizeof m->text);
        m->ms = ms;
    }
    return plain(m->text);
}

struct chatters_ctx {
    struct rp_table t;
    const struct an_flags *flags;
    struct rp_marks marks;
    uint32_t exclude;
    const int64_t *returning;
    size_t n_returning;
    const int64_t *keep; /* with a channel filter: the chatters of those channels */
    size_t n_keep;
    int64_t *chat_ids, *chat_messages; /* chat messages per talker (EventSub), by id */
    size_t n_chat;
    struct time_memo first, last;
    char *err;
    size_t errlen;
};

/* Messages the chatter wrote in the session (0 without chat capture). */
static int64_t chat_messages(const struct chatters_ctx *x, int64_t user_id)
{
    size_t lo = 0, hi = x->n_chat;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->chat_ids[mid] == user_id)
            return x->chat_messages[mid];
        if (x->chat_ids[mid] < user_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int chatter_row(void *ctx, const struct store_export_row *r)
{
    struct chatters_ctx *x = ctx;
    if (x->keep && !an_ids_contain(x->keep, x->n_keep, r->user_id))
        return 0;
    if (x->exclude && an_flags_match(x->flags, r->user_id, x->exclude))
        return 0;
    char id[24], created[40], reasons[128];
    const struct an_flag *f = an_flags_find(x->flags, r->user_id);
    rp_reason_names(f ? f->reasons : 0, reasons, sizeof reasons);
    struct rp_cell cells[] = {
        id_cell(r->user_id, id, sizeof id),
        str(r->login),
        str(r->display_name),
        time_cell(r->created_at_ms, created, sizeof created),
        num(r->captures_seen),
        memo_time_cell(r->first_seen_ms, &x->first),
        memo_time_cell(r->last_seen_ms, &x->last),
        num(r->time_present_ms / 1000),
        plain(reasons),
        plain(an_ids_contain(x->returning, x->n_returning, r->user_id) ? "returning" : "new"),
        plain(rp_role_name(rp_marks_role(&x->marks, r->user_id))),
        plain(rp_marks_watched(&x->marks, r->user_id) ? "yes" : ""),
        num(chat_messages(x, r->user_id)),
    };
    return rp_table_row(&x->t, cells, x->err, x->errlen);
}

/* The header goes out before the analysis pass, so a download starts at once however long
 * the pass takes for a big session. */
static int export_chatters(struct store *st, struct store *aside, int64_t user_id,
                           const struct report_export *x, const struct report_options *o,
                           const struct report_sink *sink, char *err, size_t errlen)
{
    static const char *const columns[] = {
        "id",         "login",     "display_name",   "created_at", "captures_seen",
        "first_seen", "last_seen", "time_present_s", "flags",      "status",
        "role",       "watched",   "messages"};
    struct chatters_ctx cx = {.exclude = o->exclude, .err = err, .errlen = errlen};
    rp_table_begin(&cx.t, sink, x->format, columns, sizeof columns / sizeof *columns, 0);
    struct rp_export_pass pass;
    memset(&pass, 0, sizeof pass);
    int rc = rp_table_flush(&cx.t, err, errlen);
    store_scan_hint(st, 1);
    if (!rc)
        rc = rp_export_pass_aside(st, aside, user_id, x->session_id, o, &pass, err, errlen);
    if (!rc)
        rc = report_chat_per_chatter(st, x->session_id, &cx.chat_ids, &cx.chat_messages, &cx.n_chat,
                                     err, errlen);
    if (!rc)
        rc = rp_marks_load(st, user_id, pass.channels, pass.n_channels, &cx.marks, err, errlen);
    cx.flags = &pass.flags;
    cx.returning = pass.returning;
    cx.n_returning = pass.n_returning;
    cx.keep = pass.keep;
    cx.n_keep = pass.n_keep;
    /* The total is only known once the SELECT counted it: set it before the first row. The
     * scan runs on a second thread, the cells and the sink on this one. */
    if (!rc)
        rc = rp_export_rows_beside(st, x->session_id, &cx.t.total, chatter_row, &cx, err, errlen);
    if (!rc)
        rc = rp_table_end(&cx.t, err, errlen);
    else
        rp_table_abort(&cx.t);
    store_scan_hint(st, 0);
    rp_export_pass_free(&pass);
    rp_marks_free(&cx.marks);
    free(cx.chat_ids);
    free(cx.chat_messages);
    return rc;
}

static int export_timeline(struct rp_data *d, const struct report_export *x,
                           const struct report_sink *sink, char *err, size_t errlen)
{
    static const char *const columns[] = {"channel", "seq",  "taken_at",       "chatters",
                                          "joined",  "left", "new_to_channel", "churn"};
    struct rp_table t;
    rp_table_begin(&t, sink, x->format, columns, sizeof columns / sizeof *columns, 0);
    int rc = 0;
    for (size_t c = 0; c < d->n_channels && !rc; c++) {
        struct an_participation p = {0};
        rc = an_participation(&d->channels[c].ch, d->session.id, d->channels[c].history,
                              d->channels[c].n_history, &p, err, errlen);
        for (size_t i = 0; i < p.n_series && !rc; i++) {
            const struct an_capture_stat *s = &p.series[i];
            char at[40];
            struct rp_cell cells[] = {
                str(d->channels[c].info.login),
                num(s->seq),
                time_cell(s->taken_at_ms, at, sizeof at),
                num((int64_t)s->chatters),
                num((int64_t)s->joined),
                num((int64_t)s->left),
                num((int64_t)s->new_to_channel),
                (struct rp_cell){.kind = RP_NUM, .d = s->churn},
            };
            rc = rp_table_row(&t, cells, err, errlen);
        }
        an_participation_free(&p);
    }
    if (rc) {
        rp_table_abort(&t);
        return rc;
    }
    return rp_table_end(&t, err, errlen);
}

static int export_flagged(struct rp_data *d, const struct report_export *x,
                          const struct report_sink *sink, char *err, size_t errlen)
{
    static const char *const columns[] = {"id",         "login",   "display_name",
                                          "created_at", "reasons", "details"};
    const struct an_flag **sorted = an_flags_sorted(&d->flags);
    struct rp_table t;
    rp_table_begin(&t, sink, x->format, columns, sizeof columns / sizeof *columns,
                   (int64_t)d->flags.n);
    int rc = 0;
    for (size_t i = 0; i < d->flags.n && !rc; i++) {
        const struct rp_person *p = rp_profile(d, sorted[i]->user_id);
        char id[24], created[40], reasons[128];
        rp_reason_names(sorted[i]->reasons, reasons, sizeof reasons);
        struct rp_cell cells[] = {
            id_cell(sorted[i]->user_id, id, sizeof id),
            str(p ? p->login : ""),
            str(p ? p->display_name : ""),
            time_cell(p ? p->created_at_ms : 0, created, sizeof created),
            str(reasons),
            str(sorted[i]->text),
        };
        rc = rp_table_row(&t, cells, err, errlen);
    }
    free(sorted);
    if (rc) {
        rp_table_abort(&t);
        return rc;
    }
    return rp_table_end(&t, err, errlen);
}

static int export_overlap(struct rp_data *d, const struct report_export *x,
                          const struct report_sink *sink, char *err, size_t errlen)
{
    static const char *const columns[] = {"channel_a",  "channel_b", "chatters_a",
                                          "chatters_b", "shared",    "jaccard"};
    struct an_channel *chs = xmalloc((d->n_channels ? d->n_channels : 1) * sizeof *chs);
    for (size_t c = 0; c < d->n_channels; c++)
        chs[c] = d->channels[c].ch;
    struct an_overlap_matrix m;
    an_overlap_channels(chs, d->n_channels, &m);
    free(chs);
    struct rp_table t;
    rp_table_begin(&t, sink, x->format, columns, sizeof columns / sizeof *columns, 0);
    int rc = 0;
    for (size_t i = 0; i < m.n && !rc; i++)
        for (size_t j = i + 1; j < m.n && !rc; j++) {
            struct rp_cell cells[] = {
                str(d->channels[i].info.login),
                str(d->channels[j].info.login),
                num((int64_t)m.sizes[i]),
                num((int64_t)m.sizes[j]),
                num((int64_t)m.shared[i * m.n + j]),
                (struct rp_cell){.kind = RP_NUM, .d = m.jaccard[i * m.n + j]},
            };
            rc = rp_table_row(&t, cells, err, errlen);
        }
    an_overlap_matrix_free(&m);
    if (rc) {
        rp_table_abort(&t);
        return rc;
    }
    return rp_table_end(&t, err, errlen);
}

struct capture_ctx {
    struct rp_table t;
    char *err;
    size_t errlen;
};

static int capture_row(void *ctx, const struct store_capture_chatter *c)
{
    struct capture_ctx *x = ctx;
    char id[24], created[40];
    struct rp_cell cells[] = {
        id_cell(c->user_id, id, sizeof id),
        str(c->login),
        str(c->display_name),
        time_cell(c->created_at_ms, created, sizeof created),
        num(c->stay_from_seq),
    };
    return rp_table_row(&x->t, cells, x->err, x->errlen);
}

static int export_capture(struct store *st, int64_t user_id, const struct report_export *x,
                          const struct report_sink *sink, char *err, size_t errlen)
{
    static const char *const columns[] = {"id", "login", "display_name", "created_at",
                                          "present_since_seq"};
    struct store_session s;
    struct store_channel ch;
    int rc = store_session_get(st, x->session_id, &s, err, errlen);
    if (!rc && s.user_id != user_id)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no session %lld", (long long)x->session_id);
    if (!rc && (!x->capture_channel || x->capture_seq < 1))
        rc = tca_fail(err, errlen, TCA_EINVAL, "a capture export needs a channel and a seq");
    if (!rc)
        rc = store_channel_by_login(st, x->capture_channel, &ch, err, errlen);
    if (rc)
        return rc;
    struct capture_ctx cx = {.err = err, .errlen = errlen};
    rp_table_begin(&cx.t, sink, x->format, columns, sizeof columns / sizeof *columns, 0);
    rc = store_capture_chatters(st, x->session_id, ch.id, x->capture_seq, &cx.t.total, capture_row,
                                &cx, err, errlen);
    if (rc) {
        rp_table_abort(&cx.t);
        return rc;
    }
    return rp_table_end(&cx.t, err, errlen);
}

int report_export_check(struct store *st, int64_t user_id, const struct report_export *x,
                        const struct report_options *o, char *err, size_t errlen)
{
    struct store_session s;
    int rc = store_session_get(st, x->session_id, &s, err, errlen);
    if (!rc && s.user_id != user_id)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no session %lld", (long long)x->session_id);
    if (rc)
        return rc;
    struct store_session_channel *chs;
    size_t n;
    rc = store_session_channels(st, x->session_id, &chs, &n, err, errlen);
    for (size_t f = 0; f < o->n_channels && !rc; f++) {
        size_t i = 0;
        while (i < n && strcasecmp(chs[i].login, o->channels[f]) != 0)
            i++;
        if (i == n)
            rc = tca_fail(err, errlen, TCA_EINVAL, "channel %s was not captured in session %lld",
                          o->channels[f], (long long)x->session_id);
    }
    free(chs);
    if (rc || x->kind != REPORT_EXPORT_CAPTURE)
        return rc;
    if (!x->capture_channel || x->capture_seq < 1)
        return tca_fail(err, errlen, TCA_EINVAL, "a capture export needs a channel and a seq");
    struct store_channel ch;
    struct store_capture *caps;
    rc = store_channel_by_login(st, x->capture_channel, &ch, err, errlen);
    if (!rc)
        rc = store_capture_list(st, x->session_id, ch.id, &caps, &n, err, errlen);
    if (rc)
        return rc;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++)
        found = caps[i].seq == x->capture_seq;
    free(caps);
    return found ? 0
                 : tca_fail(err, errlen, TCA_ENOTFOUND, "no capture %lld of that channel",
                            (long long)x->capture_seq);
}

int report_export_run(struct store *st, int64_t user_id, const struct report_export *x,
                      const struct report_options *o, const struct report_sink *sink, char *err,
                      size_t errlen)
{
    return report_export_run_aside(st, NULL, user_id, x, o, sink, err, errlen);
}

int report_export_run_aside(struct store *st, struct store *aside, int64_t user_id,
                            const struct report_export *x, const struct report_options *o,
                            const struct report_sink *sink, char *err, size_t errlen)
{
    if (x->kind == REPORT_EXPORT_CAPTURE)
        return export_capture(st, user_id, x, sink, err, errlen);
    if (x->kind == REPORT_EXPORT_CHATTERS)
        return export_chatters(st, aside, user_id, x, o, sink, err, errlen);
    struct rp_data d;
    int rc = rp_load(st, user_id, x->session_id, o, &d, err, errlen);
    if (rc)
        return rc;
    switch (x->kind) {
    case REPORT_EXPORT_TIMELINE:
        rc = export_timeline(&d, x, sink, err, errlen);
        break;
    case REPORT_EXPORT_FLAGGED:
        rc = export_flagged(&d, x, sink, err, errlen);
        break;
    case REPORT_EXPORT_OVERLAP:
        rc = export_overlap(&d, x, sink, err, errlen);
        break;
    case REPORT_EXPORT_RAIDS:
        rc = rp_export_raids(&d, x, o, sink, err, errlen);
        break;
    case REPORT_EXPORT_FOLLOWERS:
        rc = rp_export_followers(st, &d, x, sink, err, errlen);
        break;
    default:
        rc = tca_fail(err, errlen, TCA_EINVAL, "unknown export");
    }
    rp_free(&d);
    return rc;
}
