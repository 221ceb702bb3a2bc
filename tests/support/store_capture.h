/*
 * Captures for store tests, through the real path a worker takes (store_presence_open_named,
 * an_presence_diff, chatter_renamed, store_capture_commit), so a test's stays, renames and
 * aggregates are the ones a capture would write. Fails the running cmocka test on any error.
 */
#ifndef TCA_TEST_STORE_CAPTURE_H
#define TCA_TEST_STORE_CAPTURE_H

#include "base/chatter.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/** Commits the next capture of channel in session holding exactly the chatters of set (sorted
 * and unique, with the names Twitch gives them), taken at taken_at_ms; returns the renames
 * the capture recorded. */
int64_t test_capture_set(struct store *st, int64_t session, int64_t channel,
                         const struct chatter_set *set, int64_t taken_at_ms);

/** test_capture_set with chatters ids[0..n) named logins[i] ("user<id>" when logins is NULL). */
void test_capture_commit(struct store *st, int64_t session, int64_t channel, const int64_t *ids,
                         const char *const *logins, size_t n, int64_t taken_at_ms);

/** Makes user owner and channel known and returns owner's active session. */
int64_t test_session_of(struct store *st, int64_t owner, int64_t channel);

#endif
