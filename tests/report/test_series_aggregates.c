/*
 * The series read from the aggregates a capture keeps (captures.new_to_owner) equals the
 * series recomputed from every stay, and each capture's aggregates (new_to_owner and
 * first_stays) equal a naive recount from the raw captured sets; the first stays summed give
 * each channel's unique chatters as the statistics recompute them and the session's chatters
 * as the export counts them: random sessions of two users on two channels, with chatters
 * leaving and coming back, earlier sessions purged, deleted and expired, and the active
 * session purged and captured again; on SQLite and on MariaDB.
 */
#include "tests/report/fixture.h"
#include "report/report.h"

#include <jansson.h>

enum { POOL = 48, ROUNDS = 14, MAX_SESSIONS = 64 };

static const int64_t CHANNELS[] = {FX_ALPHA, FX_BETA};

/* What a naive observer of the captures knows. */
struct model {
    int64_t session[MAX_SESSIONS]; /* every session made, in order */
    int64_t owner[MAX_SESSIONS];
    /* seen[s][c][u]: chatter u was captured in channel c by session s (before any purge
     * too: purged and deleted sessions keep their visits); in[s][c][u]: present in a stay of
     * the session as it stands (a purge empties it) */
    unsigned char seen[MAX_SESSIONS][2][POOL], in[MAX_SESSIONS][2][POOL];
    unsigned char now[MAX_SESSIONS][2][POOL]; /* at the channel's latest capture */
    int alive[MAX_SESSIONS];
    size_t n;
};

static uint64_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* Joiners of this capture at their first stay of the session that no earlier session of the
 * owner saw in the channel (sessions follow each other in time, so every other session of
 * the owner that captured the channel is earlier). */
static int64_t naive_new(const struct model *m, size_t s, int c, const unsigned char *next)
{
    int64_t n = 0;
    for (int u = 0; u < POOL; u++) {
        if (!next[u] || m->now[s][c][u] || m->in[s][c][u])
            continue;
        int seen = 0;
        for (size_t t = 0; t < m->n && !seen; t++)
            seen = t != s && m->owner[t] == m->owner[s] && m->seen[t][c][u];
        n += !seen;
    }
    return n;
}

static void capture(struct fx *f, struct model *m, size_t s, int c, uint64_t *rng, int64_t at)
{
    unsigned char next[POOL];
    int64_t ids[POOL];
    size_t n = 0;
    for (int u = 0; u < POOL; u++) {
        /* most stay, some leave, some (back) come in */
        uint64_t r = rnd(rng) % 100;
        next[u] = m->now[s][c][u] ? r < 75 : r < 12;
        if (next[u])
            ids[n++] = 1000 + u;
    }
    int64_t want = naive_new(m, s, c, next), firsts = 0;
    for (int u = 0; u < POOL; u++) /* joined, and never in a stay of the session here before */
        firsts += next[u] && !m->now[s][c][u] && !m->in[s][c][u];
    fx_capture(f->st, m->session[s], CHANNELS[c], ids, n, at);
    struct store_capture *caps;
    size_t n_caps;
    char err[256];
    assert_int_equal(
        store_capture_list(f->st, m->session[s], CHANNELS[c], &caps, &n_caps, err, sizeof err), 0);
    assert_true(n_caps > 0);
    assert_int_equal(caps[n_caps - 1].new_to_owner, want); /* both back ends keep it */
    assert_int_equal(caps[n_caps - 1].first_stays, firsts);
    free(caps);
    for (int u = 0; u < POOL; u++) {
        m->now[s][c][u] = next[u];
        m->in[s][c][u] |= next[u];
        m->seen[s][c][u] |= next[u];
    }
}

/* The series of each channel of the document (caller frees the text). */
static char *series_of(struct fx *f, int64_t session, unsigned sections, const char *channel)
{
    struct report_options o;
    report_options_default(&o);
    json_t *doc = NULL;
    char err[256];
    if (channel)
        assert_int_equal(report_option_set(&o, "channel", channel, err, sizeof err), 0);
    assert_int_equal(report_session(f->st, FX_USER, session, &o, sections, &doc, err, sizeof err),
                     0);
    json_t *out = json_array(), *ch;
    size_t i;
    json_array_foreach(json_object_get(doc, "channels"), i, ch)
        json_array_append(out, json_object_get(ch, "series"));
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    json_decref(doc);
    return text;
}

/* Each channel's unique chatters as the statistics recompute them from the stays (0 for a
 * channel the session has no capture of). */
static void unique_of(struct fx *f, int64_t session, int64_t *out)
{
    struct report_options o;
    report_options_default(&o);
    json_t *doc = NULL, *ch;
    char err[256];
    assert_int_equal(
        report_session(f->st, FX_USER, session, &o, REPORT_PARTICIPATION, &doc, err, sizeof err),
        0);
    out[0] = out[1] = 0;
    size_t i;
    json_array_foreach(json_object_get(doc, "channels"), i, ch)
    {
        int64_t id = strtoll(json_string_value(json_object_get(ch, "id")), NULL, 10);
        json_t *n = json_object_get(json_object_get(ch, "participation"), "unique_chatters");
        out[id == FX_BETA] = json_integer_value(n);
    }
    json_decref(doc);
}

static int count_row(void *ctx, const struct store_export_row *row)
{
    (void)row;
    ++*(int64_t *)ctx;
    return 0;
}

/* The first stays kept by every capture of session s, summed per channel, against the model,
 * the statistics' recomputation (FX_USER's sessions) and the export's count of chatters. */
static void check_firsts(struct fx *f, struct model *m, size_t s)
{
    int64_t sum[2] = {0, 0}, naive[2] = {0, 0}, both = 0, total = -1, rows = 0;
    char err[256];
    for (int c = 0; c < 2; c++) {
        struct store_capture *caps;
        size_t n_caps;
        assert_int_equal(
            store_capture_list(f->st, m->session[s], CHANNELS[c], &caps, &n_caps, err, sizeof err),
            0);
        for (size_t k = 0; k < n_caps; k++)
            sum[c] += caps[k].first_stays;
        free(caps);
    }
    for (int u = 0; u < POOL; u++) {
        naive[0] += m->in[s][0][u];
        naive[1] += m->in[s][1][u];
        both += m->in[s][0][u] || m->in[s][1][u];
    }
    assert_int_equal(sum[0], naive[0]);
    assert_int_equal(sum[1], naive[1]);
    if (m->owner[s] == FX_USER) {
        int64_t unique[2];
        unique_of(f, m->session[s], unique);
        assert_int_equal(unique[0], naive[0]);
        assert_int_equal(unique[1], naive[1]);
    }
    /* one channel: the sum; two: the stays counted */
    assert_int_equal(
        store_export_session(f->st, m->session[s], &total, count_row, &rows, err, sizeof err), 0);
    assert_int_equal(total, both);
    assert_int_equal(rows, both);
}

/* Every live session of FX_USER: series alone (aggregates) == series beside participation
 * (recomputed from the stays); the documents of the series alone differ in nothing else.
 * Every live session of either user: its first stays. */
static void check_all(struct fx *f, struct model *m)
{
    for (size_t s = 0; s < m->n; s++) {
        if (m->alive[s])
            check_firsts(f, m, s);
        if (!m->alive[s] || m->owner[s] != FX_USER)
            continue;
        char *kept = series_of(f, m->session[s], REPORT_SERIES, NULL);
        char *full = series_of(f, m->session[s], REPORT_SERIES | REPORT_PARTICIPATION, NULL);
        assert_string_equal(kept, full);
        free(kept);
        free(full);
        struct store_capture *caps;
        size_t n_caps;
        char err[256];
        assert_int_equal(
            store_capture_list(f->st, m->session[s], FX_ALPHA, &caps, &n_caps, err, sizeof err), 0);
        free(caps);
        if (!n_caps) /* purged: a filter on alpha names a channel it has no capture of */
            continue;
        /* a channel filter keeps the aggregates */
        kept = series_of(f, m->session[s], REPORT_SERIES, "alpha");
        full = series_of(f, m->session[s], REPORT_SERIES | REPORT_PARTICIPATION, "alpha");
        assert_string_equal(kept, full);
        free(kept);
        free(full);
    }
}

static size_t start_session(struct fx *f, struct model *m, int64_t owner, int64_t at)
{
    assert_true(m->n < MAX_SESSIONS);
    size_t s = m->n++;
    m->owner[s] = owner;
    m->session[s] = owner == FX_USER && s == 0 ? f->session : fx_new_session(f, owner, at);
    m->alive[s] = 1;
    return s;
}

/* Which sessions a sweep removed: the store says. */
static void note_removed(struct fx *f, struct model *m)
{
    for (size_t s = 0; s < m->n; s++) {
        struct store_session ss;
        char err[256];
        if (m->alive[s] && store_session_get(f->st, m->session[s], &ss, err, sizeof err) != 0)
            m->alive[s] = 0;
    }
}

static void purge(struct fx *f, struct model *m, size_t s, int64_t at)
{
    char err[256];
    assert_int_equal(store_session_purge(f->st, m->session[s], at, err, sizeof err), 0);
    memset(m->in[s], 0, sizeof m->in[s]);
    memset(m->now[s], 0, sizeof m->now[s]);
}

static void incremental_series_equal_the_recomputation(void **state)
{
    struct fx *f = *state;
    static struct model m;
    memset(&m, 0, sizeof m);
    uint64_t rng = 20261201;
    int64_t at = FX_T0;
    char err[256];
    start_session(f, &m, FX_USER, at);
    for (int round = 0; round < ROUNDS; round++) {
        int64_t owner = rnd(&rng) % 4 == 0 ? FX_OTHER : FX_USER;
        size_t s = round == 0 ? 0 : start_session(f, &m, owner, at += 1000);
        int captures = 3 + (int)(rnd(&rng) % 5);
        for (int k = 0; k < captures; k++) {
            at += 60000;
            for (int c = 0; c < 2; c++)
                if (c == 0 || rnd(&rng) % 3)
                    capture(f, &m, s, c, &rng, at + c);
            if (k == 1 && rnd(&rng) % 5 == 0) { /* the active session purged mid-stream */
                purge(f, &m, s, at + 10);
                check_all(f, &m);
            }
        }
        check_all(f, &m);
        size_t victim = (size_t)(rnd(&rng) % m.n);
        switch (rnd(&rng) % 4) {
        case 0: /* an earlier session purged */
            if (victim != s && m.alive[victim])
                purge(f, &m, victim, at + 20);
            break;
        case 1: /* an earlier session deleted */
            if (victim != s && m.alive[victim]) {
                assert_int_equal(store_session_delete(f->st, m.session[victim], err, sizeof err),
                                 0);
                m.alive[victim] = 0;
            }
            break;
        case 2: /* expiry: sessions idle since an earlier round go */
            if (m.n > 2) {
                int removed;
                assert_int_equal(
                    store_session_sweep(f->st, at - 60000 * 6, &removed, err, sizeof err), 0);
                note_removed(f, &m);
            }
            break;
        default:
            break;
        }
        check_all(f, &m);
        /* a session whose owner's active one was swept cannot capture: start anew */
        at += 1000;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(incremental_series_equal_the_recomputation, fx_setup,
                                        fx_teardown),
    };
    return test_store_run("series aggregates", tests, sizeof tests / sizeof *tests);
}
