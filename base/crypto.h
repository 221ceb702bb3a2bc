/*
 * Crypto helpers on libsodium: keys derived from APP_SESSION_SECRET, OAuth tokens sealed
 * at rest (XChaCha20-Poly1305, the owner's user id as associated data), random tokens and
 * their keyed hashes. Key material never leaves these structs in logs.
 */
#ifndef TCA_CRYPTO_H
#define TCA_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_KEY_BYTES 32
/** Length of a random token as text: base64url of 32 bytes, no padding. */
#define CRYPTO_TOKEN_CHARS 43
/** Length of a keyed token hash as hex. */
#define CRYPTO_HASH_HEX 64

struct crypto_keys {
    unsigned char token_key[CRYPTO_KEY_BYTES];   /* seals OAuth tokens at rest */
    unsigned char session_key[CRYPTO_KEY_BYTES]; /* hashes login-session ids and API keys */
};

/** Initialises libsodium; call once before threads. Returns 0 or TCA_ERR. */
int crypto_init(void);
/** Derives the subkeys from the base64 APP_SESSION_SECRET. Returns 0 or TCA_EINVAL. */
int crypto_keys_derive(const char *secret_b64, struct crypto_keys *out, char *err, size_t errlen);
/** Wipes the keys. */
void crypto_keys_wipe(struct crypto_keys *keys);

/** Seals plaintext for user_id; returns base64url text the caller frees. */
char *crypto_seal(const struct crypto_keys *keys, int64_t user_id, const char *plaintext);
/**
 * Opens text made by crypto_seal for the same user_id; *plaintext is the caller's to free.
 * Returns 0, or TCA_EAUTH when the text was tampered with, belongs to another user, or was
 * sealed with another secret.
 */
int crypto_open(const struct crypto_keys *keys, int64_t user_id, const char *sealed,
                char **plaintext, char *err, size_t errlen);

/** Writes a fresh random token (CRYPTO_TOKEN_CHARS + NUL) into out. */
void crypto_random_token(char out[CRYPTO_TOKEN_CHARS + 1]);
/** Keyed hash of a token as hex (CRYPTO_HASH_HEX + NUL): what the store keeps. */
void crypto_token_hash(const struct crypto_keys *keys, const char *token,
                       char out[CRYPTO_HASH_HEX + 1]);
/** Writes base64 of n random bytes (standard alphabet, padded) into a new string. */
char *crypto_random_base64(size_t n);

#endif
