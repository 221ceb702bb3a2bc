/* libsodium wrappers for sealing tokens and generating/hashing random identifiers. */
#include "base/crypto.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define KDF_CONTEXT "tca-keys"

int crypto_init(void)
{
    return sodium_init() < 0 ? TCA_ERR : 0;
}

int crypto_keys_derive(const char *secret_b64, struct crypto_keys *out, char *err, size_t errlen)
{
    unsigned char raw[256], master[crypto_kdf_KEYBYTES];
    size_t rawlen = 0, len = secret_b64 ? strlen(secret_b64) : 0;
    const int variants[] = {sodium_base64_VARIANT_ORIGINAL,
                            sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING};
    int ok = 0;
    for (size_t i = 0; i < sizeof variants / sizeof *variants && !ok; i++)
        ok = sodium_base642bin(raw, sizeof raw, secret_b64 ? secret_b64 : "", len, NULL, &rawlen,
                               NULL, variants[i]) == 0;
    if (!ok || rawlen < 32) {
        sodium_memzero(raw, sizeof raw);
        return tca_fail(err, errlen, TCA_EINVAL,
                        "APP_SESSION_SECRET must be base64 of at least 32 bytes");
    }
    crypto_generichash(master, sizeof master, raw, rawlen, NULL, 0);
    crypto_kdf_derive_from_key(out->token_key, sizeof out->token_key, 1, KDF_CONTEXT, master);
    crypto_kdf_derive_from_key(out->session_key, sizeof out->session_key, 2, KDF_CONTEXT, master);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(master, sizeof master);
    return 0;
}

void crypto_keys_wipe(struct crypto_keys *keys)
{
    sodium_memzero(keys, sizeof *keys);
}

static void user_ad(int64_t user_id, unsigned char ad[8])
{
    uint64_t u = (uint64_t)user_id;
    for (int i = 0; i < 8; i++)
        ad[i] = (unsigned char)(u >> (8 * i));
}

char *crypto_seal(const struct crypto_keys *keys, int64_t user_id, const char *plaintext)
{
    size_t mlen = strlen(plaintext);
    size_t blen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + mlen +
                  crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *box = xmalloc(blen);
    unsigned char ad[8];
    unsigned long long clen = 0;
    user_ad(user_id, ad);
    randombytes_buf(box, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(box + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                               &clen, (const unsigned char *)plaintext, mlen, ad,
                                               sizeof ad, NULL, box, keys->token_key);
    size_t outlen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(outlen);
    sodium_bin2base64(out, outlen, box, blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(box);
    return out;
}

int crypto_open(const struct crypto_keys *keys, int64_t user_id, const char *sealed,
                char **plaintext, char *err, size_t errlen)
{
    size_t slen = strlen(sealed), blen = 0;
    unsigned char *box = xmalloc(slen + 1);
    unsigned char ad[8];
    int rc = TCA_EAUTH;
    *plaintext = NULL;
    if (sodium_base642bin(box, slen + 1, sealed, slen, NULL, &blen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        blen < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                   crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        tca_fail(err, errlen, TCA_EAUTH, "sealed token is malformed");
        goto out;
    }
    size_t clen = blen - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    char *m = xmalloc(clen + 1);
    unsigned long long mlen = 0;
    user_ad(user_id, ad);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)m, &mlen, NULL, box + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            clen, ad, sizeof ad, box, keys->token_key) != 0) {
        free(m);
        tca_fail(err, errlen, TCA_EAUTH,
                 "sealed token does not open (APP_SESSION_SECRET changed, or data tampered)");
        goto out;
    }
    m[mlen] = '\0';
    *plaintext = m;
    rc = 0;
out:
    free(box);
    return rc;
}

void crypto_random_token(char out[CRYPTO_TOKEN_CHARS + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, CRYPTO_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void crypto_token_hash(const struct crypto_keys *keys, const char *token,
                       char out[CRYPTO_HASH_HEX + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), keys->session_key,
                       sizeof keys->session_key);
    sodium_bin2hex(out, CRYPTO_HASH_HEX + 1, h, sizeof h);
}

char *crypto_random_base64(size_t n)
{
    unsigned char *raw = xmalloc(n);
    randombytes_buf(raw, n);
    size_t outlen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(outlen);
    sodium_bin2base64(out, outlen, raw, n, sodium_base64_VARIANT_ORIGINAL);
    free(raw);
    return out;
}
