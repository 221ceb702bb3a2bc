#!/bin/bash
# CPU of `tca worker` ingesting chat over EventSub: the worker follows big_channel's chat
# (chat capture on) through `tca twitch-sim` over a loopback WebSocket; the simulator's clock
# is advanced TICKS minutes at once, and the worker's CPU (user + system, from /proc) is read
# once every message is stored. Prints the messages, the worker's CPU per message, and what
# 10,000 messages a minute cost; asserts nothing.
# Usage: bench/bench_eventsub_worker.sh [BUILD_DIR] [TICKS]
set -euo pipefail
build=${1:-build}
ticks=${2:-4}
root=$(cd "$(dirname "$0")/.." && pwd)
TCA=${TCA:-$root/$build/tca}
WORK=$(mktemp -d /tmp/tca-bench-XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
TCA_ENV_FILE="$WORK/none.env" TWITCH_CLIENT_ID=bench TWITCH_CLIENT_SECRET=bench-secret \
    "$TCA" twitch-sim --listen 127.0.0.1:0 --port-file "$WORK/sim.port" --device-interval 1 \
    --manual-clock >"$WORK/sim.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/sim.port" ] && break; sleep 0.05; done
SIM="http://127.0.0.1:$(cat "$WORK/sim.port")"
export TWITCH_CLIENT_ID=bench TWITCH_CLIENT_SECRET=bench-secret
export TWITCH_REDIRECT_URL=http://127.0.0.1:9/auth/callback
export TWITCH_API_BASE="$SIM/helix" TWITCH_AUTH_BASE="$SIM/oauth2"
export TCA_DB="$WORK/tca.db" TCA_ENV_FILE="$WORK/none.env" TCA_WORKERS=1
# every message is scored too (the lexicons from npm ci in lexicons/)
export TCA_SENTIMENT_LEXICONS="$root/lexicons/node_modules"
export APP_SESSION_SECRET=dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==
TWITCH_EVENTSUB_URL=$(curl -sf "$SIM/_sim/eventsub" | jq -r .url)
export TWITCH_EVENTSUB_URL
"$TCA" login --chat >/dev/null
"$TCA" capture big_channel >/dev/null
"$TCA" chat on >/dev/null
"$TCA" worker >"$WORK/worker.log" 2>&1 &
worker=$!
PIDS+=("$worker")
for _ in $(seq 1 240); do
    [ "$(curl -sf "$SIM/_sim/eventsub" | jq .chat_subscriptions)" = 1 ] && break
    sleep 0.25
done
cpu_ms() { # user + system CPU of the worker so far, in ms
    awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$worker/stat"
}
stored() { "$TCA" chat --json | jq .messages; }
before=$(cpu_ms)
start=$(date +%s.%N)
now=$(curl -sf -X POST "$SIM/_sim/advance?ticks=$ticks" | jq .tick)
want=$(curl -sf "$SIM/_sim/chat?broadcaster_id=20003&from_tick=1&to_tick=$now" | jq .messages)
for _ in $(seq 1 1200); do
    [ "$(stored)" -ge "$want" ] && break
    sleep 0.25
done
got=$(stored)
end=$(date +%s.%N)
used=$(($(cpu_ms) - before))
# the idle cost: the same worker with nothing arriving, over 10 s
idle_before=$(cpu_ms)
sleep 10
idle=$(($(cpu_ms) - idle_before))
awk -v m="$got" -v want="$want" -v cpu="$used" -v s="$start" -v e="$end" -v idle="$idle" \
    -v ticks="$ticks" 'BEGIN {
    printf "tca worker, chat capture of big_channel over EventSub (loopback, SQLite):\n"
    printf "  %d of %d messages stored (%d simulated minutes) in %.1f s wall\n", m, want, ticks, e - s
    printf "  worker CPU (user+system, every thread, polling the store included): %d ms, %.1f us a message\n", cpu, cpu * 1000 / m
    printf "  idle worker (nothing arriving): %d ms of CPU in 10 s\n", idle
    printf "  at 10,000 messages a minute: %.2f s of CPU a minute (%.1f%% of one core) + idle\n", cpu / m * 10000 / 1000, cpu / m * 10000 / 600
}'
