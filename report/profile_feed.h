/*
 * Profiles read on a second thread and a second connection to the store while the caller's
 * own scan (a session's stays, in chatter id order) produces the chatters: the two reads
 * overlap on two cores. Ids cross over in chunks through a bounded queue, so what it holds
 * does not grow with the session. Internal to report/.
 */
#ifndef TCA_REPORT_PROFILE_FEED_H
#define TCA_REPORT_PROFILE_FEED_H

#include <stdint.h>

#include "store/store.h"

/** A profile reader fed with ids; owned by whoever started it, until rp_profile_feed_end. */
struct rp_profile_feed;

/**
 * Starts a thread that reads on aside (not used by anyone else until rp_profile_feed_end)
 * the profiles of the ids pushed, with store_profiles_pull's fields, calling fn(ctx, profile)
 * on that thread once per id in id order, as store_profiles_each does. NULL when the thread
 * cannot start: the caller reads the profiles itself.
 */
struct rp_profile_feed *rp_profile_feed_start(struct store *aside, unsigned fields,
                                              store_profile_fn fn, void *ctx);
/** Hands one chatter over: ids ascending, a repeat of the last id is dropped. Blocks while the
 * queue is full; after the reader failed, the ids are dropped. */
void rp_profile_feed_push(struct rp_profile_feed *f, int64_t id);
/** Hands the last ids over, waits until every one was read, and frees f: 0, or the reader's
 * error (err filled). Only then may the caller touch what fn writes. */
int rp_profile_feed_end(struct rp_profile_feed *f, char *err, size_t errlen);

#endif
