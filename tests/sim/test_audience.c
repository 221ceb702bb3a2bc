/* The simulated world and audience model: determinism, sizes, churn, events, renames, and
 * the ground-truth cast (lurker bots, bot-wave shapes, the heavy renamer). */
#include "tests/support/testutil.h"

#include "base/clock.h"
#include "base/err.h"
#include "sim/audience.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t channel(struct world *w, const char *login)
{
    int i = world_channel_index_by_login(w, login);
    assert_true(i >= 0);
    return (size_t)i;
}

static size_t count_left(const int64_t *prev, size_t np, const int64_t *cur, size_t nc)
{
    size_t left = 0, j = 0;
    for (size_t i = 0; i < np; i++) {
        while (j < nc && cur[j] < prev[i])
            j++;
        left += j == nc || cur[j] != prev[i];
    }
    return left;
}

static int contains(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ids[mid] == id)
            return 1;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static void same_seed_gives_same_audience_and_other_seed_differs(void **state)
{
    struct world *a = world_new(7), *b = world_new(7), *c = world_new(8);
    size_t ch = channel(a, "cozy_channel");
    int64_t *x, *y, *z;
    size_t nx = audience_compute(a, ch, 12, &x);
    size_t ny = audience_compute(b, ch, 12, &y);
    size_t nz = audience_compute(c, ch, 12, &z);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx * sizeof *x);
    assert_true(nx != nz || memcmp(x, z, nx * sizeof *x) != 0);
    free(x);
    free(y);
    free(z);
    world_free(a);
    world_free(b);
    world_free(c);
}

static void audiences_are_sorted_unique_and_near_nominal(void **state)
{
    struct world *w = world_new(1);
    const char *names[] = {"demo_mod", "cozy_channel", "big_channel", "huge_channel", "chan_01"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        size_t ch = channel(w, names[k]);
        double sum = 0;
        for (int64_t t = 20; t < 30; t++) {
            int64_t *ids;
            size_t n = audience_compute(w, ch, t, &ids);
            for (size_t i = 1; i < n; i++)
                assert_true(ids[i - 1] < ids[i]);
            for (size_t i = 0; i < n; i++)
                assert_true(ids[i] >= WORLD_SHARED_BASE); /* never a cast id */
            sum += (double)n;
            free(ids);
        }
        double nominal = world_channel_at(w, ch)->nominal;
        double tolerance = nominal >= 1000 ? 0.1 : 0.35;
        assert_true(sum / 10 > nominal * (1 - tolerance));
        assert_true(sum / 10 < nominal * (1 + tolerance));
    }
    world_free(w);
}

static void big_channels_churn_two_to_five_percent_per_tick(void **state)
{
    struct world *w = world_new(1);
    const char *names[] = {"big_channel", "huge_channel"};
    for (size_t k = 0; k < 2; k++) {
        size_t ch = channel(w, names[k]);
        int64_t *prev;
        size_t np = audience_compute(w, ch, 30, &prev);
        for (int64_t t = 31; t < 36; t++) {
            int64_t *cur;
            size_t nc = audience_compute(w, ch, t, &cur);
            double churn = (double)count_left(prev, np, cur, nc) / (double)np;
            assert_true(churn >= 0.02 && churn <= 0.05);
            free(prev);
            prev = cur;
            np = nc;
        }
        free(prev);
    }
    world_free(w);
}

static void raid_arrives_at_tick_5_and_mostly_leaves_within_4_ticks(void **state)
{
    struct world *w = world_new(1);
    size_t ch = channel(w, "raid_channel");
    struct audience_event ev[4];
    assert_int_equal(audience_events(w, ch, ev, 4), 2);
    assert_string_equal(ev[0].kind, "raid");
    assert_int_equal(ev[0].tick, 5);
    assert_int_equal(ev[0].size, 600);
    int64_t *before, *at, *later;
    size_t nb = audience_compute(w, ch, 4, &before);
    size_t na = audience_compute(w, ch, 5, &at);
    size_t nl = audience_compute(w, ch, 9, &later);
    size_t in_before = 0, in_at = 0, in_later = 0;
    for (int64_t id = ev[0].first_id; id < ev[0].first_id + ev[0].size; id++) {
        in_before += (size_t)contains(before, nb, id);
        in_at += (size_t)contains(at, na, id);
        in_later += (size_t)contains(later, nl, id);
    }
    assert_int_equal(in_before, 0);
    assert_int_equal(in_at, 600);
    assert_true(in_later > 30 && in_later < 300); /* some stay, most are gone */
    assert_true(na >= nb + 500);
    free(before);
    free(at);
    free(later);
    assert_int_equal(audience_events(w, channel(w, "cozy_channel"), ev, 4), 0);
    world_free(w);
}

static void bot_wave_at_tick_8_has_sequential_logins_created_the_same_day(void **state)
{
    struct world *w = world_new(1);
    size_t ch = channel(w, "raid_channel");
    struct audience_event ev[2];
    audience_events(w, ch, ev, 2);
    assert_string_equal(ev[1].kind, "bot_wave");
    assert_int_equal(ev[1].tick, 8);
    assert_int_equal(ev[1].size, 150);
    int64_t *at7, *at8;
    size_t n7 = audience_compute(w, ch, 7, &at7);
    size_t n8 = audience_compute(w, ch, 8, &at8);
    struct world_user first, u;
    assert_int_equal(world_user_by_id(w, ev[1].first_id, 8, &first), 0);
    assert_string_equal(first.login, "coolviewer_0001");
    for (int64_t id = ev[1].first_id; id < ev[1].first_id + ev[1].size; id++) {
        assert_false(contains(at7, n7, id));
        assert_true(contains(at8, n8, id));
        assert_int_equal(world_user_by_id(w, id, 8, &u), 0);
        assert_int_equal(u.created_at_ms / 86400000, first.created_at_ms / 86400000);
    }
    char day[32];
    clock_format_rfc3339(first.created_at_ms, day, sizeof day);
    assert_memory_equal(day, ev[1].created_on, 10);
    free(at7);
    free(at8);
    world_free(w);
}

static void about_one_percent_rename_and_some_rename_three_times(void **state)
{
    struct world *w = world_new(1);
    const struct world_channel *c = world_channel_at(w, channel(w, "big_channel"));
    int renamed = 0, thrice = 0;
    for (int64_t id = c->pool_base; id < c->pool_base + 20000; id++) {
        int r = world_user_renames(w, id, 60);
        renamed += r > 0;
        thrice += r >= 3;
        assert_int_equal(world_user_renames(w, id, 9), 0);
        if (r >= 3) {
            struct world_user before, after;
            world_user_by_id(w, id, 19, &before);
            world_user_by_id(w, id, 20, &after);
            assert_string_not_equal(before.login, after.login);
            /* the old name is gone, the new one is found */
            assert_int_equal(world_user_by_login(w, before.login, 20, &after), TCA_ENOTFOUND);
            world_user_by_id(w, id, 20, &after);
            assert_int_equal(world_user_by_login(w, after.login, 20, &before), 0);
            assert_int_equal(before.id, id);
        }
    }
    assert_true(renamed > 100 && renamed < 300);
    assert_true(thrice > 10);
    world_free(w);
}

static void logins_are_lowercase_4_to_25_and_found_by_login(void **state)
{
    struct world *w = world_new(3);
    size_t ch = channel(w, "huge_channel");
    int64_t *ids;
    size_t n = audience_compute(w, ch, 40, &ids);
    for (size_t i = 0; i < n; i += 97) {
        struct world_user u, back;
        assert_int_equal(world_user_by_id(w, ids[i], 40, &u), 0);
        size_t len = strlen(u.login);
        assert_true(len >= 4 && len <= 25);
        for (size_t k = 0; k < len; k++)
            assert_true(islower((unsigned char)u.login[k]) || isdigit((unsigned char)u.login[k]) ||
                        u.login[k] == '_');
        assert_int_equal(strcasecmp(u.login, u.display_name), 0);
        assert_int_equal(world_user_by_login(w, u.login, 40, &back), 0);
        assert_int_equal(back.id, ids[i]);
    }
    free(ids);
    world_free(w);
}

static void cozy_big_and_huge_share_regulars(void **state)
{
    struct world *w = world_new(1);
    int64_t *cozy, *big, *huge;
    size_t nc = audience_compute(w, channel(w, "cozy_channel"), 10, &cozy);
    size_t nb = audience_compute(w, channel(w, "big_channel"), 10, &big);
    size_t nh = audience_compute(w, channel(w, "huge_channel"), 10, &huge);
    size_t cozy_big = 0, big_huge = 0;
    for (size_t i = 0; i < nc; i++)
        cozy_big += (size_t)contains(big, nb, cozy[i]);
    for (size_t i = 0; i < nb; i++)
        big_huge += (size_t)contains(huge, nh, big[i]);
    assert_true(cozy_big > 100);
    assert_true(big_huge > 1000);
    free(cozy);
    free(big);
    free(huge);
    world_free(w);
}

static void cast_moderators_and_moderator_changes(void **state)
{
    struct world *w = world_new(1);
    int idx[64];
    assert_int_equal(world_moderated_channels(w, WORLD_DEMO_MOD, idx, 64), 30);
    assert_int_equal(world_moderated_channels(w, WORLD_OTHER_MOD, idx, 64), 1);
    assert_string_equal(world_channel_at(w, (size_t)idx[0])->login, "tiny_channel");
    assert_true(world_can_moderate(w, WORLD_DEMO_MOD, WORLD_DEMO_MOD));
    assert_false(world_can_moderate(w, 20003, WORLD_OTHER_MOD));
    assert_int_equal(world_set_moderator(w, 20003, WORLD_OTHER_MOD, 1), 0);
    assert_true(world_can_moderate(w, 20003, WORLD_OTHER_MOD));
    assert_int_equal(world_set_moderator(w, 20001, WORLD_OTHER_MOD, 0), 0);
    assert_false(world_can_moderate(w, 20001, WORLD_OTHER_MOD));
    assert_int_equal(world_set_moderator(w, 99, WORLD_OTHER_MOD, 1), TCA_ENOTFOUND);
    world_free(w);
}

static void cached_snapshot_equals_computation_and_survives_eviction_while_held(void **state)
{
    struct world *w = world_new(1);
    struct audience *a = audience_new(w);
    size_t ch = channel(w, "huge_channel");
    int64_t *ids;
    size_t n = audience_compute(w, ch, 3, &ids);
    struct audience_snapshot *s1 = audience_get(a, ch, 3);
    struct audience_snapshot *s2 = audience_get(a, ch, 3);
    assert_ptr_equal(s1, s2);
    assert_int_equal(s1->n, n);
    assert_memory_equal(s1->ids, ids, n * sizeof *ids);
    /* evicting a snapshot still held keeps it valid until released */
    struct audience_snapshot *s3 = audience_get(a, ch, 4);
    struct audience_snapshot *s4 = audience_get(a, ch, 5);
    assert_int_equal(s1->ids[0], ids[0]);
    audience_release(a, s1);
    audience_release(a, s2);
    audience_release(a, s3);
    audience_release(a, s4);
    free(ids);
    audience_free(a);
    world_free(w);
}

static void lurkers_sit_in_most_channels_at_every_tick_with_old_accounts(void **state)
{
    struct world_options o;
    world_options_default(&o);
    o.lurker_bots = 40;
    struct world *w = world_new_with(5, &o);
    size_t n_ch = world_channel_count(w), seats = 0;
    for (size_t c = 0; c < n_ch; c++) {
        int64_t *t0, *t9;
        size_t n0 = audience_compute(w, c, 0, &t0), n9 = audience_compute(w, c, 9, &t9);
        for (size_t i = 1; i < n0; i++)
            assert_true(t0[i - 1] < t0[i]); /* still sorted with the lurkers in */
        for (int64_t id = WORLD_LURKER_BASE; id < WORLD_LURKER_BASE + 40; id++) {
            assert_int_equal(contains(t0, n0, id), contains(t9, n9, id)); /* never leave */
            seats += contains(t0, n0, id);
        }
        free(t0);
        free(t9);
    }
    /* about 80% of 31 channels each */
    assert_true(seats > 40 * n_ch * 70 / 100 && seats < 40 * n_ch * 90 / 100);
    struct world_user u;
    assert_int_equal(world_user_by_id(w, WORLD_LURKER_BASE, 0, &u), 0);
    assert_int_equal(world_user_kind(w, WORLD_LURKER_BASE), WORLD_KIND_LURKER);
    assert_true(u.created_at_ms < 1514764800000LL); /* made before 2018 */
    assert_int_equal(world_user_renames(w, WORLD_LURKER_BASE, 100), 0);
    assert_int_equal(world_user_kind(w, WORLD_LURKER_BASE + 40), WORLD_KIND_NONE);
    world_free(w);
}

static void bot_shapes_add_a_minutes_wave_without_numbers_and_a_numbered_drip(void **state)
{
    struct world_options o;
    world_options_default(&o);
    o.bot_shapes = 1;
    struct world *w = world_new_with(1, &o);
    struct audience_event ev[4];
    assert_int_equal(audience_events(w, channel(w, "cozy_channel"), ev, 4), 1);
    assert_int_equal(ev[0].size, WORLD_BURST_SIZE);
    int64_t *ids;
    size_t n = audience_compute(w, channel(w, "cozy_channel"), WORLD_BURST_TICK, &ids);
    int64_t first = 0, last = 0;
    for (int64_t id = WORLD_BURST_BASE; id < WORLD_BURST_BASE + WORLD_BURST_SIZE; id++) {
        struct world_user u, back;
        assert_true(contains(ids, n, id));
        assert_int_equal(world_user_by_id(w, id, 0, &u), 0);
        assert_null(strpbrk(u.login, "0123456789")); /* nothing to give it away */
        assert_int_equal(world_user_by_login(w, u.login, 0, &back), 0);
        assert_int_equal(back.id, id);
        first = first ? first : u.created_at_ms;
        last = u.created_at_ms;
    }
    assert_true(last - first < 30 * 60000); /* all made within half an hour */
    free(ids);
    n = audience_compute(w, channel(w, "chan_03"), WORLD_DRIP_TICK, &ids);
    struct world_user a, b;
    assert_int_equal(world_user_by_id(w, WORLD_DRIP_BASE, 0, &a), 0);
    assert_int_equal(world_user_by_id(w, WORLD_DRIP_BASE + WORLD_DRIP_SIZE - 1, 0, &b), 0);
    assert_string_equal(a.login, "nightowlfan_1");
    assert_true(b.created_at_ms - a.created_at_ms > 20LL * 86400000); /* spread over days */
    assert_true(contains(ids, n, WORLD_DRIP_BASE));
    assert_int_equal(world_user_by_login(w, "nightowlfan_60", 0, &b), 0);
    free(ids);
    /* without the option, none of them exists */
    struct world *plain = world_new(1);
    assert_int_equal(audience_events(plain, channel(plain, "cozy_channel"), ev, 4), 0);
    assert_false(world_user_exists(plain, WORLD_BURST_BASE));
    world_free(plain);
    world_free(w);
}

static void each_channels_first_regular_renames_three_times_by_tick_20(void **state)
{
    struct world *w = world_new(1);
    int64_t id = world_channel_at(w, channel(w, "cozy_channel"))->pool_base;
    assert_int_equal(world_user_renames(w, id, 11), 0);
    assert_int_equal(world_user_renames(w, id, 20), 3);
    char at19[32], at20[32];
    world_user_login(w, id, 19, at19, sizeof at19);
    world_user_login(w, id, 20, at20, sizeof at20);
    assert_string_not_equal(at19, at20);
    world_free(w);
    struct world_options o;
    world_options_default(&o);
    o.rename_permille = 0;
    w = world_new_with(1, &o);
    assert_int_equal(world_user_renames(w, id, 40), 0);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_gives_same_audience_and_other_seed_differs),
        cmocka_unit_test(audiences_are_sorted_unique_and_near_nominal),
        cmocka_unit_test(big_channels_churn_two_to_five_percent_per_tick),
        cmocka_unit_test(raid_arrives_at_tick_5_and_mostly_leaves_within_4_ticks),
        cmocka_unit_test(bot_wave_at_tick_8_has_sequential_logins_created_the_same_day),
        cmocka_unit_test(about_one_percent_rename_and_some_rename_three_times),
        cmocka_unit_test(logins_are_lowercase_4_to_25_and_found_by_login),
        cmocka_unit_test(cozy_big_and_huge_share_regulars),
        cmocka_unit_test(cast_moderators_and_moderator_changes),
        cmocka_unit_test(cached_snapshot_equals_computation_and_survives_eviction_while_held),
        cmocka_unit_test(lurkers_sit_in_most_channels_at_every_tick_with_old_accounts),
        cmocka_unit_test(bot_shapes_add_a_minutes_wave_without_numbers_and_a_numbered_drip),
        cmocka_unit_test(each_channels_first_regular_renames_three_times_by_tick_20),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
