/*
 * Parser of Get Channel Followers pages, beside parse.h's (same rules: pure, fuzzed, exact
 * shape or TCA_EPROTO, nothing appended on failure).
 */
#ifndef TCA_TWITCH_PARSE_FOLLOWERS_H
#define TCA_TWITCH_PARSE_FOLLOWERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "twitch/twitch.h"

/** parse.c's reader of "pagination": {"cursor"} into cursor (TWITCH_CURSOR_MAX + 1 bytes). */
int twitch_parse_cursor(json_t *root, const char *what, char *cursor, char *err, size_t errlen);

/**
 * A Get Channel Followers page: appends its follows to *out (realloc'd; caller frees), copies
 * the cursor and the channel's total (always present, even when data is withheld).
 */
int twitch_parse_followers(const char *body, size_t len, struct twitch_follow **out, size_t *n,
                           char *cursor, int64_t *total, char *err, size_t errlen);

#endif
