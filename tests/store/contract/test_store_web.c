/*
 * Store contract for the gateway's state: login sessions and their expiry, single-use OAuth
 * states, API keys (by hash, revocation), the channels a user may capture, and managing
 * analysis sessions (save under a limit, purge, delete with their stays, the expiry sweep).
 * Written only against store/store.h; each test runs on a fresh real database file.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int open_fresh(void **state)
{
    if (test_store_open_fresh(state))
        return -1;
    struct test_store *f = *state;
    char err[256] = "";
    struct store_user u = {.id = 7, .last_login_ms = 1};
    snprintf(u.login, sizeof u.login, "mod");
    struct store_user v = {.id = 8, .last_login_ms = 1};
    snprintf(v.login, sizeof v.login, "other");
    struct store_channel c = {.id = 100};
    snprintf(c.login, sizeof c.login, "chan");
    if (store_user_upsert(f->st, &u, err, sizeof err) ||
        store_user_upsert(f->st, &v, err, sizeof err) ||
        store_channel_upsert(f->st, &c, err, sizeof err))
        return -1;
    return 0;
}

static void login_sessions_are_found_by_hash_touched_and_swept(void **state)
{
    struct test_store *f = *state;
    char err[256];
    struct store_login l = {
        .user_id = 7, .created_at_ms = 1000, .last_seen_ms = 1000, .expires_at_ms = 100000};
    snprintf(l.id_hash, sizeof l.id_hash, "%064d", 1);
    snprintf(l.csrf, sizeof l.csrf, "csrf-token");
    assert_int_equal(store_login_create(f->st, &l, err, sizeof err), 0);
    struct store_login got;
    assert_int_equal(store_login_get(f->st, l.id_hash, &got, err, sizeof err), 0);
    assert_int_equal(got.user_id, 7);
    assert_string_equal(got.csrf, "csrf-token");
    assert_int_equal(store_login_touch(f->st, l.id_hash, 5000, err, sizeof err), 0);
    int removed = -1;
    /* idle since before 4000? no: touched at 5000 */
    assert_int_equal(store_login_sweep(f->st, 4000, 6000, &removed, err, sizeof err), 0);
    assert_int_equal(removed, 0);
    /* past the absolute expiry it goes, however recent the activity */
    assert_int_equal(store_login_sweep(f->st, 0, 100000, &removed, err, sizeof err), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(store_login_get(f->st, l.id_hash, &got, err, sizeof err), TCA_ENOTFOUND);
}

static void ending_a_users_logins_ends_all_of_them(void **state)
{
    struct test_store *f = *state;
    char err[256];
    for (int i = 0; i < 3; i++) {
        struct store_login l = {.user_id = i < 2 ? 7 : 8, .expires_at_ms = 100};
        snprintf(l.id_hash, sizeof l.id_hash, "%064d", i);
        assert_int_equal(store_login_create(f->st, &l, err, sizeof err), 0);
    }
    assert_int_equal(store_login_delete_user(f->st, 7, err, sizeof err), 0);
    struct store_login got;
    char h[65];
    snprintf(h, sizeof h, "%064d", 1);
    assert_int_equal(store_login_get(f->st, h, &got, err, sizeof err), TCA_ENOTFOUND);
    snprintf(h, sizeof h, "%064d", 2);
    assert_int_equal(store_login_get(f->st, h, &got, err, sizeof err), 0);
}

static void oauth_state_is_single_use_and_expires(void **state)
{
    struct test_store *f = *state;
    char err[256];
    assert_int_equal(store_oauth_state_put(f->st, "s1", 1000, err, sizeof err), 0);
    assert_int_equal(store_oauth_state_put(f->st, "s2", 1000, err, sizeof err), 0);
    assert_int_equal(store_oauth_state_take(f->st, "s1", 999, err, sizeof err), 0);
    assert_int_equal(store_oauth_state_take(f->st, "s1", 999, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_oauth_state_take(f->st, "s2", 1000, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_oauth_state_take(f->st, "never", 0, err, sizeof err), TCA_ENOTFOUND);
}

static void api_keys_are_found_by_hash_until_revoked_by_their_owner(void **state)
{
    struct test_store *f = *state;
    char err[256];
    struct store_api_key k = {.user_id = 7, .read_only = 1, .created_at_ms = 5};
    snprintf(k.key_hash, sizeof k.key_hash, "hash-a");
    snprintf(k.name, sizeof k.name, "bot");
    snprintf(k.prefix, sizeof k.prefix, "tca_abcd");
    int64_t id;
    assert_int_equal(store_api_key_create(f->st, &k, &id, err, sizeof err), 0);
    struct store_api_key got;
    assert_int_equal(store_api_key_by_hash(f->st, "hash-a", &got, err, sizeof err), 0);
    assert_int_equal(got.id, id);
    assert_int_equal(got.read_only, 1);
    assert_string_equal(got.name, "bot");
    /* someone else cannot revoke it */
    assert_int_equal(store_api_key_revoke(f->st, 8, id, 9, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_api_key_revoke(f->st, 7, id, 9, err, sizeof err), 0);
    assert_int_equal(store_api_key_revoke(f->st, 7, id, 9, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_api_key_by_hash(f->st, "hash-a", &got, err, sizeof err), TCA_ENOTFOUND);
    struct store_api_key *all;
    size_t n;
    assert_int_equal(store_api_key_list(f->st, 7, &all, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_true(all[0].revoked_at_ms > 0);
    free(all);
}

static void user_channels_are_replaced_and_checked(void **state)
{
    struct test_store *f = *state;
    char err[256];
    struct store_user_channel c[2] = {0};
    c[0].channel.id = 7;
    snprintf(c[0].channel.login, sizeof c[0].channel.login, "mod");
    snprintf(c[0].role, sizeof c[0].role, "broadcaster");
    c[1].channel.id = 100;
    snprintf(c[1].channel.login, sizeof c[1].channel.login, "chan");
    snprintf(c[1].role, sizeof c[1].role, "moderator");
    c[1].live = 1;
    assert_int_equal(store_user_channels_set(f->st, 7, c, 2, 50, err, sizeof err), 0);
    assert_int_equal(store_user_channel_allowed(f->st, 7, 100, err, sizeof err), 0);
    assert_int_equal(store_user_channel_allowed(f->st, 8, 100, err, sizeof err), TCA_ENOTFOUND);
    struct store_user_channel *got;
    size_t n;
    assert_int_equal(store_user_channels(f->st, 7, &got, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].role, "broadcaster");
    assert_int_equal(got[1].live, 1);
    free(got);
    /* losing the moderator role: the next list replaces the old one */
    assert_int_equal(store_user_channels_set(f->st, 7, c, 1, 60, err, sizeof err), 0);
    assert_int_equal(store_user_channel_allowed(f->st, 7, 100, err, sizeof err), TCA_ENOTFOUND);
}

static int64_t capture_one(struct test_store *f, int64_t session, int64_t seq, int64_t at)
{
    char err[256];
    struct chatter ch[2] = {{.id = 501}, {.id = 502}};
    snprintf(ch[0].login, sizeof ch[0].login, "a");
    snprintf(ch[1].login, sizeof ch[1].login, "b");
    int64_t joined[2] = {501, 502};
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = 100,
                                     .seq = seq,
                                     .taken_at_ms = at,
                                     .chatters = ch,
                                     .n_chatters = 2,
                                     .joined = joined,
                                     .n_joined = seq == 1 ? 2 : 0};
    struct store_capture_result out;
    assert_int_equal(store_capture_commit(f->st, &in, &out, err, sizeof err), 0);
    return out.capture_id;
}

static void saving_past_the_limit_is_refused_and_relabelling_a_saved_one_is_not(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(store_session_active(f->st, 7, 10 + i, &ids[i], err, sizeof err), 0);
        assert_int_equal(store_session_deactivate(f->st, 7, 10 + i, err, sizeof err), 0);
    }
    assert_int_equal(store_session_save(f->st, ids[0], "one", 2, 20, err, sizeof err), 0);
    assert_int_equal(store_session_save(f->st, ids[1], "two", 2, 20, err, sizeof err), 0);
    assert_int_equal(store_session_save(f->st, ids[2], "three", 2, 20, err, sizeof err),
                     TCA_ELIMIT);
    assert_non_null(strstr(err, "delete one"));
    assert_int_equal(store_session_save(f->st, ids[1], "two again", 2, 20, err, sizeof err), 0);
    assert_int_equal(store_session_label(f->st, ids[0], "first", 21, err, sizeof err), 0);
    struct store_session s;
    assert_int_equal(store_session_get(f->st, ids[0], &s, err, sizeof err), 0);
    assert_string_equal(s.label, "first");
    assert_int_equal(s.saved, 1);
    assert_int_equal(store_session_get(f->st, ids[2], &s, err, sizeof err), 0);
    assert_int_equal(s.saved, 0);
    /* another user's saved sessions do not count */
    int64_t theirs;
    assert_int_equal(store_session_active(f->st, 8, 10, &theirs, err, sizeof err), 0);
    assert_int_equal(store_session_save(f->st, theirs, "", 2, 20, err, sizeof err), 0);
}

static void purge_removes_captures_and_stays_and_delete_removes_the_session(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t sid;
    assert_int_equal(store_session_active(f->st, 7, 10, &sid, err, sizeof err), 0);
    struct store_schedule sch = {
        .session_id = sid, .channel_id = 100, .user_id = 7, .interval_s = 60, .enabled = 1};
    assert_int_equal(store_schedule_set(f->st, &sch, err, sizeof err), 0);
    capture_one(f, sid, 1, 1000);
    capture_one(f, sid, 2, 2000);
    assert_int_equal(store_session_purge(f->st, sid, 3000, err, sizeof err), 0);
    struct store_stay *stays;
    size_t n;
    assert_int_equal(store_stay_list(f->st, sid, 0, &stays, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(stays);
    struct store_schedule *kept;
    assert_int_equal(store_session_schedules(f->st, sid, &kept, &n, err, sizeof err), 0);
    assert_int_equal(n, 1); /* the channels stay */
    free(kept);
    /* a purged session captures again from seq 1 */
    capture_one(f, sid, 1, 4000);
    assert_int_equal(store_session_delete(f->st, sid, err, sizeof err), 0);
    assert_int_equal(store_stay_list(f->st, sid, 0, &stays, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(stays);
    struct store_session s;
    assert_int_equal(store_session_get(f->st, sid, &s, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_session_delete(f->st, sid, err, sizeof err), TCA_ENOTFOUND);
}

static void sweep_removes_only_unsaved_sessions_idle_before_the_cutoff(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t old_unsaved, old_saved, recent;
    assert_int_equal(store_session_active(f->st, 7, 100, &old_unsaved, err, sizeof err), 0);
    assert_int_equal(store_session_deactivate(f->st, 7, 100, err, sizeof err), 0);
    assert_int_equal(store_session_active(f->st, 7, 100, &old_saved, err, sizeof err), 0);
    assert_int_equal(store_session_save(f->st, old_saved, "keep", 10, 100, err, sizeof err), 0);
    assert_int_equal(store_session_deactivate(f->st, 7, 100, err, sizeof err), 0);
    assert_int_equal(store_session_active(f->st, 7, 100, &recent, err, sizeof err), 0);
    capture_one(f, recent, 1, 5000); /* a recent capture is activity */
    int removed = 0;
    assert_int_equal(store_session_sweep(f->st, 1000, &removed, err, sizeof err), 0);
    assert_int_equal(removed, 1);
    struct store_session s;
    assert_int_equal(store_session_get(f->st, old_unsaved, &s, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_session_get(f->st, old_saved, &s, err, sizeof err), 0);
    assert_int_equal(store_session_get(f->st, recent, &s, err, sizeof err), 0);
}

static void live_watches_are_listed_for_active_sessions(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t sid;
    assert_int_equal(store_session_active(f->st, 7, 10, &sid, err, sizeof err), 0);
    struct store_live_watch w = {
        .session_id = sid, .channel_id = 100, .user_id = 7, .interval_s = 30};
    assert_int_equal(store_live_watch_set(f->st, &w, err, sizeof err), 0);
    w.live = 1;
    assert_int_equal(store_live_watch_set(f->st, &w, err, sizeof err), 0);
    struct store_live_watch *all;
    size_t n;
    assert_int_equal(store_live_watch_list(f->st, &all, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(all[0].live, 1);
    free(all);
    assert_int_equal(store_session_deactivate(f->st, 7, 11, err, sizeof err), 0);
    assert_int_equal(store_live_watch_list(f->st, &all, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(all);
    assert_int_equal(store_live_watch_stop(f->st, sid, 100, err, sizeof err), 0);
    assert_int_equal(store_live_watch_stop(f->st, sid, 100, err, sizeof err), TCA_ENOTFOUND);
}

static void session_jobs_and_queue_age_are_reported(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t job;
    assert_int_equal(store_job_enqueue(f->st, "capture", "k1",
                                       "{\"session_id\":5,\"channel_id\":100,\"user_id\":7}", 1000,
                                       &job, err, sizeof err),
                     0);
    assert_int_equal(store_job_enqueue(f->st, "capture", "k2",
                                       "{\"session_id\":6,\"channel_id\":100,\"user_id\":7}", 1000,
                                       &job, err, sizeof err),
                     0);
    struct store_job *jobs;
    size_t n;
    assert_int_equal(store_session_jobs(f->st, 5, 10, &jobs, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(jobs[0].state, JOB_QUEUED);
    store_job_clear(&jobs[0]);
    free(jobs);
    int64_t age;
    assert_int_equal(store_job_oldest_due(f->st, 4000, &age, err, sizeof err), 0);
    assert_int_equal(age, 3000);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, open_fresh, test_store_close_fresh)
    const struct CMUnitTest tests[] = {
        T(login_sessions_are_found_by_hash_touched_and_swept),
        T(ending_a_users_logins_ends_all_of_them),
        T(oauth_state_is_single_use_and_expires),
        T(api_keys_are_found_by_hash_until_revoked_by_their_owner),
        T(user_channels_are_replaced_and_checked),
        T(saving_past_the_limit_is_refused_and_relabelling_a_saved_one_is_not),
        T(purge_removes_captures_and_stays_and_delete_removes_the_session),
        T(sweep_removes_only_unsaved_sessions_idle_before_the_cutoff),
        T(live_watches_are_listed_for_active_sessions),
        T(session_jobs_and_queue_age_are_reported),
    };
    return test_store_run("store_web", tests, sizeof tests / sizeof *tests);
}
