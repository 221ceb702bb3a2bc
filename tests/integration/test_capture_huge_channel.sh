#!/bin/bash
# A 100,000-chatter channel is paginated in full (100+ pages of 1000, repeated chatters
# removed) and stored as one capture.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock --ratelimit 100000
login
expected=$(audience_count 20004)
[ "$expected" -ge 90000 ] || fail "simulator's huge channel has only $expected chatters"
"$TCA" capture huge_channel >"$WORK/cap.out" || { cat "$WORK/cap.out"; fail "capture failed"; }
cat "$WORK/cap.out"
grep -q "capture huge_channel #1: $expected chatters" "$WORK/cap.out" || fail "count mismatch"
pages=$(sql "SELECT pages FROM captures")
[ "$pages" -ge 100 ] || fail "only $pages pages"
[ "$(sql 'SELECT count(*) FROM presence')" = "$expected" ] || fail "presence rows"
check "$expected chatters in $pages pages"
