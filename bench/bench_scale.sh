#!/bin/bash
# Scale-out: captures a minute of a 20,000-chatter channel (the simulator's big_channel,
# whose audience takes a step every second, BENCH_TICK_MS) with 1, 2 and 4 `tca worker` processes
# (TCA_WORKERS=1 thread each) on a throwaway MariaDB + Redis, and the CPU each capture costs
# in the workers, MariaDB, Redis and the simulator. Eight users each capture big_channel in
# their own session every second, more than any worker count here keeps up with, so the
# figure is the workers' throughput, not the schedule. Each session's captures are then many
# audience steps apart, so every capture sees about the same churn (printed), whatever the
# worker count: about half the audience replaced, a heavy case (a capture a minute of a calm
# stream changes a few percent: bench_ingest measures that). The servers run in a temporary folder
# and are stopped at the end, also on failure. Prints numbers; asserts nothing.
# Usage: bench/bench_scale.sh [BUILD_DIR]   (BENCH_SECONDS: measured window per run, 60;
#        BENCH_WORKERS: the worker counts, "1 2 4")
set -euo pipefail
build=${1:-build}
seconds=${BENCH_SECONDS:-60}
counts=${BENCH_WORKERS:-1 2 4}
root=$(cd "$(dirname "$0")/.." && pwd)
TCA=${TCA:-$root/$build/tca}
WORK=$(mktemp -d /tmp/tca-bench-scale-XXXXXX)
PIDS=()
WORKERS=()
REDIS_PID=
cleanup() {
    for p in "${WORKERS[@]:-}" "${PIDS[@]:-}" "$REDIS_PID"; do
        if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; fi
    done
    wait 2>/dev/null || true
    "$root/tests/support/mariadb.sh" stop "$WORK/mariadb" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# shellcheck source=tests/support/redis.sh
. "$root/tests/support/redis.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
hz=$(getconf CLK_TCK)
# cpu PID...: user+system CPU seconds of the processes so far (0 for one that is gone)
cpu() {
    local t=0 p
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] || continue
        t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    done
    echo "$t"
}

url=$("$root/tests/support/mariadb.sh" start "$WORK/mariadb")
mdb_pid=$(cat "$WORK/mariadb/server.pid")
my() { mariadb --no-defaults --socket="$WORK/mariadb/mysqld.sock" -uroot -N tca -e "$1"; }
mkdir -p "$WORK/redis"
redis_start "$WORK/redis" >/dev/null
sim_port=$(free_port)
"$TCA" twitch-sim --listen "127.0.0.1:$sim_port" --tick-ms "${BENCH_TICK_MS:-1000}" --ratelimit 1000000 \
    >"$WORK/sim.log" 2>&1 &
sim_pid=$!
PIDS+=("$sim_pid")
SIM="http://127.0.0.1:$sim_port"
port=$(free_port)
GW="http://127.0.0.1:$port"
export TWITCH_CLIENT_ID=tca-sim-client TWITCH_CLIENT_SECRET=tca-sim-secret
export TWITCH_REDIRECT_URL="$GW/auth/callback"
export TWITCH_API_BASE="$SIM/helix" TWITCH_AUTH_BASE="$SIM/oauth2"
export TCA_STORE="$url" TCA_REDIS="unix://$REDIS_SOCK" TCA_ENV_FILE="$WORK/none.env"
export TCA_RATE_LIMIT=0 TCA_WORKERS=1 TCA_LOG_LEVEL=warn
export APP_SESSION_SECRET=dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==
"$TCA" migrate >/dev/null
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do curl -sf "$GW/healthz" >/dev/null && curl -sf "$SIM/_sim/stats" >/dev/null && break; sleep 0.1; done

# Eight users who may read big_channel's chatters: its broadcaster, the demo moderator and
# six broadcasters of small channels made its moderators. Each logs in through the gateway
# and captures big_channel in their active session.
users="big_channel demo_mod chan_01 chan_02 chan_03 chan_04 chan_05 chan_06"
for i in 1 2 3 4 5 6; do
    curl -sf -X POST -H 'Content-Type: application/json' \
        --data "{\"broadcaster_id\":\"20003\",\"user_id\":\"$((20100 + i))\",\"moderator\":true}" \
        "$SIM/_sim/moderators" >/dev/null
done
for u in $users; do
    jar="$WORK/jar.$u"
    loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
    cb=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc&sim_login=$u")
    curl -s -c "$jar" -b "$jar" -o /dev/null "$cb"
    csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | json 'd["csrf_token"]')
    curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' --data '{}' \
        "$GW/api/v1/sessions" >/dev/null || { echo "$u could not start a session" >&2; exit 1; }
    curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X PUT \
        --data '{"interval_s":5}' "$GW/api/v1/sessions/active/channels/20003/schedule" \
        >/dev/null || { echo "$u could not schedule big_channel" >&2; exit 1; }
done
# The API's shortest interval is 5 s; every second keeps a capture due for every session.
my "UPDATE session_channels SET interval_s = 1, next_at = 0"
sessions=$(my "SELECT COUNT(*) FROM session_channels WHERE enabled = 1")
chatters=$(curl -sf "$SIM/_sim/audience?broadcaster_id=20003" | json 'len(d["user_ids"])')
echo "big_channel: $chatters chatters; $sessions sessions capture it every second;" \
    "MariaDB $(mariadbd --version 2>/dev/null | awk '{print $3}' || true) and Redis on unix sockets;" \
    "$(nproc) cores shared with the other builds on this machine"

captures() { my "SELECT COUNT(*) FROM captures"; }
printf '%-8s %10s %12s %14s %12s %10s %10s %8s\n' workers captures/min "ms/capture" "worker CPU ms" "MariaDB ms" "Redis ms" "sim ms" "churn"
for n in $counts; do
    WORKERS=()
    for _ in $(seq 1 "$n"); do
        "$TCA" worker >>"$WORK/worker.log" 2>&1 &
        WORKERS+=($!)
    done
    # warm-up: every session captured twice since these workers started (first captures of
    # a session store all 20,000 stays; later ones only the churn)
    start=$(captures)
    for _ in $(seq 1 1200); do [ "$(captures)" -ge $((start + 2 * sessions)) ] && break; sleep 0.5; done
    id0=$(my "SELECT COALESCE(MAX(id), 0) FROM captures")
    c0=$(captures) w0=$(cpu "${WORKERS[@]}") m0=$(cpu "$mdb_pid") r0=$(cpu "$REDIS_PID") s0=$(cpu "$sim_pid")
    t0=$(date +%s.%N)
    sleep "$seconds"
    c1=$(captures) w1=$(cpu "${WORKERS[@]}") m1=$(cpu "$mdb_pid") r1=$(cpu "$REDIS_PID") s1=$(cpu "$sim_pid")
    t1=$(date +%s.%N)
    churn=$(my "SELECT ROUND(AVG(joined + \`left\`)) FROM captures WHERE id > $id0")
    kill "${WORKERS[@]}" 2>/dev/null || true
    wait "${WORKERS[@]}" 2>/dev/null || true
    WORKERS=()
    python3 - "$churn" "$n" "$c0" "$c1" "$t0" "$t1" "$hz" "$w0" "$w1" "$m0" "$m1" "$r0" "$r1" "$s0" "$s1" <<'PY'
import sys
churn = sys.argv.pop(1)
n, c0, c1 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t0, t1, hz = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
w, m, r, s = [(int(sys.argv[i + 1]) - int(sys.argv[i])) * 1000 / hz for i in (7, 9, 11, 13)]
c = max(c1 - c0, 1)
print(f"{n:<8} {(c1 - c0) * 60 / (t1 - t0):10.1f} {(t1 - t0) * 1000 * n / c:12.0f}"
      f" {w / c:14.1f} {m / c:12.1f} {r / c:10.2f} {s / c:10.1f} {churn:>8}")
PY
done
echo "captures/min: captures stored in the window; ms/capture: worker wall time per capture" \
    "(window x workers / captures); CPU columns: CPU ms per capture of each process;" \
    "churn: chatters joined + left per capture"
