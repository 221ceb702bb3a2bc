#!/bin/bash
# Load run of the gateway with wrk on loopback: GET /api/v1/sessions/{id} (a session summary
# with real captures, authenticated by an API key) at 20, 100 and 500 concurrent connections.
# Prints requests per second, p99 latency and errors; asserts nothing. BENCH_REDIS=1 runs the
# gateway on a throwaway redis-server (unix socket, stopped at the end) as TCA_REDIS.
# Usage: bench/bench_gateway.sh [BUILD_DIR]   (needs wrk, curl, python3; TCA= another binary)
set -euo pipefail
build=${1:-build}
TCA=${TCA:-$(cd "$(dirname "$0")/.." && pwd)/$build/tca}
WORK=$(mktemp -d /tmp/tca-bench-XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
if [ "${BENCH_REDIS:-0}" = 1 ]; then
    # shellcheck source=tests/support/redis.sh
    . "$(dirname "$0")/../tests/support/redis.sh"
    mkdir -p "$WORK/redis"
    redis_start "$WORK/redis" >/dev/null
    PIDS+=("$REDIS_PID")
    export TCA_REDIS="unix://$REDIS_SOCK"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

sim_port=$(free_port)
"$TCA" twitch-sim --listen "127.0.0.1:$sim_port" --client-id tca-sim-client \
    --client-secret tca-sim-secret >"$WORK/sim.log" 2>&1 &
PIDS+=($!)
port=$(free_port)
export TWITCH_CLIENT_ID=tca-sim-client TWITCH_CLIENT_SECRET=tca-sim-secret
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback"
export TWITCH_API_BASE="http://127.0.0.1:$sim_port/helix"
export TWITCH_AUTH_BASE="http://127.0.0.1:$sim_port/oauth2"
export TCA_DB="$WORK/tca.db" TCA_ENV_FILE="$WORK/none.env" TCA_RATE_LIMIT=0
export APP_SESSION_SECRET=dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==
GW="http://127.0.0.1:$port"
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gw.log" 2>&1 &
echo $! >"${BENCH_PID_FILE:-/dev/null}"
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
cb=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$cb"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
key=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data '{"name":"bench","read_only":true}' "$GW/api/v1/keys" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
# a summary with real captures of two channels
for c in cozy_channel raid_channel cozy_channel; do "$TCA" capture "$c" >/dev/null 2>&1; done
session=$(curl -sf -H "Authorization: Bearer $key" "$GW/api/v1/sessions/active" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["captures"])')
echo "session ${session% *} with ${session#* } captures; route GET /api/v1/sessions/{session};" \
    "kv: ${TCA_REDIS:+Redis at }${TCA_REDIS:-in-process}"
url="$GW/api/v1/sessions/${session% *}"

for conns in 20 100 500; do
    out=$(wrk -t2 -c"$conns" -d"${BENCH_SECONDS:-10}"s --latency -H "Authorization: Bearer $key" "$url")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | awk '/Socket errors|Non-2xx/ {print}' | tr '\n' ' ')
    printf 'gateway summary read  connections=%-4s requests/s=%-10s p99=%-8s errors=%s\n' \
        "$conns" "$rps" "$p99" "${errors:-none}"
done
