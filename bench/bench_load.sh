#!/bin/bash
# Load run of every read route of the gateway with wrk on loopback, at 500 and 2,000
# concurrent connections (LOAD_CONNS), LOAD_SECONDS (60) each, authenticated by a read-only
# API key over a session with real captures of two channels. Prints requests per second,
# p99 latency, errors (socket errors and non-2xx replies) and the load average (the machine
# may be shared) per route; asserts nothing. Not here: the event stream (one long response)
# and the routes that change data. LOAD_ROUTES (space-separated glob patterns) keeps only the
# routes matching one of them, e.g. LOAD_ROUTES="*/export /api/v1/sessions */history".
# Usage: bench/bench_load.sh [BUILD_DIR]   (needs wrk, curl, python3)
set -euo pipefail
build=${1:-build}
seconds=${LOAD_SECONDS:-60}
conns_list=${LOAD_CONNS:-500 2000}
TCA=${TCA:-$(cd "$(dirname "$0")/.." && pwd)/$build/tca}
WORK=$(mktemp -d /tmp/tca-load-XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
# 2,000 connections need as many descriptors in wrk and in the gateway
ulimit -n "$(ulimit -Hn)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

sim_port=$(free_port)
"$TCA" twitch-sim --listen "127.0.0.1:$sim_port" >"$WORK/sim.log" 2>&1 &
PIDS+=($!)
port=$(free_port)
export TWITCH_CLIENT_ID=tca-sim-client TWITCH_CLIENT_SECRET=tca-sim-secret
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback"
export TWITCH_API_BASE="http://127.0.0.1:$sim_port/helix"
export TWITCH_AUTH_BASE="http://127.0.0.1:$sim_port/oauth2"
export TCA_DB="$WORK/tca.db" TCA_ENV_FILE="$WORK/none.env" TCA_RATE_LIMIT=0
export APP_SESSION_SECRET=dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==
GW="http://127.0.0.1:$port"
# one access-log line per request: gigabytes at these rates, so none is kept
"$TCA" gateway --listen "127.0.0.1:$port" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
cb=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$cb"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | json 'd["csrf_token"]')
key=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data '{"name":"load","read_only":true}' "$GW/api/v1/keys" | json 'd["key"]')
for c in cozy_channel raid_channel cozy_channel raid_channel; do
    "$TCA" capture "$c" >/dev/null 2>"$WORK/capture.err" || { cat "$WORK/capture.err"; exit 1; }
done
auth="Authorization: Bearer $key"
s=$(curl -sf -H "$auth" "$GW/api/v1/sessions/active" | json 'd["id"]')
job=$(curl -sf -H "$auth" "$GW/api/v1/sessions/$s/jobs" | json 'd["jobs"][0]["id"]')
chatter=$(curl -sf -H "$auth" "$GW/api/v1/sessions/$s/stats?sections=viewer_list" |
    json 'd["channels"][0]["viewers"]["chatters"][0]["id"]')
echo "session $s (4 captures of cozy_channel and raid_channel), job $job, chatter $chatter;" \
    "${seconds} s per route and connection count"

routes=(
    / /healthz /readyz /metrics /api/v1/openapi.json /api/v1/me /api/v1/channels
    /api/v1/sessions "/api/v1/sessions/$s" "/api/v1/sessions/$s/captures"
    "/api/v1/sessions/$s/jobs" "/api/v1/jobs/$job" /api/v1/keys "/api/v1/sessions/$s/stats"
    "/api/v1/sessions/$s/overlap?a=cozy_channel&b=raid_channel" "/api/v1/sessions/$s/export"
    "/api/v1/overlap?session_a=$s&session_b=$s" "/api/v1/chatters/$chatter"
    /api/v1/channels/cozy_channel/history /api/v1/bots "/api/v1/sessions/$s/chatters"
    /api/v1/webhooks /api/v1/deliveries /api/v1/watchlist
)
if [ -n "${LOAD_ROUTES:-}" ]; then
    kept=()
    read -r -a patterns <<<"$LOAD_ROUTES"
    for route in "${routes[@]}"; do
        for pattern in "${patterns[@]}"; do
            # shellcheck disable=SC2053 # the pattern is a glob on purpose
            if [[ "$route" == $pattern ]]; then
                kept+=("$route")
                break
            fi
        done
    done
    routes=("${kept[@]}")
fi
for route in "${routes[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$GW$route")
    [ "$code" = 200 ] || echo "warning: $route answers $code before the load"
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
printf '%-58s %6s %11s %9s %6s %6s %s\n' route conns requests/s p99 errors load1 details
total=0
for conns in $conns_list; do
    for route in "${routes[@]}"; do
        out=$(wrk -t2 -c"$conns" -d"${seconds}"s --timeout 10s --latency -H "$auth" "$GW$route")
        rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
        details=$(echo "$out" | awk '/Socket errors|Non-2xx/ {print}' | tr -s ' ' | tr '\n' ' ')
        errors=$(echo "$details" | awk '{for (i = 1; i <= NF; i++) n += $i + 0} END {print n + 0}')
        total=$((total + errors))
        printf '%-58s %6s %11s %9s %6s %6s %s\n' "$route" "$conns" "$rps" "$p99" "$errors" \
            "$(cut -d' ' -f1 /proc/loadavg)" "$details"
    done
done
echo "errors in all (socket errors and non-2xx replies): $total"
