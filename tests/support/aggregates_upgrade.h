/*
 * Upgrade tests of the capture-time aggregates (captures.new_to_owner), one check for both
 * back ends: what a store written before the aggregates step must answer once opened.
 */
#ifndef TCA_TEST_AGGREGATES_UPGRADE_H
#define TCA_TEST_AGGREGATES_UPGRADE_H

#include "store/store.h"

#include <stdint.h>

/** st holds, written before the aggregates step, owner's session with two captures of channel
 * (10 and 20, then 20 and 30): both are marked as having no aggregate (-1), the series read
 * alone equals the series recomputed beside participation, and a capture after the upgrade
 * (10 back, seen in this session, and 40 new) keeps its own (1). Fails the running test. */
void test_aggregates_upgraded(struct store *st, int64_t owner, int64_t session, int64_t channel);

#endif
