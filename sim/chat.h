/*
 * Who writes in a simulated channel's chat: a seeded quarter of the users are talkers, the
 * rest lurkers who never write; a talker present at a tick writes 0 to 3 messages in it, mostly
 * in the mood of that tick (cheerful, grumpy or neither: see chat_text). A
 * pure function of (seed, channel, user, tick), so tests recompute the exact counts; never
 * reads the clock.
 */
#ifndef TCA_SIM_CHAT_H
#define TCA_SIM_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"

/** Most messages a talker writes in one tick. */
#define CHAT_MAX_PER_TICK 3

/** 1 when user writes in chat at all (a talker), 0 for a lurker. */
int chat_is_talker(const struct world *w, int64_t user);
/** Messages user writes in channel at tick when present (0 for lurkers, always). */
int chat_messages(const struct world *w, size_t channel, int64_t user, int64_t tick);
/** The mood of the chat at tick: 1 cheerful, -1 grumpy, 0 neither (the same in every channel). */
int chat_mood(const struct world *w, int64_t tick);
/** The text of message number k (canned lines, mostly of the tick's mood, some emote-only);
 * *emote: 1 if emotes only. */
const char *chat_text(const struct world *w, int64_t user, int64_t tick, int k, int *emote);
/** When the messages of tick are sent (message_timestamp): the tick's start, so each tick of a
 * minute-long clock is one minute of the chat timeline, also with the manual clock. */
int64_t chat_sent_at_ms(int64_t start_ms, int64_t tick_ms, int64_t tick);

#endif
