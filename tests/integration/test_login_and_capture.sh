#!/bin/bash
# tca login (device flow) then one capture of a 20,000-chatter channel, enriched, matching
# exactly what the simulator served; then a second capture diffs against the first.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock
login
check "device-code login"
sql "SELECT count(*) FROM oauth_tokens" | grep -qx 1 || fail "no token stored"

"$TCA" channels >"$WORK/channels.out" || fail "tca channels failed"
grep -q "big_channel" "$WORK/channels.out" || fail "big_channel not listed"
grep -q "chan_25" "$WORK/channels.out" || fail "moderated channels not paginated in full"
grep -q "demo_mod .*broadcaster" "$WORK/channels.out" || fail "own channel not listed"
check "channels: own and all moderated"

expected=$(audience_count 20003)
"$TCA" capture big_channel >"$WORK/cap1.out" || { cat "$WORK/cap1.out"; fail "capture failed"; }
cat "$WORK/cap1.out"
grep -q "capture big_channel #1: $expected chatters, $expected joined, 0 left" "$WORK/cap1.out" ||
    fail "capture summary does not match the simulator ($expected)"
grep -q "profiles enriched" "$WORK/cap1.out" || fail "capture returned before enrichment"
[ "$(wc -l <"$WORK/cap1.out")" = 1 ] || fail "capture printed more than its one-line summary"
[ "$(sql 'SELECT count(*) FROM twitch_users WHERE enriched_at IS NULL OR enriched_at = 0')" = 0 ] ||
    fail "some chatters were not enriched"
check "capture of $expected chatters, all enriched"

sim_post "/_sim/advance?ticks=1" >/dev/null
expected=$(audience_count 20003)
"$TCA" capture big_channel >"$WORK/cap2.out" || fail "second capture failed"
cat "$WORK/cap2.out"
grep -q "capture big_channel #2: $expected chatters" "$WORK/cap2.out" || fail "second capture count"
joined=$(sed -n 's/.* \([0-9]*\) joined.*/\1/p' "$WORK/cap2.out")
[ "$joined" -gt 0 ] && [ "$joined" -lt "$expected" ] || fail "churn not diffed: joined=$joined"
check "second capture diffed: $joined joined"

"$TCA" sessions | grep -q "active" || fail "no active session listed"
check "sessions"
