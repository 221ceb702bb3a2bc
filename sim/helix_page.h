/*
 * Internal to sim/: the pieces every simulated Helix endpoint shares (scope check, opaque
 * cursors, the pagination object, Twitch's error reply). Not for use outside sim/; it holds
 * no state.
 */
#ifndef TCA_SIM_HELIX_PAGE_H
#define TCA_SIM_HELIX_PAGE_H

#include "sim/call.h"
#include "sim/tokens.h"

#include <jansson.h>
#include <stdint.h>

/** Replies with Twitch's {error,status,message} and returns -1. */
int helix_fail(struct call *c, int status, const char *message);
/** 1 when the token's space-separated scopes hold scope exactly. */
int helix_has_scope(const struct token_info *tok, const char *scope);
/** An opaque cursor for (kind, a, b, d); the caller frees it. */
char *helix_cursor_make(const char *kind, int64_t a, int64_t b, int64_t d);
/** Reads a cursor of this kind back; 0, or -1 when it is not one of ours. */
int helix_cursor_read(const char *cursor, const char *kind, int64_t *a, int64_t *b, int64_t *d);
/** Twitch's pagination object: {"cursor": cursor} or {} when NULL; takes and frees cursor. */
json_t *helix_pagination(char *cursor);

#endif
