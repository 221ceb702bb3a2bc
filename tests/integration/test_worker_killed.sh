#!/bin/bash
# A worker killed with SIGKILL in the middle of a capture: the job stays claimed until its
# lease expires, then another worker retries it and the capture is stored exactly once.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock
login
export TCA_JOB_LEASE=2
expected=$(audience_count 20003)
# Slow pages so the kill lands mid-pagination.
sim_post /_sim/faults '{"path":"/helix/chat/chatters","skip":2,"count":50,"delay_ms":300}' >/dev/null
"$TCA" capture big_channel >"$WORK/killed.out" 2>&1 &
victim=$!
PIDS+=($victim)
for _ in $(seq 1 100); do
    n=$(sim_get /_sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"].get("/helix/chat/chatters",0))')
    [ "$n" -ge 4 ] && break
    sleep 0.1
done
kill -9 $victim
wait $victim 2>/dev/null || true
[ "$(sql 'SELECT count(*) FROM captures')" = 0 ] || fail "a capture was stored by the killed worker"
[ "$(sql "SELECT state FROM jobs WHERE kind='capture'")" = 1 ] || fail "job not left running"
check "killed mid-capture: nothing stored, job still claimed"

sim_delete /_sim/faults >/dev/null
"$TCA" capture big_channel >"$WORK/retry.out" 2>&1 || { cat "$WORK/retry.out"; fail "retry failed"; }
cat "$WORK/retry.out"
[ "$(sql 'SELECT count(*) FROM captures')" = 1 ] || fail "captures: $(sql 'SELECT count(*) FROM captures')"
[ "$(sql "SELECT attempts FROM jobs WHERE kind='capture'")" = 2 ] || fail "job not retried once"
[ "$(sql 'SELECT chatter_count FROM captures')" = "$expected" ] || fail "wrong count"
check "lease expired, job retried, capture stored exactly once"
