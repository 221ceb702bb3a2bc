/*
 * Parsers of every Twitch response body the client reads (Helix pages, OAuth answers,
 * error bodies). Pure: bytes in, structs out, no I/O and no clock (the caller passes "now").
 * A body that is not exactly the documented shape is TCA_EPROTO with a message saying where;
 * these functions must never crash or read past len, whatever the bytes (they are fuzzed).
 * On failure nothing is appended to the caller's arrays.
 */
#ifndef TCA_TWITCH_PARSE_H
#define TCA_TWITCH_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/chatter.h"
#include "twitch/twitch.h"

/** Largest response body accepted (a 1000-chatter page is ~100 KB). */
#define TWITCH_BODY_MAX ((size_t)4 << 20)
/** Longest pagination cursor accepted, NUL excluded (Twitch's are a few hundred bytes). */
#define TWITCH_CURSOR_MAX 1023

/**
 * A Get Chatters page: appends its chatters to out (unsorted), copies the next cursor into
 * cursor (TWITCH_CURSOR_MAX + 1 bytes; "" on the last page) and the channel's total. With
 * total NULL, a page of the same items without a total (Get Moderators, Get VIPs).
 */
int twitch_parse_chatters(const char *body, size_t len, struct chatter_set *out, char *cursor,
                          int64_t *total, char *err, size_t errlen);

/** A Get Users answer: appends to *users (realloc'd; caller frees) and grows *n. */
int twitch_parse_users(const char *body, size_t len, struct twitch_user **users, size_t *n,
                       char *err, size_t errlen);

/** A Get Moderated Channels page: appends to *channels (caller frees), copies the cursor. */
int twitch_parse_moderated_channels(const char *body, size_t len, struct twitch_channel **channels,
                                    size_t *n, char *cursor, char *err, size_t errlen);

/** A Get Streams answer: appends to *streams (caller frees) and copies the cursor. */
int twitch_parse_streams(const char *body, size_t len, struct twitch_stream **streams, size_t *n,
                         char *cursor, char *err, size_t errlen);

/**
 * A token answer of {auth}/token. Fills access_token, refresh_token (NULL when absent),
 * scopes and expires_at_ms (now_ms + expires_in, or 0 when absent). out's previous strings
 * are freed only on success; user_id, login and refreshed are left as they were.
 */
int twitch_parse_token(const char *body, size_t len, int64_t now_ms, struct twitch_token *out,
                       char *err, size_t errlen);

/**
 * A {auth}/validate answer: fills tok's user_id and login (0 and "" for app tokens), scopes
 * and expires_at_ms, and copies the token's client id into client_id (client_idlen bytes).
 */
int twitch_parse_validate(const char *body, size_t len, int64_t now_ms, struct twitch_token *tok,
                          char *client_id, size_t client_idlen, char *err, size_t errlen);

/** A {auth}/device answer: fills out (expires_at_ms = now_ms + expires_in). */
int twitch_parse_device(const char *body, size_t len, int64_t now_ms, struct twitch_device *out,
                        char *err, size_t errlen);

/**
 * The message of a Twitch error body ({"status":..,"message":".."}), made printable and
 * truncated to msglen. Returns 0, or -1 (msg = "") when the body carries no message.
 */
int twitch_parse_error(const char *body, size_t len, char *msg, size_t msglen);

/** Parses an RFC 3339 UTC time of Twitch's shape (up to 9 fraction digits) into ms. 0 or -1. */
int twitch_parse_time(const char *s, int64_t *ms);
/** Parses a Twitch id: chatter_parse_id (1-19 decimal digits, > 0, fits int64); 0 or -1. */
int twitch_parse_id(const char *s, int64_t *id);
/** Returns 1 when s is a valid login: 1..CHATTER_LOGIN_MAX characters of [a-z0-9_]. */
int twitch_login_valid(const char *s);

#endif
