/*
 * The session report fed from a real store: hand-computed expectations (participation,
 * new/returning across the user's sessions, waves, clusters, exclusion, raids, overlap, a
 * chatter's profile, a channel's history), and a property test that the report's numbers
 * equal a naive recomputation from the full snapshots committed through the store.
 */
#include "tests/report/fixture.h"
#include "tests/report/jpath.h"
#include "report/report.h"
#include "store/store_chat.h"
#include "base/buf.h"

static const int64_t MIN = 60000, DAY = 86400000;

static json_t *session_doc(struct fx *f, int64_t session, const struct report_options *o,
                           unsigned sections)
{
    char err[256] = "";
    json_t *doc = NULL;
    struct report_options def;
    report_options_default(&def);
    int rc = report_session(f->st, FX_USER, session, o ? o : &def, sections, &doc, err, sizeof err);
    if (rc)
        fprintf(stderr, "report_session: %s\n", err);
    assert_int_equal(rc, 0);
    return doc;
}

static void participation_and_returning_viewers_match_a_hand_computation(void **state)
{
    struct fx *f = *state;
    const int64_t earlier[] = {2, 5}, theirs[] = {3};
    fx_capture(f->st, f->session, FX_ALPHA, earlier, 2, FX_T0 - DAY);
    int64_t other = fx_new_session(f, FX_OTHER, FX_T0);
    fx_capture(f->st, other, FX_ALPHA, theirs, 1, FX_T0 - 2 * DAY);
    int64_t s1 = fx_new_session(f, FX_USER, FX_T0);
    const int64_t c1[] = {1, 2, 3}, c2[] = {1, 2, 3, 4}, c3[] = {1, 4}, c4[] = {1, 4, 5};
    fx_capture(f->st, s1, FX_ALPHA, c1, 3, FX_T0);
    fx_capture(f->st, s1, FX_ALPHA, c2, 4, FX_T0 + MIN);
    fx_capture(f->st, s1, FX_ALPHA, c3, 2, FX_T0 + 2 * MIN);
    fx_capture(f->st, s1, FX_ALPHA, c4, 3, FX_T0 + 3 * MIN);
    json_t *d = session_doc(f, s1, NULL, REPORT_SUMMARY);
    assert_int_equal(jpi(d, "channels.0.participation.unique_chatters"), 5);
    assert_int_equal(jpi(d, "channels.0.participation.peak_chatters"), 4);
    assert_int_equal(jpi(d, "channels.0.participation.peak_seq"), 2);
    assert_true(jpd(d, "channels.0.participation.avg_chatters") == 3.0);
    assert_int_equal(jpi(d, "channels.0.participation.p50_ms"), MIN);
    assert_int_equal(jpi(d, "channels.0.participation.p90_ms"), 3 * MIN);
    const long long retained[] = {5, 4, 2, 1};
    for (int i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof path, "channels.0.participation.retention.%d.chatters", i);
        assert_int_equal(jpi(d, path), retained[i]);
    }
    /* chatter 3 was only seen by another user's session: still new for this user */
    assert_int_equal(jpi(d, "channels.0.series.0.new_to_channel"), 2);
    assert_int_equal(jpi(d, "channels.0.series.2.left"), 2);
    assert_true(jpd(d, "channels.0.series.2.churn") == 0.5);
    assert_int_equal(jpi(d, "channels.0.series.3.joined"), 1);
    assert_int_equal(jpi(d, "channels.0.series.3.new_to_channel"), 0);
    assert_int_equal(jpi(d, "channels.0.viewers.new"), 3);
    assert_int_equal(jpi(d, "channels.0.viewers.returning"), 2);
    assert_int_equal(jpi(d, "channels.0.viewers.earlier_sessions"), 1);
    assert_string_equal(json_string_value(jp(d, "channels.0.viewers.regulars.0.id")), "2");
    assert_string_equal(json_string_value(jp(d, "channels.0.viewers.regulars.1.id")), "5");
    assert_string_equal(json_string_value(jp(d, "channels.0.viewers.regulars.2.id")), "1");
    assert_int_equal(jpi(d, "channels.0.viewers.regulars.0.sessions"), 2);
    assert_int_equal(jpi(d, "all_channels.viewers.returning"), 2);
    assert_int_equal(json_array_size(jp(d, "channels.0.raids")), 0);
    json_decref(d);
}

/* Renames seen by captures feed the renamer flag: three name changes while present. */
static void three_renames_seen_by_captures_flag_a_renamer(void **state)
{
    struct fx *f = *state;
    const int64_t ids[] = {1, 2};
    const char *const names[][2] = {
        {"ann", "ben"}, {"anna", "ben"}, {"annie", "ben"}, {"anna", "ben"}, {"anna", "ben"}};
    for (int k = 0; k < 5; k++)
        fx_capture_named(f->st, f->session, FX_ALPHA, ids, names[k], 2, FX_T0 + k * MIN);
    json_t *d = session_doc(f, f->session, NULL, REPORT_SUMMARY | REPORT_FLAG_LIST);
    assert_int_equal(jpi(d, "flags.by_reason.renamer"), 1);
    assert_string_equal(json_string_value(jp(d, "flags.accounts.0.id")), "1");
    assert_non_null(
        strstr(json_string_value(jp(d, "flags.accounts.0.details")), "3 renames (ann -> anna)"));
    json_decref(d);
    char err[256];
    assert_int_equal(report_chatter(f->st, FX_USER, 1, &d, err, sizeof err), 0);
    assert_int_equal(jpi(d, "renames"), 3);
    json_decref(d);
}

/* Removing an earlier session never turns its chatters "new" in later sessions. */
static void purging_or_deleting_an_earlier_session_keeps_returning_counts(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t first[] = {1, 2, 3}, second[] = {2, 3, 4}, third[] = {3, 4, 5};
    int64_t s1 = f->session;
    fx_capture(f->st, s1, FX_ALPHA, first, 3, FX_T0);
    fx_capture(f->st, s1, FX_ALPHA, first, 3, FX_T0 + MIN);
    int64_t s2 = fx_new_session(f, FX_USER, FX_T0 + DAY);
    fx_capture(f->st, s2, FX_ALPHA, second, 3, FX_T0 + DAY);
    int64_t s3 = fx_new_session(f, FX_USER, FX_T0 + 2 * DAY);
    fx_capture(f->st, s3, FX_ALPHA, third, 3, FX_T0 + 2 * DAY);
    json_t *before2 = session_doc(f, s2, NULL, REPORT_SUMMARY);
    json_t *before3 = session_doc(f, s3, NULL, REPORT_SUMMARY);
    assert_int_equal(jpi(before2, "channels.0.viewers.returning"), 2);
    assert_int_equal(jpi(before3, "channels.0.viewers.returning"), 2);
    assert_int_equal(jpi(before3, "channels.0.viewers.earlier_sessions"), 2);

    assert_int_equal(store_session_purge(f->st, s1, FX_T0 + 3 * DAY, err, sizeof err), 0);
    json_t *d = session_doc(f, s2, NULL, REPORT_SUMMARY);
    assert_true(json_equal(jp(d, "channels.0.viewers"), jp(before2, "channels.0.viewers")));
    json_decref(d);
    assert_int_equal(store_session_delete(f->st, s1, err, sizeof err), 0);
    assert_int_equal(store_session_delete(f->st, s2, err, sizeof err), 0);
    d = session_doc(f, s3, NULL, REPORT_SUMMARY);
    /* 3 and 4 still returning, from sessions that no longer exist; 3 came twice */
    assert_true(json_equal(jp(d, "channels.0.viewers"), jp(before3, "channels.0.viewers")));
    assert_true(json_equal(jp(d, "channels.0.series"), jp(before3, "channels.0.series")));
    json_decref(d);
    json_decref(before2);
    json_decref(before3);
}

static void a_wave_and_a_login_cluster_are_flagged_and_known_bots_can_be_left_out(void **state)
{
    struct fx *f = *state;
    int64_t ids[46];
    size_t n = 0;
    const int64_t wave_day = 1749859200000LL; /* 2025-06-14 */
    for (int i = 0; i < 40; i++) {
        char login[32];
        snprintf(login, sizeof login, "wavebot_%03d", i + 1);
        ids[n++] = 100 + i;
        fx_profile(f->st, 100 + i, login, wave_day + i * 1000, FX_T0);
    }
    for (int i = 1; i <= 5; i++) {
        char login[32];
        snprintf(login, sizeof login, "viewer%c", 'a' + i);
        ids[n++] = i;
        fx_profile(f->st, i, login, FX_T0 - (int64_t)i * 400 * DAY, FX_T0);
    }
    ids[n++] = 9;
    fx_profile(f->st, 9, "nightbot", FX_T0 - 3000 * DAY, FX_T0);
    fx_capture(f->st, f->session, FX_ALPHA, ids, n, FX_T0);
    fx_capture(f->st, f->session, FX_ALPHA, ids, n, FX_T0 + MIN);
    struct report_options o;
    report_options_default(&o);
    char err[256];
    assert_int_equal(report_option_set(&o, "watch", "30", err, sizeof err), 0);
    assert_int_equal(report_option_set(&o, "flag_level", "watch", err, sizeof err), 0);
    json_t *d = session_doc(f, f->session, &o, REPORT_SUMMARY | REPORT_FLAG_LIST);
    assert_string_equal(json_string_value(jp(d, "accounts.top_creation_days.0.day")), "2025-06-14");
    assert_int_equal(jpi(d, "accounts.top_creation_days.0.count"), 40);
    assert_string_equal(json_string_value(jp(d, "accounts.top_creation_days.0.level")), "watch");
    assert_string_equal(json_string_value(jp(d, "accounts.clusters.0.stem")), "wavebot_");
    assert_int_equal(jpi(d, "accounts.clusters.0.count"), 40);
    assert_true(json_is_true(jp(d, "accounts.clusters.0.sequence")));
    assert_int_equal(jpi(d, "flags.flagged"), 41);
    assert_int_equal(jpi(d, "flags.by_reason.known_bot"), 1);
    assert_int_equal(jpi(d, "flags.by_reason.wave"), 40);
    assert_int_equal(jpi(d, "flags.by_reason.cluster"), 40);
    assert_string_equal(json_string_value(jp(d, "flags.accounts.0.login")), "nightbot");
    assert_string_equal(json_string_value(jp(d, "flags.accounts.0.reasons")), "known_bot");
    assert_string_equal(json_string_value(jp(d, "flags.accounts.1.reasons")), "wave|cluster");
    assert_int_equal(jpi(d, "channels.0.participation.unique_chatters"), 46);
    json_decref(d);
    assert_int_equal(report_option_set(&o, "exclude", "known_bots", err, sizeof err), 0);
    d = session_doc(f, f->session, &o, REPORT_SUMMARY);
    assert_int_equal(jpi(d, "channels.0.participation.unique_chatters"), 45);
    assert_int_equal(jpi(d, "accounts.audience"), 45);
    assert_int_equal(jpi(d, "flags.flagged"), 41); /* flags still cover everyone */
    assert_int_equal(jpi(d, "flags.excluded"), 1);
    json_decref(d);
    assert_int_equal(report_option_set(&o, "exclude", "flagged", err, sizeof err), 0);
    d = session_doc(f, f->session, &o, REPORT_SUMMARY);
    assert_int_equal(jpi(d, "channels.0.participation.unique_chatters"), 5);
    json_decref(d);
}

static void a_raid_is_found_at_its_capture_with_its_size_stays_and_wave_share(void **state)
{
    struct fx *f = *state;
    int64_t ids[120];
    int64_t t[] = {0, MIN, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN, 10 * MIN, 20 * MIN, 35 * MIN};
    const size_t keep[] = {0, 0, 0, 0, 0, 100, 50, 20, 10}; /* raiders present */
    for (int i = 0; i < 30; i++) {
        char login[32];
        snprintf(login, sizeof login, "raidbot_%02d", i + 1);
        fx_profile(f->st, 1000 + i, login, FX_T0 - 30 * DAY + i, FX_T0);
    }
    for (int k = 0; k < 9; k++) {
        size_t n = 0;
        for (int64_t id = 1; id <= 9; id++)
            ids[n++] = id;
        ids[n++] = k < 5 ? 11 + k : 15; /* one swap per capture before the raid */
        for (size_t r = 0; r < keep[k]; r++)
            ids[n++] = 1000 + (int64_t)r;
        fx_capture(f->st, f->session, FX_BETA, ids, n, FX_T0 + t[k]);
    }
    json_t *d = session_doc(f, f->session, NULL, REPORT_SUMMARY);
    assert_int_equal(json_array_size(jp(d, "channels.0.raids")), 1);
    assert_int_equal(jpi(d, "channels.0.raids.0.seq"), 6);
    assert_int_equal(jpi(d, "channels.0.raids.0.joined"), 100);
    assert_int_equal(jpi(d, "channels.0.raids.0.size"), 99); /* beyond the usual 1 a minute */
    assert_int_equal(jpi(d, "channels.0.raids.0.audience"), 10);
    assert_null(jp(d, "channels.0.raids.0.stayed_30m_observable_at"));
    assert_int_equal(jpi(d, "channels.0.raids.0.new_to_channel"), 100);
    assert_int_equal(jpi(d, "channels.0.raids.0.stayed_5m"), 50);
    assert_int_equal(jpi(d, "channels.0.raids.0.stayed_15m"), 20);
    assert_int_equal(jpi(d, "channels.0.raids.0.stayed_30m"), 10);
    assert_int_equal(jpi(d, "channels.0.raids.0.in_wave"), 30);
    assert_true(jpd(d, "channels.0.raids.0.wave_share") == 0.3);
    json_decref(d);
    struct report_options o;
    report_options_default(&o);
    char err[256];
    assert_int_equal(report_option_set(&o, "raid_min_joined", "101", err, sizeof err), 0);
    d = session_doc(f, f->session, &o, REPORT_RAIDS);
    assert_int_equal(json_array_size(jp(d, "channels.0.raids")), 0);
    json_decref(d);
}

static int append(void *ctx, const char *p, size_t n)
{
    return buf_append(ctx, p, n);
}

static void stay_counts_are_null_with_a_time_until_their_window_has_passed(void **state)
{
    struct fx *f = *state;
    int64_t ids[120];
    /* a raid at 5 min, the last capture at 11 min: 5 min is known, 15 and 30 are not */
    int64_t t[] = {0, MIN, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN, 8 * MIN, 11 * MIN};
    const size_t keep[] = {0, 0, 0, 0, 0, 100, 60, 40};
    for (int k = 0; k < 8; k++) {
        size_t n = 0;
        for (int64_t id = 1; id <= 9; id++)
            ids[n++] = id;
        ids[n++] = k < 5 ? 11 + k : 15;
        for (size_t r = 0; r < keep[k]; r++)
            ids[n++] = 1000 + (int64_t)r;
        fx_capture(f->st, f->session, FX_BETA, ids, n, FX_T0 + t[k]);
    }
    json_t *d = session_doc(f, f->session, NULL, REPORT_RAIDS);
    json_t *r = jp(d, "channels.0.raids.0");
    assert_non_null(r);
    assert_int_equal(jpi(d, "channels.0.raids.0.stayed_5m"), 40);
    assert_null(json_object_get(r, "stayed_5m_observable_at"));
    assert_true(json_is_null(json_object_get(r, "stayed_15m")));
    assert_true(json_is_null(json_object_get(r, "stayed_30m")));
    /* FX_T0 is 2025-01-01T00:00:00Z; the raid at +5 min */
    assert_string_equal(json_string_value(json_object_get(r, "stayed_15m_observable_at")),
                        "2025-01-01T00:20:00Z");
    assert_string_equal(json_string_value(json_object_get(r, "stayed_30m_observable_at")),
                        "2025-01-01T00:35:00Z");
    json_decref(d);
    /* the raids export: empty cells, never 0, and when they become known */
    struct buf out;
    buf_init(&out, 0);
    struct report_sink sink = {.write = append, .ctx = &out};
    struct report_export x = {
        .kind = REPORT_EXPORT_RAIDS, .format = REPORT_CSV, .session_id = f->session};
    struct report_options o;
    report_options_default(&o);
    char err[256];
    assert_int_equal(report_export_run(f->st, FX_USER, &x, &o, &sink, err, sizeof err), 0);
    buf_append(&out, "", 1);
    assert_non_null(strstr(out.data, "stayed_5m,stayed_15m,stayed_30m,stayed_5m_observable_at,"));
    assert_non_null(strstr(out.data, ",40,,,,2025-01-01T00:20:00Z,2025-01-01T00:35:00Z\r\n"));
    buf_free(&out);
}

static void filters_refuse_unknown_channels_and_other_users_sessions(void **state)
{
    struct fx *f = *state;
    const int64_t a[] = {1, 2, 3}, b[] = {2, 3, 4, 5};
    fx_capture(f->st, f->session, FX_ALPHA, a, 3, FX_T0);
    fx_capture(f->st, f->session, FX_BETA, b, 4, FX_T0);
    struct report_options o;
    report_options_default(&o);
    char err[256];
    assert_int_equal(report_option_set(&o, "channel", "BETA", err, sizeof err), 0);
    json_t *d = session_doc(f, f->session, &o, REPORT_SUMMARY);
    assert_int_equal(json_array_size(jp(d, "channels")), 1);
    assert_int_equal(jpi(d, "channels.0.participation.unique_chatters"), 4);
    json_decref(d);
    report_options_default(&o);
    d = session_doc(f, f->session, &o, REPORT_SUMMARY);
    assert_int_equal(jpi(d, "all_channels.participation.unique_chatters"), 5);
    assert_int_equal(jpi(d, "overlap.pairs.0.shared"), 2);
    assert_true(jpd(d, "overlap.pairs.0.jaccard") == 0.4);
    json_decref(d);
    assert_int_equal(report_option_set(&o, "channel", "gamma", err, sizeof err), 0);
    assert_int_equal(
        report_session(f->st, FX_USER, f->session, &o, REPORT_SUMMARY, &d, err, sizeof err),
        TCA_EINVAL);
    report_options_default(&o);
    assert_int_equal(
        report_session(f->st, FX_OTHER, f->session, &o, REPORT_SUMMARY, &d, err, sizeof err),
        TCA_ENOTFOUND);
    assert_int_equal(report_option_set(&o, "raid_z", "abc", err, sizeof err), TCA_EINVAL);
    assert_int_equal(report_option_set(&o, "nonsense", "1", err, sizeof err), TCA_EINVAL);
    assert_int_equal(report_option_set(&o, "exclude", "bots", err, sizeof err), TCA_EINVAL);
}

static void overlap_of_channels_and_sessions_lists_the_shared_chatters(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t a[] = {1, 2, 3}, b[] = {2, 3, 4, 5};
    fx_capture(f->st, f->session, FX_ALPHA, a, 3, FX_T0);
    fx_capture(f->st, f->session, FX_BETA, b, 4, FX_T0);
    json_t *d;
    assert_int_equal(
        report_overlap_channels(f->st, FX_USER, f->session, "alpha", "beta", &d, err, sizeof err),
        0);
    assert_int_equal(jpi(d, "shared"), 2);
    assert_int_equal(jpi(d, "either"), 5);
    assert_string_equal(json_string_value(jp(d, "shared_chatters.0.login")), "u2");
    json_decref(d);
    int64_t s2 = fx_new_session(f, FX_USER, FX_T0 + DAY);
    fx_capture(f->st, s2, FX_GAMMA, a, 1, FX_T0 + DAY);
    struct report_options o;
    report_options_default(&o);
    assert_int_equal(
        report_overlap_sessions(f->st, FX_USER, f->session, s2, &o, &d, err, sizeof err), 0);
    assert_int_equal(jpi(d, "a_chatters"), 5);
    assert_int_equal(jpi(d, "b_chatters"), 1);
    assert_int_equal(jpi(d, "shared"), 1);
    assert_true(jpd(d, "jaccard") == 0.2);
    json_decref(d);
}

static void a_chatters_profile_and_a_channels_history_span_sessions(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t a[] = {1, 2}, b[] = {1, 3};
    fx_profile(f->st, 1, "one", FX_T0 - 10 * DAY, FX_T0);
    fx_profile(f->st, 1, "uno", FX_T0 - 10 * DAY, FX_T0 + DAY);
    fx_capture(f->st, f->session, FX_ALPHA, a, 2, FX_T0);
    fx_capture(f->st, f->session, FX_ALPHA, a, 2, FX_T0 + MIN);
    int64_t s2 = fx_new_session(f, FX_USER, FX_T0 + DAY);
    fx_capture(f->st, s2, FX_ALPHA, b, 2, FX_T0 + DAY);
    json_t *d;
    assert_int_equal(report_chatter(f->st, FX_USER, 1, &d, err, sizeof err), 0);
    assert_string_equal(json_string_value(jp(d, "login")), "uno");
    assert_int_equal(json_array_size(jp(d, "sessions")), 2);
    assert_int_equal(jpi(d, "time_present_ms"), MIN);
    assert_int_equal(jpi(d, "renames"), 1);
    assert_int_equal(jpi(d, "account_age_days_when_first_seen"), 10);
    json_decref(d);
    assert_int_equal(report_chatter(f->st, FX_OTHER, 1, &d, err, sizeof err), TCA_ENOTFOUND);
    struct report_options o;
    report_options_default(&o);
    assert_int_equal(report_channel_history(f->st, FX_USER, "alpha", &o, &d, err, sizeof err), 0);
    assert_int_equal(jpi(d, "sessions_count"), 2);
    assert_int_equal(jpi(d, "unique_chatters"), 3);
    assert_string_equal(json_string_value(jp(d, "regulars.0.id")), "1");
    assert_int_equal(jpi(d, "regulars.0.sessions"), 2);
    assert_int_equal(jpi(d, "sessions.1.viewers.returning"), 1);
    json_decref(d);
}

/* ---- property: the report equals a naive recomputation from the snapshots ---------------- */

enum { POOL = 70, CAPTURES = 30, CHANNELS = 2 };

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile P of v (sorted). */
static int64_t pct(const int64_t *v, size_t n, int p)
{
    if (!n)
        return 0;
    size_t r = (size_t)(p * n + 99) / 100;
    return v[r ? r - 1 : 0];
}

static void report_numbers_equal_a_naive_recomputation_from_snapshots(void **state)
{
    struct fx *f = *state;
    const int64_t channels[CHANNELS] = {FX_ALPHA, FX_BETA};
    static char in[CHANNELS][CAPTURES][POOL + 1];
    int64_t taken[CHANNELS][CAPTURES];
    static char hist[CHANNELS][POOL + 1]; /* seen in this channel by an earlier session */
    for (uint64_t seed = 1; seed <= 3; seed++) {
        int64_t session = fx_new_session(f, FX_USER, FX_T0 + (int64_t)seed * DAY);
        uint64_t rng = 0x2545f4914f6cdd1dULL * seed;
        for (int c = 0; c < CHANNELS; c++) {
            int64_t clock = FX_T0 + (int64_t)seed * DAY;
            for (int k = 0; k < CAPTURES; k++) {
                int64_t ids[POOL];
                size_t n = 0;
                clock += 30000 + (int64_t)(next_random(&rng) % 60000);
                taken[c][k] = clock;
                for (int id = 1; id <= POOL; id++) {
                    int was = k ? in[c][k - 1][id] : 0;
                    uint64_t r = next_random(&rng) % 100;
                    in[c][k][id] = (char)(was ? r >= 20 : r < 25);
                    if (k == 17 && c == 1)
                        in[c][k][id] = 0; /* an empty capture */
                    if (in[c][k][id])
                        ids[n++] = id;
                }
                fx_capture(f->st, session, channels[c], ids, n, clock);
            }
        }
        json_t *d = session_doc(f, session, NULL, REPORT_SUMMARY);
        /* The stays-only sections load no profile and no flag, and say the same numbers. */
        json_t *part =
            session_doc(f, session, NULL, REPORT_PARTICIPATION | REPORT_SERIES | REPORT_OVERLAP);
        for (int c = 0; c < CHANNELS; c++) {
            char p[64];
            snprintf(p, sizeof p, "channels.%d.series", c);
            assert_true(json_equal(jp(d, p), jp(part, p)));
            snprintf(p, sizeof p, "channels.%d.participation", c);
            assert_true(json_equal(jp(d, p), jp(part, p)));
            snprintf(p, sizeof p, "channels.%d.viewers", c);
            assert_null(jp(part, p));
        }
        assert_true(json_equal(jp(d, "all_channels.participation"),
                               jp(part, "all_channels.participation")));
        assert_true(json_equal(jp(d, "overlap"), jp(part, "overlap")));
        assert_null(json_object_get(part, "accounts"));
        assert_null(json_object_get(part, "flags"));
        json_decref(part);
        int64_t sum[POOL + 1] = {0};
        char any[POOL + 1] = {0};
        for (int c = 0; c < CHANNELS; c++) {
            int64_t present[POOL + 1] = {0};
            char seen[POOL + 1] = {0}, before[POOL + 1] = {0};
            size_t unique = 0, peak = 0, total = 0;
            long long peak_seq = 0;
            for (int k = 0; k < CAPTURES; k++) {
                size_t chatters = 0, joined = 0, left = 0, fresh = 0;
                for (int id = 1; id <= POOL; id++) {
                    int now = in[c][k][id], was = k ? in[c][k - 1][id] : 0;
                    chatters += now;
                    joined += now && !was;
                    left += was && !now;
                    fresh += now && !was && !before[id] && !hist[c][id];
                    if (now && was)
                        present[id] += taken[c][k] - taken[c][k - 1];
                    if (now && !seen[id]) {
                        seen[id] = 1;
                        unique++;
                    }
                }
                for (int id = 1; id <= POOL; id++)
                    before[id] |= in[c][k][id];
                if (k == CAPTURES - 1)
                    for (int id = 1; id <= POOL; id++)
                        hist[c][id] |= before[id];
                total += chatters;
                if (chatters > peak) {
                    peak = chatters;
                    peak_seq = k + 1;
                }
                char p[96];
                snprintf(p, sizeof p, "channels.%d.series.%d.", c, k);
                char q[128];
                snprintf(q, sizeof q, "%schatters", p);
                assert_int_equal(jpi(d, q), chatters);
                snprintf(q, sizeof q, "%sjoined", p);
                assert_int_equal(jpi(d, q), joined);
                snprintf(q, sizeof q, "%sleft", p);
                assert_int_equal(jpi(d, q), left);
                snprintf(q, sizeof q, "%snew_to_channel", p);
                assert_int_equal(jpi(d, q), fresh);
            }
            int64_t v[POOL];
            size_t nv = 0;
            for (int id = 1; id <= POOL; id++)
                if (seen[id]) {
                    v[nv++] = present[id];
                    sum[id] += present[id];
                    any[id] = 1;
                }
            qsort(v, nv, sizeof *v, cmp_i64);
            char p[96];
            snprintf(p, sizeof p, "channels.%d.participation.unique_chatters", c);
            assert_int_equal(jpi(d, p), unique);
            snprintf(p, sizeof p, "channels.%d.participation.peak_chatters", c);
            assert_int_equal(jpi(d, p), peak);
            snprintf(p, sizeof p, "channels.%d.participation.peak_seq", c);
            assert_int_equal(jpi(d, p), peak_seq);
            snprintf(p, sizeof p, "channels.%d.participation.avg_chatters", c);
            assert_true(jpd(d, p) == (double)total / CAPTURES);
            snprintf(p, sizeof p, "channels.%d.participation.p50_ms", c);
            assert_int_equal(jpi(d, p), pct(v, nv, 50));
            snprintf(p, sizeof p, "channels.%d.participation.p90_ms", c);
            assert_int_equal(jpi(d, p), pct(v, nv, 90));
            snprintf(p, sizeof p, "channels.%d.participation.p99_ms", c);
            assert_int_equal(jpi(d, p), pct(v, nv, 99));
        }
        /* Over both channels a moment counts once: cut time at every capture of either
         * channel; a piece counts when some channel had the chatter at both of its captures
         * around it. */
        int64_t pts[CHANNELS * CAPTURES];
        size_t np = 0;
        for (int c = 0; c < CHANNELS; c++)
            for (int k = 0; k < CAPTURES; k++)
                pts[np++] = taken[c][k];
        qsort(pts, np, sizeof *pts, cmp_i64);
        int64_t v[POOL];
        size_t nv = 0;
        for (int id = 1; id <= POOL; id++) {
            if (!any[id])
                continue;
            int64_t u = 0;
            for (size_t i = 0; i + 1 < np; i++) {
                int covered = 0;
                for (int c = 0; c < CHANNELS && !covered; c++)
                    for (int k = 1; k < CAPTURES && !covered; k++)
                        covered = in[c][k - 1][id] && in[c][k][id] && taken[c][k - 1] <= pts[i] &&
                                  taken[c][k] >= pts[i + 1];
                u += covered ? pts[i + 1] - pts[i] : 0;
            }
            assert_true(u <= sum[id]);
            v[nv++] = u;
        }
        qsort(v, nv, sizeof *v, cmp_i64);
        assert_int_equal(jpi(d, "all_channels.participation.unique_chatters"), nv);
        assert_int_equal(jpi(d, "all_channels.participation.p50_ms"), pct(v, nv, 50));
        /* every session after the first sees most of the pool again */
        if (seed > 1)
            assert_true(jpi(d, "all_channels.viewers.returning") > 0);
        json_decref(d);
    }
}

static struct store_chat_count chat_row(int64_t session, int64_t channel, int64_t user,
                                        int64_t messages, int64_t scored, int64_t sum,
                                        int64_t positive, int64_t negative)
{
    struct store_chat_count c = {.session_id = session,
                                 .channel_id = channel,
                                 .minute_ms = FX_T0,
                                 .user_id = user,
                                 .messages = messages,
                                 .scored = scored,
                                 .score_sum = sum,
                                 .positive = positive,
                                 .negative = negative};
    snprintf(c.login, sizeof c.login, "u%lld", (long long)user);
    return c;
}

static void the_chat_section_totals_each_channel_and_is_null_while_chat_is_off(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t alpha[] = {1, 2, 3, 4}, beta[] = {5};
    fx_capture(f->st, f->session, FX_ALPHA, alpha, 4, FX_T0);
    fx_capture(f->st, f->session, FX_BETA, beta, 1, FX_T0);
    struct report_options o;
    report_options_default(&o);
    json_t *doc;
    assert_int_equal(
        report_session(f->st, FX_USER, f->session, &o, REPORT_SUMMARY, &doc, err, sizeof err), 0);
    assert_true(json_is_null(jp(doc, "chat")));
    json_decref(doc);

    /* alpha: 1 writes 3 (+3 and +1 scored), 2 writes 1 (-2), 9 writes 2 (nothing scored) and
     * was never in a capture, 3 and 4 only sit there; beta: 5 writes 1, unscored */
    assert_int_equal(store_chat_set(f->st, f->session, 1, FX_T0, err, sizeof err), 0);
    struct store_chat_count rows[] = {
        chat_row(f->session, FX_ALPHA, 1, 3, 2, 4, 2, 0),
        chat_row(f->session, FX_ALPHA, 2, 1, 1, -2, 0, 1),
        chat_row(f->session, FX_ALPHA, 9, 2, 0, 0, 0, 0),
        chat_row(f->session, FX_BETA, 5, 1, 0, 0, 0, 0),
    };
    assert_int_equal(store_chat_add(f->st, rows, 4, err, sizeof err), 0);
    unsigned chat_only;
    assert_int_equal(report_sections_parse("chat", &chat_only, err, sizeof err), 0);
    assert_int_equal(chat_only, REPORT_CHAT);
    assert_int_equal(
        report_session(f->st, FX_USER, f->session, &o, chat_only, &doc, err, sizeof err), 0);
    assert_true(json_is_true(jp(doc, "chat.enabled")));
    assert_int_equal(jpi(doc, "chat.messages"), 7);
    assert_int_equal(jpi(doc, "chat.scored"), 3);
    assert_true(jpd(doc, "chat.sentiment_mean") == 2.0 / 3.0);
    assert_string_equal(json_string_value(jp(doc, "chat.channels.0.login")), "alpha");
    assert_int_equal(jpi(doc, "chat.channels.0.messages"), 6);
    assert_int_equal(jpi(doc, "chat.channels.0.talkers"), 3);
    assert_int_equal(jpi(doc, "chat.channels.0.lurkers"), 2);
    assert_int_equal(jpi(doc, "chat.channels.0.scored"), 3);
    assert_true(jpd(doc, "chat.channels.0.sentiment_mean") == 2.0 / 3.0);
    assert_string_equal(json_string_value(jp(doc, "chat.channels.1.login")), "beta");
    assert_int_equal(jpi(doc, "chat.channels.1.lurkers"), 0);
    assert_true(json_is_null(jp(doc, "chat.channels.1.sentiment_mean")));
    assert_null(jp(doc, "flags")); /* only what was asked */
    json_decref(doc);

    /* a channel filter keeps the chat of those channels only */
    assert_int_equal(report_option_set(&o, "channel", "beta", err, sizeof err), 0);
    assert_int_equal(
        report_session(f->st, FX_USER, f->session, &o, chat_only, &doc, err, sizeof err), 0);
    assert_int_equal(json_array_size(jp(doc, "chat.channels")), 1);
    assert_int_equal(jpi(doc, "chat.messages"), 1);
    assert_true(json_is_null(jp(doc, "chat.sentiment_mean")));
    json_decref(doc);
}

static void section_lists_parse_to_their_bits_and_refuse_unknown_names(void **state)
{
    (void)state;
    char err[256];
    unsigned bits = 0;
    assert_int_equal(report_sections_parse("series", &bits, err, sizeof err), 0);
    assert_int_equal(bits, REPORT_SERIES);
    assert_int_equal(report_sections_parse("summary,viewer_list", &bits, err, sizeof err), 0);
    assert_int_equal(bits, REPORT_SUMMARY | REPORT_VIEWER_LIST);
    static const char *const bad[] = {"",
                                      ",",
                                      "series,,raids",
                                      "Series",
                                      "nope",
                                      "series,nope",
                                      "a_name_longer_than_thirty_two_bytes_x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        bits = 7;
        assert_int_equal(report_sections_parse(bad[i], &bits, err, sizeof err), TCA_EINVAL);
        assert_int_equal(bits, 0);
        assert_non_null(strstr(err, "viewer_list"));
    }
}

/* The document without the per-chatter list classifies its chatters a slice at a time
 * (report/session.c): over several slices, the regulars and counts are the full list's. */
static void regulars_are_the_same_with_or_without_the_chatter_list(void **state)
{
    struct fx *f = *state;
    enum { N = 40000 }; /* three slices */
    int64_t *ids = malloc(N * sizeof *ids), *some = malloc(N * sizeof *some);
    size_t n_some = 0;
    for (int64_t i = 0; i < N; i++) {
        ids[i] = i + 1;
        if (i % 3 == 0 || i % 7 == 0)
            some[n_some++] = i + 1;
    }
    fx_capture(f->st, f->session, FX_ALPHA, some, n_some, FX_T0 - DAY);
    int64_t s1 = fx_new_session(f, FX_USER, FX_T0);
    fx_capture(f->st, s1, FX_ALPHA, ids, N, FX_T0);
    n_some = 0;
    for (int64_t i = 0; i < N; i++)
        if (i % 5 == 0 || i > N - 30)
            some[n_some++] = i + 1;
    fx_capture(f->st, s1, FX_ALPHA, some, n_some, FX_T0 + MIN);
    fx_capture(f->st, s1, FX_ALPHA, some, n_some / 2, FX_T0 + 2 * MIN);
    json_t *lean = session_doc(f, s1, NULL, REPORT_VIEWERS);
    json_t *full = session_doc(f, s1, NULL, REPORT_VIEWERS | REPORT_VIEWER_LIST);
    json_t *regulars = jp(lean, "channels.0.viewers.regulars");
    assert_true(json_array_size(regulars) > 0);
    assert_true(json_equal(regulars, jp(full, "channels.0.viewers.regulars")));
    assert_int_equal(jpi(lean, "channels.0.viewers.new"), jpi(full, "channels.0.viewers.new"));
    assert_int_equal(jpi(lean, "channels.0.viewers.returning"),
                     jpi(full, "channels.0.viewers.returning"));
    assert_int_equal(jpi(lean, "channels.0.viewers.returning"), 17144); /* i % 3 or i % 7 */
    assert_null(jp(lean, "channels.0.viewers.chatters"));
    json_decref(lean);
    json_decref(full);
    free(ids);
    free(some);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(section_lists_parse_to_their_bits_and_refuse_unknown_names),
        cmocka_unit_test_setup_teardown(
            the_chat_section_totals_each_channel_and_is_null_while_chat_is_off, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(
            participation_and_returning_viewers_match_a_hand_computation, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(regulars_are_the_same_with_or_without_the_chatter_list,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            a_wave_and_a_login_cluster_are_flagged_and_known_bots_can_be_left_out, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(
            a_raid_is_found_at_its_capture_with_its_size_stays_and_wave_share, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(
            stay_counts_are_null_with_a_time_until_their_window_has_passed, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            purging_or_deleting_an_earlier_session_keeps_returning_counts, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(three_renames_seen_by_captures_flag_a_renamer, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(filters_refuse_unknown_channels_and_other_users_sessions,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(overlap_of_channels_and_sessions_lists_the_shared_chatters,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a_chatters_profile_and_a_channels_history_span_sessions,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(report_numbers_equal_a_naive_recomputation_from_snapshots,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
