/*
 * Validation and small accessors for the analysis data shapes. Checks every index that
 * later code uses unchecked, so a malformed row from the store becomes TCA_EINVAL rather
 * than an out-of-bounds read. Must never allocate or do I/O.
 */
#include "analysis/stays.h"
#include "base/err.h"

int an_channel_check(const struct an_channel *ch, char *err, size_t errlen)
{
    int64_t n = (int64_t)ch->n_captures;
    for (size_t i = 0; i < ch->n_captures; i++) {
        if (ch->captures[i].seq != (int64_t)i + 1)
            return tca_fail(err, errlen, TCA_EINVAL, "channel %lld: capture %zu has seq %lld",
                            (long long)ch->channel_id, i, (long long)ch->captures[i].seq);
        if (i > 0 && ch->captures[i].taken_at_ms < ch->captures[i - 1].taken_at_ms)
            return tca_fail(err, errlen, TCA_EINVAL, "channel %lld: capture %zu goes back in time",
                            (long long)ch->channel_id, i + 1);
    }
    for (size_t i = 0; i < ch->n_stays; i++) {
        const struct an_stay *s = &ch->stays[i];
        if (s->from_seq < 1 || s->from_seq > n || s->to_seq < 0 || s->to_seq > n ||
            (s->to_seq != 0 && s->to_seq < s->from_seq))
            return tca_fail(err, errlen, TCA_EINVAL,
                            "channel %lld: stay of %lld (%lld..%lld) outside captures 1..%lld",
                            (long long)ch->channel_id, (long long)s->user_id,
                            (long long)s->from_seq, (long long)s->to_seq, (long long)n);
    }
    return 0;
}

int64_t an_stay_last_seq(const struct an_channel *ch, const struct an_stay *s)
{
    return s->to_seq ? s->to_seq : (int64_t)ch->n_captures;
}

int64_t an_channel_time(const struct an_channel *ch, int64_t seq)
{
    return ch->captures[seq - 1].taken_at_ms;
}

int64_t an_stay_duration_ms(const struct an_channel *ch, const struct an_stay *s)
{
    return an_channel_time(ch, an_stay_last_seq(ch, s)) - an_channel_time(ch, s->from_seq);
}

const struct an_history *an_history_find(const struct an_history *h, size_t n, int64_t user_id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid].user_id < user_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && h[lo].user_id == user_id ? &h[lo] : NULL;
}
