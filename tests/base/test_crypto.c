/* Sealed tokens open only for their owner and secret; token hashes are keyed. */
#include "tests/support/testutil.h"
#include "base/crypto.h"

#include <stdlib.h>
#include <string.h>

#define SECRET_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define SECRET_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="

static void sealed_token_round_trips_for_its_user(void **state)
{
    struct crypto_keys k;
    assert_int_equal(crypto_keys_derive(SECRET_A, &k, NULL, 0), 0);
    char *sealed = crypto_seal(&k, 42, "oauth-access-token");
    assert_null(strstr(sealed, "oauth-access-token"));
    char *plain;
    assert_int_equal(crypto_open(&k, 42, sealed, &plain, NULL, 0), 0);
    assert_string_equal(plain, "oauth-access-token");
    free(plain);
    free(sealed);
}

static void sealed_token_refuses_other_user_other_secret_and_tampering(void **state)
{
    struct crypto_keys a, b;
    crypto_keys_derive(SECRET_A, &a, NULL, 0);
    crypto_keys_derive(SECRET_B, &b, NULL, 0);
    char *sealed = crypto_seal(&a, 42, "tok");
    char *plain = NULL;
    assert_int_equal(crypto_open(&a, 43, sealed, &plain, NULL, 0), -6);
    assert_int_equal(crypto_open(&b, 42, sealed, &plain, NULL, 0), -6);
    sealed[strlen(sealed) - 2] = sealed[strlen(sealed) - 2] == 'A' ? 'B' : 'A';
    assert_int_equal(crypto_open(&a, 42, sealed, &plain, NULL, 0), -6);
    assert_int_equal(crypto_open(&a, 42, "!!", &plain, NULL, 0), -6);
    assert_null(plain);
    free(sealed);
}

static void short_secret_is_refused(void **state)
{
    struct crypto_keys k;
    assert_true(crypto_keys_derive("c2hvcnQ=", &k, NULL, 0) < 0);
    assert_true(crypto_keys_derive(NULL, &k, NULL, 0) < 0);
}

static void random_tokens_differ_and_hashes_are_keyed(void **state)
{
    struct crypto_keys a, b;
    crypto_keys_derive(SECRET_A, &a, NULL, 0);
    crypto_keys_derive(SECRET_B, &b, NULL, 0);
    char t1[CRYPTO_TOKEN_CHARS + 1], t2[CRYPTO_TOKEN_CHARS + 1];
    crypto_random_token(t1);
    crypto_random_token(t2);
    assert_int_equal(strlen(t1), CRYPTO_TOKEN_CHARS);
    assert_string_not_equal(t1, t2);
    char h1[CRYPTO_HASH_HEX + 1], h2[CRYPTO_HASH_HEX + 1];
    crypto_token_hash(&a, t1, h1);
    crypto_token_hash(&b, t1, h2);
    assert_string_not_equal(h1, h2);
}

int main(void)
{
    crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sealed_token_round_trips_for_its_user),
        cmocka_unit_test(sealed_token_refuses_other_user_other_secret_and_tampering),
        cmocka_unit_test(short_secret_is_refused),
        cmocka_unit_test(random_tokens_differ_and_hashes_are_keyed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
