#!/bin/bash
# Redis restarted (all its state gone) while two workers capture every second: captures go
# on, nothing is lost or stored twice (every done capture job has its one capture, the
# sequence of each channel has no gap), no job is dead-lettered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../support/redis.sh"

start_sim
mkdir -p "$WORK/redis"
redis_start "$WORK/redis"
PIDS+=($REDIS_PID)
export TCA_REDIS="unix://$REDIS_SOCK" TCA_WORKERS=2 TCA_LEADER_LEASE=3
login
for ch in cozy_channel raid_channel; do
    "$TCA" watch $ch --interval 1 >"$WORK/watch-$ch.out" 2>&1 &
    w=$!
    PIDS+=($w)
    for _ in $(seq 1 200); do grep -qs watching "$WORK/watch-$ch.out" && break; sleep 0.05; done
    kill -9 $w
    wait $w 2>/dev/null || true
done
# The killed watch's own capture would hold its channel until the job's lease ends.
sql "DELETE FROM jobs WHERE state IN (0, 1)"

workers=()
for i in 1 2; do
    "$TCA" worker >"$WORK/worker$i.log" 2>&1 &
    workers+=($!)
    PIDS+=($!)
done
captures() { sql "SELECT count(*) FROM captures"; }
wait_captures() { # at least N, within 60 s
    for _ in $(seq 1 600); do [ "$(captures)" -ge "$1" ] && return 0; sleep 0.1; done
    fail "only $(captures) captures, wanted $1"
}
wait_captures 6
before=$(captures)
redis_restart
PIDS+=($REDIS_PID)
check "Redis restarted after $before captures"
wait_captures $((before + 6))
for p in "${workers[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${workers[@]}"; do wait "$p" 2>/dev/null || true; done

done_jobs=$(sql "SELECT count(*) FROM jobs WHERE kind='capture' AND state=2")
total=$(captures)
[ "$(sql "SELECT count(*) FROM jobs WHERE state=3")" = 0 ] ||
    fail "dead-lettered: $(sql "SELECT kind, error FROM jobs WHERE state=3 LIMIT 3")"
[ "$(sql "SELECT count(*) FROM jobs WHERE kind='capture' AND state IN (0, 1)")" = 0 ] ||
    fail "capture jobs left behind after a graceful stop"
[ "$done_jobs" = "$total" ] || fail "$done_jobs capture jobs done but $total captures stored"
gaps=$(sql "SELECT count(*) FROM (SELECT channel_id FROM captures GROUP BY session_id, channel_id
            HAVING max(seq) != count(*) OR min(seq) != 1)")
[ "$gaps" = 0 ] || fail "a channel's capture sequence has gaps or repeats"
check "$total captures ($before before the restart), one per done job, no gap, nothing dead-lettered"
