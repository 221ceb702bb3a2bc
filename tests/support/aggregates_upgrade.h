/*
 * Upgrade tests of the capture-time aggregates (captures.new_to_owner, captures.first_stays),
 * one check for both back ends: what a store written before each aggregate's step must answer
 * once opened.
 */
#ifndef TCA_TEST_AGGREGATES_UPGRADE_H
#define TCA_TEST_AGGREGATES_UPGRADE_H

#include "store/store.h"

#include <stdint.h>

/** st holds, written before the aggregates step, owner's session with two captures of channel
 * (10 and 20, then 20 and 30): both are marked as having no aggregate (-1), the series read
 * alone equals the series recomputed beside participation, and a capture after the upgrade
 * (10 back, seen in this session, and 40 new) keeps its own (1). Their first stays are filled
 * by the later step (2, 1, then 1 kept). Fails the running test. */
void test_aggregates_upgraded(struct store *st, int64_t owner, int64_t session, int64_t channel);

/** st holds, written before the first stays step: session 1 with captures of channel 500
 * ({10, 20}, {20, 30}, {10, 30}: 10 back) and of channel 600 ({10}), session 2 with captures
 * of channel 500 ({40}, {40, 50}). The step fills each capture's first stays from its stays
 * (2, 1, 0; 1; 1, 1), the export counts 3 and 2 chatters (the stays counted for session 1's
 * two channels, the captures summed for session 2), and the next capture of session 1's
 * channel 500 ({10, 30, 60}) keeps 1. Fails the running test. */
void test_first_stays_upgraded(struct store *st);

#endif
