#!/bin/bash
# Three `tca worker` processes share one moderator's token and one Redis against the
# simulator's 800-point bucket: together they never draw a 429 and use at least 90% of what
# the bucket allows (800 at once, then 800 a minute). Prints the figures.
# TCA_BUDGET_SECONDS (default 30) sets how long they capture.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../support/redis.sh"

seconds=${TCA_BUDGET_SECONDS:-30}
start_sim --ratelimit 800
mkdir -p "$WORK/redis"
redis_start "$WORK/redis"
PIDS+=($REDIS_PID)
export TCA_REDIS="unix://$REDIS_SOCK" TCA_WORKERS=2
login

# Demand well above 800 a minute: the 100,000- and 20,000-chatter channels every second
# (100 and 20 pages a capture), schedules left in the store by killed `watch` commands.
for ch in huge_channel big_channel; do
    "$TCA" watch $ch --interval 1 >"$WORK/watch-$ch.out" 2>&1 &
    w=$!
    PIDS+=($w)
    for _ in $(seq 1 200); do grep -qs watching "$WORK/watch-$ch.out" && break; sleep 0.05; done
    kill -9 $w
    wait $w 2>/dev/null || true
done
# The killed watch's own capture would hold its channel until the job's lease ends.
sql "DELETE FROM jobs WHERE state IN (0, 1)"
helix() { # prints "helix_requests 429s"
    sim_get /_sim/stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(v for k, v in d["requests"].items() if k.startswith("/helix/")), d["statuses"].get("429", 0))'
}
read -r base _ < <(helix)
t0=$(date +%s.%N)
workers=()
for i in 1 2 3; do
    "$TCA" worker >"$WORK/worker$i.log" 2>&1 &
    workers+=($!)
    PIDS+=($!)
done
sleep "$seconds"
read -r used limited < <(helix)
t1=$(date +%s.%N)
# Measured: stop at once (a graceful stop would finish a budget-bound enrichment first).
for p in "${workers[@]}"; do kill -9 "$p" 2>/dev/null || true; done
for p in "${workers[@]}"; do wait "$p" 2>/dev/null || true; done
read -r _ limited_after < <(helix)
python3 - "$base" "$used" "$t0" "$t1" "$limited_after" <<'PY' || fail "the workers left more than 10% of the budget unused"
import sys
base, used, t0, t1, limited = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
spent = used - base
allowed = 800 + 800 * (t1 - t0) / 60
print(f"3 workers x 2 threads, {t1 - t0:.1f} s: {spent} Helix requests of {allowed:.0f} allowed "
      f"({100 * spent / allowed:.1f}%), {limited} answered 429")
sys.exit(0 if spent >= 0.9 * allowed else 1)
PY
[ "$limited_after" = 0 ] || fail "$limited_after requests drew a 429"
captures=$(sql "SELECT count(*) FROM captures")
[ "$captures" -gt 0 ] || fail "no capture stored"
[ "$(sql "SELECT count(*) FROM jobs WHERE kind='capture' AND state=3")" = 0 ] ||
    fail "capture jobs dead-lettered: $(sql "SELECT error FROM jobs WHERE state=3 LIMIT 3")"
check "no 429 with three workers on one token; $captures captures stored"
