#!/bin/bash
# The Twitch budget as the limit: one `tca worker` captures the simulator's 100,000-chatter
# channel (100 pages of Get Chatters a capture) with a schedule far above what Twitch's real
# budget allows (every second), against a simulator that enforces 800 points a minute per
# token. Past a warm-up (the bucket's first 800 points are spent at once), prints over a
# steady window: Helix points used a minute and their share of the 800, split between Get
# Chatters (captures) and Get Users (enrichment of the new chatters), captures a minute
# against the most the budget allows, 429s drawn, and the worker's CPU per capture (its
# utime + stime over the window, enrichment included). Asserts nothing.
# Usage: bench/bench_twitch_budget.sh [BUILD_DIR]; TCA_BUDGET_WARMUP (default 20) and
# TCA_BUDGET_SECONDS (default 90) set the two phases.
set -euo pipefail
build=${1:-build}
TCA=${TCA:-$(cd "$(dirname "$0")/.." && pwd)/$build/tca}
export TCA
. "$(dirname "$0")/../tests/integration/lib.sh"

warmup=${TCA_BUDGET_WARMUP:-20}
seconds=${TCA_BUDGET_SECONDS:-90}
start_sim --ratelimit 800
login

# A schedule every second, left in the store by a killed `watch` (as the scale-out test does).
"$TCA" watch huge_channel --interval 1 >"$WORK/watch.out" 2>&1 &
w=$!
PIDS+=("$w")
for _ in $(seq 1 200); do grep -qs watching "$WORK/watch.out" && break; sleep 0.05; done
kill -9 $w
wait $w 2>/dev/null || true
sql "DELETE FROM jobs WHERE state IN (0, 1)"

helix() { # prints "chatters_requests users_requests 429s"
    sim_get /_sim/stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["requests"]
print(sum(v for k, v in r.items() if k.startswith("/helix/chat/chatters")),
      sum(v for k, v in r.items() if k.startswith("/helix/users")),
      d["statuses"].get("429", 0))'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

read -r cs us _ < <(helix)
ts=$(date +%s.%N)
"$TCA" worker >"$WORK/worker.log" 2>&1 &
worker=$!
PIDS+=("$worker")
sleep "$warmup"
read -r c0 u0 _ < <(helix)
caps0=$(sql "SELECT count(*) FROM captures")
cpu0=$(cpu_ticks $worker)
t0=$(date +%s.%N)
sleep "$seconds"
read -r c1 u1 limited < <(helix)
caps1=$(sql "SELECT count(*) FROM captures")
cpu1=$(cpu_ticks $worker)
t1=$(date +%s.%N)
pages=$(sql "SELECT pages FROM captures ORDER BY id DESC LIMIT 1")
chatters=$(sql "SELECT chatter_count FROM captures ORDER BY id DESC LIMIT 1")
kill -9 $worker
wait $worker 2>/dev/null || true
python3 - "$c0" "$u0" "$c1" "$u1" "$limited" "$caps0" "$caps1" "$cpu0" "$cpu1" "$t0" "$t1" \
    "$pages" "$chatters" "$(getconf CLK_TCK)" "$cs" "$us" "$ts" <<'PY'
import sys
c0, u0, c1, u1, limited, caps0, caps1, cpu0, cpu1 = (int(x) for x in sys.argv[1:10])
t0, t1 = float(sys.argv[10]), float(sys.argv[11])
pages, chatters, hz = int(sys.argv[12]), int(sys.argv[13]), int(sys.argv[14])
cs, us, ts = int(sys.argv[15]), int(sys.argv[16]), float(sys.argv[17])
# From the worker's start the token may spend its full bucket plus the refill: the share of
# that used is the figure that does not depend on when the first 800 points went.
total = c1 + u1 - cs - us
allowed = 800 + 800 * (t1 - ts) / 60
print(f"since the worker started ({t1 - ts:.0f} s): {total} points of {allowed:.0f} the bucket "
      f"allowed ({100 * total / allowed:.1f}%)")
minutes = (t1 - t0) / 60
chat, users, caps = c1 - c0, u1 - u0, caps1 - caps0
used = (chat + users) / minutes
print(f"window {t1 - t0:.0f} s after warm-up; channel of {chatters} chatters, {pages} pages a capture")
print(f"steady window: {used:.0f} points a minute of 800 ({100 * used / 800:.1f}%): "
      f"Get Chatters {chat / minutes:.0f}, Get Users {users / minutes:.0f}")
print(f"captures: {caps / minutes:.2f} a minute; the budget allows {800 / pages:.2f} "
      f"with no enrichment, {(800 - users / minutes) / pages:.2f} beside this enrichment")
print(f"429 answered: {limited}")
if caps:
    print(f"worker CPU per capture: {1000 * (cpu1 - cpu0) / hz / caps:.0f} ms "
          f"(utime + stime over the window / captures, enrichment included)")
PY
