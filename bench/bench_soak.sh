#!/bin/bash
# Soak of `tca serve` in demo mode: huge_channel (100,000 chatters) and big_channel (20,000)
# captured every SOAK_CAPTURE_S (10) seconds while wrk keeps reading the session's summary,
# captures and the like through a read-only API key (SOAK_CONNS connections) and one more
# connection asks for the session's statistics over and over. Every 10 s it prints the RSS,
# the captures done, requests/s and p99 latency of both kinds over those 10 s; at the end
# the RSS slope (least squares, MB per hour) over the whole run and over its second half
# (after the caches filled). Flat is the goal; asserts nothing.
# Usage: bench/bench_soak.sh [BUILD_DIR]   (SOAK_SECONDS=1800 by default)
set -euo pipefail
build=${1:-build}
seconds=${SOAK_SECONDS:-1800}
conns=${SOAK_CONNS:-20}
TCA=${TCA:-$(cd "$(dirname "$0")/.." && pwd)/$build/tca}
WORK=$(mktemp -d /tmp/tca-soak-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
unset TWITCH_CLIENT_ID TWITCH_CLIENT_SECRET TWITCH_REDIRECT_URL
export TCA_DB="$WORK/tca.db" TCA_ENV_FILE="$WORK/none.env" TCA_RATE_LIMIT=0
export TCA_CAPTURE_INTERVAL=${SOAK_CAPTURE_S:-10}
export APP_SESSION_SECRET=dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==
GW="http://127.0.0.1:$port"
# the access log goes to a pipe that keeps only the capture lines (it would be gigabytes)
"$TCA" serve --listen "127.0.0.1:$port" --demo-channels huge_channel,big_channel 2>&1 |
    grep --line-buffered 'capture channel=' >"$WORK/captures.log" &
sleep 0.5
pid=$(pgrep -n -f "serve --listen 127.0.0.1:$port")
for _ in $(seq 1 400); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
cb=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$cb"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | json 'd["csrf_token"]')
key=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data '{"name":"soak","read_only":true}' "$GW/api/v1/keys" | json 'd["key"]')
auth="Authorization: Bearer $key"
s=$(curl -sf -H "$auth" "$GW/api/v1/sessions/active" | json 'd["id"]')
cat >"$WORK/mix.lua" <<LUA
local paths = {"/api/v1/sessions/$s", "/api/v1/sessions/$s/captures", "/api/v1/me", "/healthz"}
local i = 0
request = function()
    i = i + 1
    return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
echo "tca serve pid $pid, session $s; captures every ${TCA_CAPTURE_INTERVAL} s; API: $conns" \
    "connections over 4 light read routes, and 1 more asking for the session's statistics;" \
    "${seconds} s"
printf '%6s %8s %9s %11s %9s %11s %9s\n' t_s rss_mb captures light_req/s light_p99 \
    stats_req/s stats_p99
: >"$WORK/rss"
start=$SECONDS
while [ $((SECONDS - start)) -lt "$seconds" ]; do
    wrk -t1 -c1 -d10s --timeout 30s --latency -H "$auth" \
        "$GW/api/v1/sessions/$s/stats?sections=summary" >"$WORK/heavy" &
    light=$(wrk -t1 -c"$conns" -d10s --timeout 30s --latency -s "$WORK/mix.lua" -H "$auth" "$GW")
    wait $!
    t=$((SECONDS - start))
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
    caps=$(wc -l <"$WORK/captures.log")
    printf '%6s %8s %9s %11s %9s %11s %9s\n' "$t" "$rss" "$caps" \
        "$(echo "$light" | awk '/Requests\/sec/ {print $2}')" \
        "$(echo "$light" | awk '$1 == "99%" {print $2}')" \
        "$(awk '/Requests\/sec/ {print $2}' "$WORK/heavy")" \
        "$(awk '$1 == "99%" {print $2}' "$WORK/heavy")"
    echo "$t $rss" >>"$WORK/rss"
done
python3 - "$WORK/rss" <<'PY'
import sys
pts = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
def slope(p):
    if len(p) < 2: return float("nan")
    n = len(p); mx = sum(x for x, _ in p) / n; my = sum(y for _, y in p) / n
    return sum((x - mx) * (y - my) for x, y in p) / sum((x - mx) ** 2 for x, _ in p) * 3600
print(f"RSS slope: {slope(pts):+.1f} MB/hour over the run, "
      f"{slope(pts[len(pts) // 2:]):+.1f} MB/hour over its second half; "
      f"RSS {pts[0][1]:.0f} -> {pts[-1][1]:.0f} MB")
PY
