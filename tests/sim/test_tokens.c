/* The simulator's OAuth state without HTTP: codes, refresh, expiry, buckets, device codes. */
#include "tests/support/testutil.h"

#include "base/crypto.h"
#include "base/err.h"
#include "sim/tokens.h"

#include <string.h>

static int init(void **state)
{
    return crypto_init();
}

static void codes_are_single_use_and_bound_to_their_redirect(void **state)
{
    struct tokens *t = tokens_new("cid", "sec", 100, 10);
    struct token_info info;
    char code[TOKENS_TEXT];
    tokens_code_new(t, 10001, "a b", "http://x/cb", 0, code);
    assert_int_equal(tokens_code_redeem(t, code, "http://y/cb", 1, &info), TCA_EAUTH);
    tokens_code_new(t, 10001, "a b", "http://x/cb", 0, code);
    assert_int_equal(tokens_code_redeem(t, code, "http://x/cb", 1, &info), 0);
    assert_int_equal(info.user_id, 10001);
    assert_string_equal(info.scopes, "a b");
    assert_int_equal(tokens_code_redeem(t, code, "http://x/cb", 2, &info), TCA_EAUTH);
    tokens_code_new(t, 10001, "a", "http://x/cb", 0, code);
    assert_int_equal(tokens_code_redeem(t, code, NULL, 11 * 60 * 1000, &info), TCA_EAUTH);
    tokens_free(t);
}

static void access_tokens_expire_after_ttl_and_refresh_issues_new_ones(void **state)
{
    struct tokens *t = tokens_new("cid", "sec", 100, 10);
    struct token_info a, b, seen;
    tokens_issue(t, 10001, "s", 0, &a);
    assert_int_equal(tokens_lookup(t, a.access_token, 99999, &seen), 0);
    assert_int_equal(tokens_lookup(t, a.access_token, 100000, &seen), TCA_EAUTH);
    assert_int_equal(tokens_refresh(t, a.refresh_token, 100000, &b), 0);
    assert_string_not_equal(a.access_token, b.access_token);
    assert_string_not_equal(a.refresh_token, b.refresh_token);
    assert_int_equal(tokens_lookup(t, b.access_token, 100001, &seen), 0);
    tokens_expire_all(t, 100002);
    assert_int_equal(tokens_lookup(t, b.access_token, 100002, &seen), TCA_EAUTH);
    assert_int_equal(tokens_revoke(t, b.refresh_token), 0);
    assert_int_equal(tokens_refresh(t, b.refresh_token, 100003, &a), TCA_EAUTH);
    assert_int_equal(tokens_revoke(t, "nope"), TCA_ENOTFOUND);
    assert_int_equal(tokens_issued(t), 2);
    tokens_free(t);
}

static void bucket_empties_then_refills_over_the_minute(void **state)
{
    struct tokens *t = tokens_new("cid", "sec", 100, 6);
    struct token_info a;
    struct token_bucket b;
    tokens_issue(t, 10001, "s", 0, &a);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(tokens_take_point(t, a.access_token, 0, &b), 0);
        assert_int_equal(b.remaining, 5 - i);
        assert_int_equal(b.limit, 6);
    }
    assert_int_equal(tokens_take_point(t, a.access_token, 0, &b), TCA_ERATELIMIT);
    assert_int_equal(b.remaining, 0);
    assert_int_equal(b.reset_s, 60);
    /* 6 points a minute: one point back every 10 s */
    assert_int_equal(tokens_take_point(t, a.access_token, 10000, &b), 0);
    assert_int_equal(tokens_take_point(t, a.access_token, 10000, &b), TCA_ERATELIMIT);
    tokens_free(t);
}

static void device_codes_wait_for_approval_or_the_second_poll(void **state)
{
    struct tokens *t = tokens_new("cid", "sec", 100, 6);
    struct token_info a;
    char device[TOKENS_TEXT], user[TOKENS_TEXT];
    tokens_device_new(t, "s", 0, device, user);
    assert_int_equal(tokens_device_poll(t, device, 0, 1, &a), TCA_ETEMP);
    assert_int_equal(tokens_device_poll(t, device, 0, 2, &a), TCA_ETEMP);
    assert_int_equal(tokens_device_approve(t, user, 10002), 0);
    assert_int_equal(tokens_device_poll(t, device, 0, 3, &a), 0);
    assert_int_equal(a.user_id, 10002);
    assert_int_equal(tokens_device_poll(t, device, 0, 4, &a), TCA_EAUTH);
    tokens_device_new(t, "s", 0, device, user);
    assert_int_equal(tokens_device_poll(t, device, 10001, 1, &a), TCA_ETEMP);
    assert_int_equal(tokens_device_poll(t, device, 10001, 2, &a), 0);
    assert_int_equal(a.user_id, 10001);
    tokens_device_new(t, "s", 0, device, user);
    assert_int_equal(tokens_device_poll(t, device, 10001, 1800 * 1000, &a), TCA_EAUTH);
    assert_int_equal(tokens_device_poll(t, "unknown", 10001, 1, &a), TCA_EAUTH);
    tokens_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_are_single_use_and_bound_to_their_redirect),
        cmocka_unit_test(access_tokens_expire_after_ttl_and_refresh_issues_new_ones),
        cmocka_unit_test(bucket_empties_then_refills_over_the_minute),
        cmocka_unit_test(device_codes_wait_for_approval_or_the_second_poll),
    };
    return cmocka_run_group_tests(tests, init, NULL);
}
