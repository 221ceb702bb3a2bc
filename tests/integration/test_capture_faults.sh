#!/bin/bash
# Faults from Twitch: a 429 in the middle of pagination and a 500 are retried inside the
# capture; a malformed page fails the attempt without storing anything, and the job's retry
# stores the whole capture exactly once.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock
login
expected=$(audience_count 20003)

sim_post /_sim/faults '{"path":"/helix/chat/chatters","skip":5,"count":1,"status":429}' >/dev/null
"$TCA" capture big_channel >"$WORK/a.out" || { cat "$WORK/a.out"; fail "capture with 429 failed"; }
grep -q "capture big_channel #1: $expected chatters" "$WORK/a.out" || fail "429 capture count"
check "429 mid-pagination waited and completed"

sim_delete /_sim/faults >/dev/null
sim_post /_sim/faults '{"path":"/helix/chat/chatters","skip":2,"count":1,"status":500}' >/dev/null
"$TCA" capture big_channel >"$WORK/b.out" || { cat "$WORK/b.out"; fail "capture with 500 failed"; }
grep -q "capture big_channel #2: $expected chatters" "$WORK/b.out" || fail "500 capture count"
check "500 then success"

sim_delete /_sim/faults >/dev/null
sim_post "/_sim/advance?ticks=1" >/dev/null
expected=$(audience_count 20003)
sim_post /_sim/faults '{"path":"/helix/chat/chatters","skip":3,"count":1,"malformed":true}' >/dev/null
"$TCA" capture big_channel >"$WORK/c.out" 2>&1 || { cat "$WORK/c.out"; fail "capture never recovered"; }
cat "$WORK/c.out"
grep -q "queued for retry" "$WORK/c.out" || fail "the malformed page did not fail the attempt"
grep -q "capture big_channel #3: $expected chatters" "$WORK/c.out" || fail "retry count"
[ "$(sql 'SELECT count(*) FROM captures')" = 3 ] || fail "captures stored: $(sql 'SELECT count(*) FROM captures')"
[ "$(sql "SELECT count(*) FROM presence WHERE to_seq IS NULL")" = "$expected" ] ||
    fail "open stays do not match the last capture"
check "malformed page: nothing half-written, retried once"
