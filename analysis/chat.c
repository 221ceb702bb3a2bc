/*
 * Chat activity (see the header). Sorting copies keeps the caller's arrays untouched; it must
 * never read anything but its arguments.
 */
#include "analysis/chat.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int by_minute_user(const void *a, const void *b)
{
    const struct an_chat_count *x = a, *y = b;
    if (x->minute_ms != y->minute_ms)
        return x->minute_ms < y->minute_ms ? -1 : 1;
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

static int by_user(const void *a, const void *b)
{
    const struct an_chat_talker *x = a, *y = b;
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

static int by_rank(const void *a, const void *b)
{
    const struct an_chat_talker *x = a, *y = b;
    if (x->messages != y->messages)
        return x->messages > y->messages ? -1 : 1;
    return by_user(a, b);
}

static int present_has(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] == id)
            return 1;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static void timeline(struct an_chat_count *rows, size_t n, struct an_chat *out)
{
    if (n) /* qsort's base must not be NULL, even for no element */
        qsort(rows, n, sizeof *rows, by_minute_user);
    out->minutes = n ? xcalloc(n, sizeof *out->minutes) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (!out->n_minutes || out->minutes[out->n_minutes - 1].minute_ms != rows[i].minute_ms)
            out->minutes[out->n_minutes++].minute_ms = rows[i].minute_ms;
        struct an_chat_minute *m = &out->minutes[out->n_minutes - 1];
        m->messages += rows[i].messages;
        an_chat_tone_add(&m->tone, &rows[i].tone);
        /* sorted by user within the minute: a new user id is a new talker */
        if (rows[i].messages > 0 && (i == 0 || rows[i - 1].minute_ms != rows[i].minute_ms ||
                                     rows[i - 1].user_id != rows[i].user_id))
            m->talkers++;
    }
}

static void ranking(const struct an_chat_count *rows, size_t n, struct an_chat *out)
{
    struct an_chat_talker *t = n ? xcalloc(n, sizeof *t) : NULL;
    for (size_t i = 0; i < n; i++)
        t[i] = (struct an_chat_talker){rows[i].user_id, rows[i].messages, rows[i].emote_only,
                                       rows[i].tone};
    if (n)
        qsort(t, n, sizeof *t, by_user);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && t[k - 1].user_id == t[i].user_id) {
            t[k - 1].messages += t[i].messages;
            t[k - 1].emote_only += t[i].emote_only;
            an_chat_tone_add(&t[k - 1].tone, &t[i].tone);
        } else {
            t[k++] = t[i];
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < k; i++)
        if (t[i].messages > 0)
            t[kept++] = t[i];
    if (kept)
        qsort(t, kept, sizeof *t, by_rank);
    out->ranked = t;
    out->talkers = kept;
}

void an_chat(const struct an_chat_count *rows, size_t n, const int64_t *present, size_t n_present,
             struct an_chat *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        out->messages += rows[i].messages;
        out->emote_only += rows[i].emote_only;
        an_chat_tone_add(&out->tone, &rows[i].tone);
    }
    struct an_chat_count *copy = n ? xcalloc(n, sizeof *copy) : NULL;
    if (n)
        memcpy(copy, rows, n * sizeof *copy);
    timeline(copy, n, out);
    free(copy);
    ranking(rows, n, out);
    out->present = n_present;
    for (size_t i = 0; i < out->talkers; i++)
        out->talkers_present += present_has(present, n_present, out->ranked[i].user_id);
    out->lurkers = n_present - out->talkers_present;
}

void an_chat_tone_add(struct an_chat_tone *a, const struct an_chat_tone *b)
{
    a->scored += b->scored;
    a->score_sum += b->score_sum;
    a->positive += b->positive;
    a->negative += b->negative;
}

double an_chat_tone_mean(const struct an_chat_tone *t)
{
    return t->scored ? (double)t->score_sum / (double)t->scored : 0.0;
}

size_t an_chat_raid_stays(const struct an_channel *ch, int64_t seq, size_t stayed[AN_STAY_WINDOWS],
                          int known[AN_STAY_WINDOWS])
{
    int64_t at = an_channel_time(ch, seq), last = an_channel_time(ch, (int64_t)ch->n_captures);
    size_t joined = 0;
    for (size_t w = 0; w < AN_STAY_WINDOWS; w++) {
        stayed[w] = 0;
        /* a window not passed by the last capture would be a guess: every stay is cut there */
        known[w] = last - at >= (int64_t)AN_STAY_WINDOWS_MIN[w] * 60000;
    }
    for (size_t i = 0; i < ch->n_stays; i++) {
        const struct an_stay *s = &ch->stays[i];
        if (s->from_seq != seq)
            continue;
        joined++;
        int64_t lasted = an_stay_duration_ms(ch, s);
        for (size_t w = 0; w < AN_STAY_WINDOWS; w++)
            stayed[w] += known[w] && lasted >= (int64_t)AN_STAY_WINDOWS_MIN[w] * 60000;
    }
    return joined;
}

void an_chat_free(struct an_chat *c)
{
    free(c->minutes);
    free(c->ranked);
    c->minutes = NULL;
    c->ranked = NULL;
}
