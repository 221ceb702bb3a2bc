/*
 * Live following ("capture while live"): the leading scheduler asks Twitch which watched
 * channels are live and starts or stops their periodic captures. It runs in one process
 * only (the lease holder), so N gateways or workers never poll Twitch N times.
 */
#ifndef TCA_LIVE_H
#define TCA_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/crypto.h"
#include "store/store.h"
#include "twitch/twitch.h"

/**
 * Starts (live) or stops (offline) the capture schedule of a live watch, first capture at
 * now_ms, and records the status in the watch; nothing changes when the status did not.
 */
int live_apply(struct store *st, struct store_live_watch *lw, int live, int64_t now_ms, char *err,
               size_t errlen);

/**
 * Checks every live watch once: one Get Streams call per user (up to 100 channels each),
 * with that user's token. *changed (may be NULL) counts the watches whose status changed.
 * A user whose token Twitch refuses keeps their watches idle; the others go on. Returns the
 * first failure (with its channel in err) after checking everything it could.
 */
int live_follow(struct store *st, const struct crypto_keys *keys, struct twitch_client *tw,
                int64_t now_ms, int *changed, char *err, size_t errlen);

#endif
