/*
 * Store contract, part 3: captures and presence intervals. Commits go through the real
 * ingest path (open stays, presence diff, commit) on real database files, and what the store
 * answers is compared with what the committed snapshots say.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "analysis/presence.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { USER_A = 10, USER_B = 20, CHANNEL = 500, CHANNEL2 = 600 };

struct fixture {
    struct test_store base; /* first: test_store_close_fresh frees the fixture */
    int64_t session;        /* USER_A's active session */
    int64_t session_b;      /* USER_B's active session */
};

static int open_fresh(void **state)
{
    if (test_store_open_fixture(state, sizeof(struct fixture)))
        return -1;
    struct fixture *f = *state;
    char err[256] = "";
    struct store_user a = {.id = USER_A, .login = "mod_a", .display_name = "Mod_A"};
    struct store_user b = {.id = USER_B, .login = "mod_b", .display_name = "Mod_B"};
    struct store_channel c1 = {.id = CHANNEL, .login = "streamer", .display_name = "Streamer"};
    struct store_channel c2 = {.id = CHANNEL2, .login = "other", .display_name = "Other"};
    if (store_user_upsert(f->base.st, &a, err, sizeof err) ||
        store_user_upsert(f->base.st, &b, err, sizeof err) ||
        store_channel_upsert(f->base.st, &c1, err, sizeof err) ||
        store_channel_upsert(f->base.st, &c2, err, sizeof err) ||
        store_session_active(f->base.st, USER_A, 1, &f->session, err, sizeof err) ||
        store_session_active(f->base.st, USER_B, 1, &f->session_b, err, sizeof err))
        return test_store_setup_failed(state, err);
    return 0;
}

static void fill(struct chatter_set *set, const int64_t *ids, size_t n)
{
    chatter_set_init(set);
    char login[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(login, sizeof login, "u%lld", (long long)ids[i]);
        chatter_set_add(set, ids[i], login);
    }
    chatter_set_sort_unique(set);
}

/* The ingest path of a worker: diff the snapshot against the open stays, then commit. */
static int capture(struct store *st, int64_t session, int64_t channel, const int64_t *ids, size_t n,
                   int64_t taken_at, int64_t job_id, struct store_capture_result *res)
{
    char err[256];
    int64_t *open, last_seq;
    size_t n_open;
    assert_int_equal(
        store_presence_open(st, session, channel, &open, &n_open, &last_seq, err, sizeof err), 0);
    struct chatter_set set;
    fill(&set, ids, n);
    struct an_presence_diff d;
    an_presence_diff(open, n_open, set.items, set.n, &d);
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = channel,
                                     .seq = last_seq + 1,
                                     .taken_at_ms = taken_at,
                                     .pages = 1,
                                     .duration_ms = 5,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .joined = d.joined,
                                     .n_joined = d.n_joined,
                                     .left = d.left,
                                     .n_left = d.n_left,
                                     .job_id = job_id};
    struct store_capture_result ignored;
    int rc = store_capture_commit(st, &in, res ? res : &ignored, err, sizeof err);
    an_presence_diff_free(&d);
    chatter_set_free(&set);
    free(open);
    return rc;
}

static size_t count_captures(struct store *st, int64_t session)
{
    struct store_capture *caps;
    size_t n;
    assert_int_equal(store_capture_list(st, session, 0, &caps, &n, NULL, 0), 0);
    free(caps);
    return n;
}

static size_t count_stays(struct store *st, int64_t session)
{
    struct store_stay *stays;
    size_t n;
    assert_int_equal(store_stay_list(st, session, 0, &stays, &n, NULL, 0), 0);
    free(stays);
    return n;
}

static void the_first_capture_opens_a_stay_for_everyone(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t ids[] = {3, 1, 2};
    struct store_capture_result r;
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, ids, 3, 60000, 0, &r), 0);
    assert_int_equal(r.seq, 1);
    assert_int_equal(r.chatter_count, 3);
    assert_int_equal(r.joined, 3);
    assert_int_equal(r.left, 0);
    assert_int_equal(r.new_to_channel, 3);
    assert_true(r.capture_id > 0);

    int64_t *open, last_seq;
    size_t n;
    assert_int_equal(
        store_presence_open(f->base.st, f->session, CHANNEL, &open, &n, &last_seq, err, sizeof err),
        0);
    assert_int_equal(n, 3);
    assert_int_equal(last_seq, 1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(open[i], (int64_t)i + 1);
    free(open);

    struct store_capture *caps;
    size_t nc;
    assert_int_equal(
        store_capture_list(f->base.st, f->session, CHANNEL, &caps, &nc, err, sizeof err), 0);
    assert_int_equal(nc, 1);
    assert_int_equal(caps[0].id, r.capture_id);
    assert_int_equal(caps[0].taken_at_ms, 60000);
    assert_int_equal(caps[0].chatter_count, 3);
    assert_int_equal(caps[0].new_to_channel, 3);
    assert_int_equal(caps[0].duration_ms, 5);
    free(caps);

    struct store_session s;
    assert_int_equal(store_session_get(f->base.st, f->session, &s, err, sizeof err), 0);
    assert_int_equal(s.captures, 1);

    /* Unknown chatters get a placeholder profile carrying the login seen in chat. */
    struct store_profile p;
    assert_int_equal(store_profile_get(f->base.st, 2, &p, err, sizeof err), 0);
    assert_string_equal(p.login, "u2");
    assert_string_equal(p.display_name, "u2");
    assert_int_equal(p.enriched_at_ms, 0);
    assert_int_equal(p.created_at_ms, 0);
}

static void a_chatter_who_leaves_and_returns_gets_two_stays(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t both[] = {1, 2}, one[] = {1};
    struct store_capture_result r;
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, both, 2, 1000, 0, &r), 0);
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, one, 1, 2000, 0, &r), 0);
    assert_int_equal(r.left, 1);
    assert_int_equal(r.joined, 0);
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, both, 2, 3000, 0, &r), 0);
    assert_int_equal(r.joined, 1);
    assert_int_equal(r.new_to_channel, 0);

    struct store_stay *stays;
    size_t n;
    assert_int_equal(store_stay_list(f->base.st, f->session, CHANNEL, &stays, &n, err, sizeof err),
                     0);
    assert_int_equal(n, 3);
    int seen_1 = 0, closed_2 = 0, open_2 = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(stays[i].channel_id, CHANNEL);
        if (stays[i].user_id == 1 && stays[i].from_seq == 1 && stays[i].to_seq == 0)
            seen_1++;
        if (stays[i].user_id == 2 && stays[i].from_seq == 1 && stays[i].to_seq == 1)
            closed_2++;
        if (stays[i].user_id == 2 && stays[i].from_seq == 3 && stays[i].to_seq == 0)
            open_2++;
    }
    assert_int_equal(seen_1 + closed_2 + open_2, 3);
    free(stays);
}

static void a_capture_out_of_sequence_writes_nothing(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t ids[] = {1, 2};
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, ids, 2, 1000, 0, NULL), 0);
    struct chatter_set set;
    fill(&set, ids, 2);
    struct store_capture_input in = {.session_id = f->session,
                                     .channel_id = CHANNEL,
                                     .seq = 1, /* a second worker with a stale view */
                                     .taken_at_ms = 2000,
                                     .chatters = set.items,
                                     .n_chatters = set.n};
    struct store_capture_result r;
    assert_int_equal(store_capture_commit(f->base.st, &in, &r, err, sizeof err), TCA_ECONFLICT);
    in.seq = 3;
    assert_int_equal(store_capture_commit(f->base.st, &in, &r, err, sizeof err), TCA_ECONFLICT);
    chatter_set_free(&set);
    assert_int_equal(count_captures(f->base.st, f->session), 1);
    assert_int_equal(count_stays(f->base.st, f->session), 2);
}

static void a_failure_mid_transaction_leaves_no_partial_rows(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t first[] = {1, 2, 3};
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, first, 3, 1000, 0, NULL), 0);

    /* Chatters 4 and 5 join (stays, history and profiles get written), then the commit
     * reaches a leaver who was never present and must undo all of it. */
    int64_t next[] = {1, 2, 4, 5};
    struct chatter_set set;
    fill(&set, next, 4);
    int64_t joined[] = {4, 5}, bogus_left[] = {9};
    struct store_capture_input in = {.session_id = f->session,
                                     .channel_id = CHANNEL,
                                     .seq = 2,
                                     .taken_at_ms = 2000,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .joined = joined,
                                     .n_joined = 2,
                                     .left = bogus_left,
                                     .n_left = 1};
    struct store_capture_result r;
    assert_int_equal(store_capture_commit(f->base.st, &in, &r, err, sizeof err), TCA_EINVAL);

    /* The same with a job that does not exist: everything is written before the job. */
    int64_t left[] = {3};
    in.left = left;
    in.job_id = 424242;
    assert_int_equal(store_capture_commit(f->base.st, &in, &r, err, sizeof err), TCA_ENOTFOUND);
    chatter_set_free(&set);

    assert_int_equal(count_captures(f->base.st, f->session), 1);
    assert_int_equal(count_stays(f->base.st, f->session), 3);
    struct store_profile p;
    assert_int_equal(store_profile_get(f->base.st, 4, &p, err, sizeof err), TCA_ENOTFOUND);
    int64_t *open, last_seq;
    size_t n;
    assert_int_equal(
        store_presence_open(f->base.st, f->session, CHANNEL, &open, &n, &last_seq, err, sizeof err),
        0);
    assert_int_equal(n, 3);
    assert_int_equal(last_seq, 1);
    free(open);
    /* The channel history was rolled back too: 4 and 5 are still new to the channel. */
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, next, 4, 2000, 0, &r), 0);
    assert_int_equal(r.new_to_channel, 2);
}

static void a_diff_that_does_not_match_the_open_stays_is_refused(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t first[] = {1, 2};
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, first, 2, 1000, 0, NULL), 0);
    int64_t next[] = {1, 2, 3};
    struct chatter_set set;
    fill(&set, next, 3);
    int64_t wrong_joined[] = {1}; /* 1 is already present; 3 is the one who joined */
    struct store_capture_input in = {.session_id = f->session,
                                     .channel_id = CHANNEL,
                                     .seq = 2,
                                     .taken_at_ms = 2000,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .joined = wrong_joined,
                                     .n_joined = 1};
    struct store_capture_result r;
    assert_int_equal(store_capture_commit(f->base.st, &in, &r, err, sizeof err), TCA_EINVAL);
    in.n_joined = 0; /* counts that do not add up */
    assert_int_equal(store_capture_commit(f->base.st, &in, &r, err, sizeof err), TCA_EINVAL);
    chatter_set_free(&set);
    assert_int_equal(count_captures(f->base.st, f->session), 1);
    assert_int_equal(count_stays(f->base.st, f->session), 2);
}

static void the_job_is_marked_done_with_its_capture(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t job_id;
    assert_int_equal(
        store_job_enqueue(f->base.st, "capture", "cap:500", "{}", 0, &job_id, err, sizeof err), 0);
    struct store_job j;
    assert_int_equal(store_job_claim(f->base.st, 10, 60000, &j, err, sizeof err), 0);
    store_job_clear(&j);
    int64_t ids[] = {1};
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, ids, 1, 1000, job_id, NULL), 0);
    assert_int_equal(store_job_get(f->base.st, job_id, &j, err, sizeof err), 0);
    assert_int_equal(j.state, JOB_DONE);
    store_job_clear(&j);

    /* A commit that fails leaves its job running, to be retried or re-claimed. */
    int64_t job2;
    assert_int_equal(
        store_job_enqueue(f->base.st, "capture", "cap:500", "{}", 0, &job2, err, sizeof err), 0);
    assert_int_equal(store_job_claim(f->base.st, 10, 60000, &j, err, sizeof err), 0);
    store_job_clear(&j);
    struct chatter_set set;
    fill(&set, ids, 1);
    struct store_capture_input in = {.session_id = f->session,
                                     .channel_id = CHANNEL,
                                     .seq = 1,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .job_id = job2};
    struct store_capture_result r;
    assert_int_equal(store_capture_commit(f->base.st, &in, &r, err, sizeof err), TCA_ECONFLICT);
    chatter_set_free(&set);
    assert_int_equal(store_job_get(f->base.st, job2, &j, err, sizeof err), 0);
    assert_int_equal(j.state, JOB_RUNNING);
    store_job_clear(&j);
}

static void new_to_channel_counts_only_first_ever_appearances_in_the_channel(void **state)
{
    struct fixture *f = *state;
    struct store_capture_result r;
    int64_t a1[] = {1, 2};
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, a1, 2, 1000, 0, &r), 0);
    assert_int_equal(r.new_to_channel, 2);
    /* Another moderator's session on the same channel: only 3 is new to the channel. */
    int64_t b1[] = {2, 3};
    assert_int_equal(capture(f->base.st, f->session_b, CHANNEL, b1, 2, 1500, 0, &r), 0);
    assert_int_equal(r.joined, 2);
    assert_int_equal(r.new_to_channel, 1);
    int64_t a2[] = {1, 2, 3, 4};
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, a2, 4, 2000, 0, &r), 0);
    assert_int_equal(r.joined, 2);
    assert_int_equal(r.new_to_channel, 1);
    /* Leaving and coming back is not new either. */
    int64_t a3[] = {4};
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, a3, 1, 3000, 0, &r), 0);
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, a2, 4, 4000, 0, &r), 0);
    assert_int_equal(r.joined, 3);
    assert_int_equal(r.new_to_channel, 0);
    /* Known elsewhere is still new to this channel. */
    assert_int_equal(capture(f->base.st, f->session, CHANNEL2, a2, 4, 4000, 0, &r), 0);
    assert_int_equal(r.new_to_channel, 4);
}

static void an_empty_capture_closes_every_stay(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t ids[] = {1, 2};
    struct store_capture_result r;
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, ids, 2, 1000, 0, &r), 0);
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, NULL, 0, 2000, 0, &r), 0);
    assert_int_equal(r.left, 2);
    assert_int_equal(r.chatter_count, 0);
    int64_t *open, last_seq;
    size_t n;
    assert_int_equal(
        store_presence_open(f->base.st, f->session, CHANNEL, &open, &n, &last_seq, err, sizeof err),
        0);
    assert_int_equal(n, 0);
    assert_int_equal(last_seq, 2);
    free(open);
}

static void two_workers_racing_on_one_channel_store_one_capture(void **state)
{
    struct fixture *f = *state;
    char err[256];
    struct store *other;
    assert_int_equal(store_open(f->base.url, &other, err, sizeof err), 0);
    int64_t first[] = {1, 2};
    assert_int_equal(capture(f->base.st, f->session, CHANNEL, first, 2, 1000, 0, NULL), 0);
    /* Both read the same open stays, then both try to store capture 2. */
    int64_t *open_a, *open_b, seq_a, seq_b;
    size_t n_a, n_b;
    assert_int_equal(store_presence_open(f->base.st, f->session, CHANNEL, &open_a, &n_a, &seq_a,
                                         err, sizeof err),
                     0);
    assert_int_equal(
        store_presence_open(other, f->session, CHANNEL, &open_b, &n_b, &seq_b, err, sizeof err), 0);
    int64_t next[] = {2, 3};
    struct chatter_set set;
    fill(&set, next, 2);
    struct an_presence_diff d;
    an_presence_diff(open_a, n_a, set.items, set.n, &d);
    struct store_capture_input in = {.session_id = f->session,
                                     .channel_id = CHANNEL,
                                     .seq = seq_a + 1,
                                     .taken_at_ms = 2000,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .joined = d.joined,
                                     .n_joined = d.n_joined,
                                     .left = d.left,
                                     .n_left = d.n_left};
    struct store_capture_result r;
    assert_int_equal(store_capture_commit(f->base.st, &in, &r, err, sizeof err), 0);
    assert_int_equal(store_capture_commit(other, &in, &r, err, sizeof err), TCA_ECONFLICT);
    an_presence_diff_free(&d);
    chatter_set_free(&set);
    free(open_a);
    free(open_b);
    store_close(other);
    assert_int_equal(count_captures(f->base.st, f->session), 2);
    assert_int_equal(count_stays(f->base.st, f->session), 3);
}

/* Hundreds of chatters join and leave at each capture, more than one multi-row statement
 * holds (MariaDB writes them in chunks of at most 128): the stays, joined, left and
 * new_to_channel must equal a naive recomputation from the snapshots. */
enum { POOL = 700, BIG_CAPTURES = 12 };

static void churn_across_statement_batches_matches_a_naive_recomputation(void **state)
{
    struct fixture *f = *state;
    uint64_t rng = 0x5eed5eedULL;
    static unsigned char present[BIG_CAPTURES + 1][POOL];
    unsigned char seen[POOL] = {0};
    int64_t ids[POOL];
    /* Another session saw every third chatter first: they are known to the channel. */
    size_t n = 0;
    for (int64_t u = 0; u < POOL; u += 3)
        ids[n++] = 1000 + u * 7919;
    assert_int_equal(capture(f->base.st, f->session_b, CHANNEL, ids, n, 500, 0, NULL), 0);
    for (int64_t u = 0; u < POOL; u += 3)
        seen[u] = 1;
    for (int c = 1; c <= BIG_CAPTURES; c++) {
        n = 0;
        size_t joined = 0, left = 0, fresh = 0;
        for (int u = 0; u < POOL; u++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            present[c][u] = (rng >> 33) % 100 < (c % 3 ? 60u : 35u);
            if (present[c][u]) {
                ids[n++] = 1000 + (int64_t)u * 7919;
                joined += !present[c - 1][u];
                fresh += !seen[u];
                seen[u] = 1;
            } else {
                left += present[c - 1][u];
            }
        }
        struct store_capture_result r;
        assert_int_equal(capture(f->base.st, f->session, CHANNEL, ids, n, 1000 * c, 0, &r), 0);
        assert_int_equal(r.joined, (int64_t)joined);
        assert_int_equal(r.left, (int64_t)left);
        assert_int_equal(r.new_to_channel, (int64_t)fresh);
    }
    struct store_stay *stays;
    size_t n_stays, k = 0;
    assert_int_equal(store_stay_list(f->base.st, f->session, CHANNEL, &stays, &n_stays, NULL, 0),
                     0);
    for (int u = 0; u < POOL; u++)
        for (int c = 1; c <= BIG_CAPTURES; c++) {
            if (!present[c][u] || present[c - 1][u])
                continue;
            int to = c;
            while (to < BIG_CAPTURES && present[to + 1][u])
                to++;
            assert_true(k < n_stays);
            assert_int_equal(stays[k].user_id, 1000 + (int64_t)u * 7919);
            assert_int_equal(stays[k].from_seq, c);
            assert_int_equal(stays[k].to_seq, to == BIG_CAPTURES ? 0 : to);
            k++;
        }
    assert_int_equal(k, n_stays);
    free(stays);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, open_fresh, test_store_close_fresh)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(the_first_capture_opens_a_stay_for_everyone),
        T(a_chatter_who_leaves_and_returns_gets_two_stays),
        T(a_capture_out_of_sequence_writes_nothing),
        T(a_failure_mid_transaction_leaves_no_partial_rows),
        T(a_diff_that_does_not_match_the_open_stays_is_refused),
        T(the_job_is_marked_done_with_its_capture),
        T(new_to_channel_counts_only_first_ever_appearances_in_the_channel),
        T(an_empty_capture_closes_every_stay),
        T(two_workers_racing_on_one_channel_store_one_capture),
        T(churn_across_statement_batches_matches_a_naive_recomputation),
    };
    return test_store_run("store_capture", tests, sizeof tests / sizeof *tests);
}
