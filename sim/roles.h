/*
 * Internal to sim/: who holds a role in a simulated channel. Moderators are the world's
 * moderator table (the cast) plus a few of the channel's regulars; VIPs are other regulars.
 * Chatter roles are a pure function of (seed, channel, id), so a test can ask the truth from
 * /_sim/roles at any time. Never depends on the clock or on request order.
 */
#ifndef TCA_SIM_ROLES_H
#define TCA_SIM_ROLES_H

#include "sim/world.h"

#include <stddef.h>
#include <stdint.h>

/** At most this many moderators, or VIPs, in one channel (Twitch caps VIPs too). */
#define ROLES_MAX 128

/** The moderators of channel index ch, table first then regulars ascending; at most max. */
size_t roles_moderators(struct world *w, size_t ch, int64_t *out, size_t max);
/** The VIPs of channel index ch, ascending; at most max. */
size_t roles_vips(const struct world *w, size_t ch, int64_t *out, size_t max);

#endif
