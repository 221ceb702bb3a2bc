/* Raids against simulated streams: 1,000 streams of ordinary comings and goings (20 to
 * 200,000 chatters, churn 1-10% with binomial noise, flat, slow ramps, drops, end-of-stream
 * exoduses, random walks) must report no raid at all, and the same streams with one raid
 * injected must report exactly that raid, at its capture, with its size within the
 * capture's usual arrivals. Streams are built as stays, the store's shape, and go through
 * an_participation and an_raids like a session does. Prints the false-alarm and miss counts. */
#include "tests/support/testutil.h"
#include "analysis/raids.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN 60000
#define STREAMS 1000
#define CAPTURES 24

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return (double)(next(s) >> 11) / 9007199254740992.0;
}

/* Binomial(n, p): exact for small n, the normal approximation above (its error is far
 * below the noise the rule has to tolerate). */
static size_t binomial(uint64_t *s, size_t n, double p)
{
    if (n <= 4000) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            k += uniform(s) < p;
        return k;
    }
    double u1 = uniform(s), u2 = uniform(s);
    double g = sqrt(-2 * log(u1 + 1e-300)) * cos(2 * M_PI * u2);
    double k = llround((double)n * p + sqrt((double)n * p * (1 - p)) * g);
    return k < 0 ? 0 : k > (double)n ? n : (size_t)k;
}

enum shape { FLAT, RAMP_UP, RAMP_DOWN, DROP, EXODUS, WALK, N_SHAPES };

/* Audience targets T[1..CAPTURES] of one stream. */
static void targets(uint64_t *s, enum shape shape, double n0, double *t)
{
    double slope = 0.003 + 0.007 * uniform(s);
    int drop_at = 5 + (int)(next(s) % (CAPTURES - 5));
    double drop = 0.2 + 0.5 * uniform(s);
    t[1] = n0;
    for (int k = 2; k <= CAPTURES; k++) {
        double v = t[k - 1];
        if (shape == RAMP_UP)
            v *= 1 + slope;
        else if (shape == RAMP_DOWN)
            v *= 1 - slope;
        else if (shape == DROP && k == drop_at)
            v *= 1 - drop;
        else if (shape == EXODUS && k > CAPTURES - 3)
            v *= 0.3;
        else if (shape == WALK)
            v *= 1 + 0.06 * (uniform(s) - 0.5);
        t[k] = v < 5 ? 5 : v;
    }
}

struct present {
    int64_t id;
    int64_t from;
};

struct stream {
    struct an_capture caps[CAPTURES];
    struct an_stay *stays;
    size_t n_stays, cap_stays;
    struct present *here; /* the regular audience */
    size_t n_here, cap_here;
    struct present *raiders;
    size_t n_raiders;
    int64_t next_id;
    size_t raid_size;   /* injected */
    size_t raid_usual;  /* ordinary arrivals at the raid's capture */
    size_t raid_before; /* audience before the raid */
    size_t raid_floor;  /* noise_floor at the raid's capture */
    int raid_at;        /* where the raid landed */
};

static void stay(struct stream *st, int64_t id, int64_t from, int64_t to)
{
    if (st->n_stays == st->cap_stays) {
        st->cap_stays = st->cap_stays ? st->cap_stays * 2 : 1024;
        st->stays = xreallocarray(st->stays, st->cap_stays, sizeof *st->stays);
    }
    st->stays[st->n_stays++] = (struct an_stay){id, 1, from, to};
}

static void arrive(struct stream *st, int64_t k)
{
    if (st->n_here == st->cap_here) {
        st->cap_here = st->cap_here ? st->cap_here * 2 : 1024;
        st->here = xreallocarray(st->here, st->cap_here, sizeof *st->here);
    }
    st->here[st->n_here++] = (struct present){st->next_id++, k};
}

/* Random chatters of list leave before capture k: their stays end at k - 1. */
static void leave(struct stream *st, uint64_t *s, struct present *list, size_t *n, size_t count,
                  int64_t k)
{
    for (size_t i = 0; i < count && *n; i++) {
        size_t j = next(s) % *n;
        stay(st, list[j].id, list[j].from, k - 1);
        list[j] = list[--*n];
    }
}

/* The smallest raid the rule promises to find on a channel whose captures usually bring
 * lambda arrivals: 10 chatters plus the noise of the arrivals, and the rule's bar of 4
 * spreads + 4 (a spread estimated from a few captures can reach 1.9 sqrt(lambda)) plus
 * that noise. Below this a
 * raid is inside the binomial noise of ordinary arrivals and finding it would mean
 * reporting ordinary minutes as raids too. */
static size_t noise_floor(double lambda)
{
    double a = 10 + 4 * sqrt(lambda), b = 11.5 * sqrt(lambda) + 4;
    return (size_t)ceil(a > b ? a : b);
}

/* One stream; raid_at 0 for none, plain15 1 for a raid of exactly 15% of the audience even
 * under the noise floor. The same seed gives the same ordinary audience. */
static void build(struct stream *st, uint64_t seed, int raid_at, int plain15)
{
    uint64_t s = seed, r = seed ^ 0xABCDEFull; /* the raid draws from its own stream */
    memset(st, 0, sizeof *st);
    double n0 = exp(log(20) + (log(200000) - log(20)) * uniform(&s));
    double churn = 0.01 + 0.09 * uniform(&s);
    double t[CAPTURES + 1];
    targets(&s, (enum shape)(next(&s) % N_SHAPES), n0, t);
    /* A raid lands on a minute when the audience is not collapsing at the same time (a
     * channel emptying at the end of its stream raids out, it is not raided). */
    while (raid_at > 6 && t[raid_at] < 0.9 * t[raid_at - 1])
        raid_at--;
    st->raid_at = raid_at;
    st->next_id = 1;
    size_t arrived = 0; /* ordinary arrivals from capture 2 to the raid's: the usual arrivals */
    for (int64_t k = 1; k <= CAPTURES; k++) {
        st->caps[k - 1] = (struct an_capture){k, 1700000000000 + (k - 1) * MIN};
        if (k == 1) {
            for (size_t i = 0; i < (size_t)llround(t[1]); i++)
                arrive(st, 1);
            continue;
        }
        /* The targets give the growth of each minute; leaving and arriving are relative to
         * the audience actually present, so it random-walks around the shape and its
         * arrivals follow it down an exodus as a real channel's do. */
        double g = t[k] / t[k - 1], n = (double)st->n_here;
        size_t before = st->n_here;
        size_t out = binomial(&s, st->n_here, churn) + (g < 1 ? (size_t)llround(n * (1 - g)) : 0);
        size_t in = binomial(&s, (size_t)llround(n * g), churn) +
                    (g > 1 ? (size_t)llround(n * (g - 1)) : 0);
        leave(st, &s, st->here, &st->n_here, out, k);
        for (size_t i = 0; i < in; i++)
            arrive(st, k);
        if (k < raid_at)
            arrived += in;
        /* raiders drift away: about a third each minute */
        size_t gone = 0;
        for (size_t i = 0; i < st->n_raiders; i++)
            gone += uniform(&r) < 0.3;
        leave(st, &r, st->raiders, &st->n_raiders, gone, k);
        if (k == raid_at) {
            st->raid_before = before + st->n_raiders + gone;
            st->raid_size = (size_t)ceil(0.15 * (double)st->raid_before);
            st->raid_floor = noise_floor((double)arrived / (double)(k - 2));
            if (!plain15 && st->raid_size < st->raid_floor)
                st->raid_size = st->raid_floor;
            st->raid_usual = in;
            st->raiders = xreallocarray(st->raiders, st->raid_size, sizeof *st->raiders);
            for (size_t i = 0; i < st->raid_size; i++)
                st->raiders[st->n_raiders++] = (struct present){st->next_id++, k};
        }
    }
    for (size_t i = 0; i < st->n_here; i++)
        stay(st, st->here[i].id, st->here[i].from, 0);
    for (size_t i = 0; i < st->n_raiders; i++)
        stay(st, st->raiders[i].id, st->raiders[i].from, 0);
}

static void stream_free(struct stream *st)
{
    free(st->stays);
    free(st->here);
    free(st->raiders);
}

static int raids_of(const struct stream *st, struct an_raids *r)
{
    struct an_channel ch = {1, st->caps, CAPTURES, st->stays, st->n_stays};
    struct an_participation p;
    int rc = an_participation(&ch, 7, NULL, 0, &p, NULL, 0);
    if (!rc)
        rc = an_raids(&ch, &p, NULL, NULL, 0, r, NULL, 0);
    an_participation_free(&p);
    return rc;
}

/* Whether the raid at `at` was found (and nothing else); checks its size. */
static int found(const struct stream *st, int at, size_t *false_alarms, size_t *wrong_size,
                 double *worst)
{
    struct an_raids r;
    assert_int_equal(raids_of(st, &r), 0);
    int hit = 0;
    for (size_t k = 0; k < r.n; k++) {
        if (r.raids[k].seq != at) {
            (*false_alarms)++;
            continue;
        }
        hit = 1;
        const struct an_raid *x = &r.raids[k];
        /* "within the capture's usual arrivals": the size is off by no more than the
         * ordinary arrivals of that very capture, or than a usual capture brings */
        double err = fabs((double)x->size - (double)st->raid_size);
        double usual = x->expected + 4 * x->spread;
        if (usual < (double)st->raid_usual)
            usual = (double)st->raid_usual;
        *wrong_size += err > usual;
        if (err > usual)
            printf("size: raid of %zu at capture %d sized %zu (joined %zu, usual %.1f +- %.1f)\n",
                   st->raid_size, at, x->size, x->joined, x->expected, x->spread);
        double rel = err / (double)st->raid_size;
        if (rel > *worst)
            *worst = rel;
    }
    an_raids_free(&r);
    return hit;
}

static void ordinary_streams_have_no_raid_and_injected_raids_are_all_found(void **state)
{
    size_t false_alarms = 0, missed = 0, wrong_size = 0, stays = 0;
    size_t small = 0, small_found = 0; /* 15% raids under the noise floor: counted, not asserted */
    double worst = 0;                  /* largest |size - injected| / injected */
    /* fixed streams so a failure replays; TCA_RAID_SEEDS=N explores another thousand */
    const char *base = getenv("TCA_RAID_SEEDS");
    uint64_t first = base ? strtoull(base, NULL, 10) : 1000;
    for (uint64_t i = 0; i < STREAMS; i++) {
        uint64_t seed = first + i * 7919;
        struct stream st;
        struct an_raids r;
        build(&st, seed, 0, 0);
        stays += st.n_stays;
        assert_int_equal(raids_of(&st, &r), 0);
        for (size_t k = 0; k < r.n; k++)
            printf("false alarm: stream %llu, capture %lld: %zu joined, usual %.1f +- %.1f, "
                   "audience %zu\n",
                   (unsigned long long)seed, (long long)r.raids[k].seq, r.raids[k].joined,
                   r.raids[k].expected, r.raids[k].spread, r.raids[k].audience);
        false_alarms += r.n;
        an_raids_free(&r);
        stream_free(&st);

        /* A raid anywhere from the first capture with a full baseline to the last one. */
        int at = 6 + (int)((seed >> 3) % (CAPTURES - 5));
        build(&st, seed, at, 0);
        at = st.raid_at;
        stays += st.n_stays;
        int hit = found(&st, at, &false_alarms, &wrong_size, &worst);
        if (!hit)
            printf("missed: stream %llu, capture %d: raid of %zu on %zu chatters, %zu usual "
                   "arrivals\n",
                   (unsigned long long)seed, at, st.raid_size, st.raid_before, st.raid_usual);
        missed += !hit;
        int under = st.raid_floor > (size_t)ceil(0.15 * (double)st.raid_before);
        stream_free(&st);
        if (under) {
            build(&st, seed, at, 1);
            size_t fa = 0, ws = 0;
            double w = 0;
            small++;
            small_found += found(&st, at, &fa, &ws, &w);
            false_alarms += fa;
            stream_free(&st);
        }
    }
    printf("raids property: %d ordinary streams: %zu false alarms; %d raids of >= 15%% of the "
           "audience (and above the noise floor): %zu missed, %zu sized outside the usual "
           "arrivals (worst error %.1f%% of the raid); %zu plain 15%% raids under the noise floor: "
           "%zu found; %zu stays\n",
           STREAMS, false_alarms, STREAMS, missed, wrong_size, 100 * worst, small, small_found,
           stays);
    assert_int_equal(false_alarms, 0);
    assert_int_equal(missed, 0);
    assert_int_equal(wrong_size, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ordinary_streams_have_no_raid_and_injected_raids_are_all_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
