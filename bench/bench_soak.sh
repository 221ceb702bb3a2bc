#!/bin/bash
# Soak of `tca serve` in demo mode: huge_channel (100,000 chatters) and big_channel (20,000)
# captured every SOAK_CAPTURE_S (5) seconds for the whole run, while wrk keeps reading
# through a read-only API key: SOAK_CONNS (20) connections over light routes (a session, its
# captures, /me, /healthz) and 2 more asking for the statistics and the overlap of a session.
#
# Steady size: the first SOAK_WARM (6) captures of huge_channel fill session 1; then a new
# session takes the schedules over (captures go on, into session 2) and session 1 is saved,
# so the session the API reads keeps its size while the process keeps capturing. What is
# left growing is the store on disk, never the data a request loads: a flat RSS then means
# no leak in capturing or answering.
#
# Every SOAK_SAMPLE_S (30) seconds it prints the RSS, the captures done, requests/s and p99
# of both kinds over that span; at the end the RSS slope (least squares, MB per hour) over
# the whole run and over its second half. Flat is the goal; asserts nothing.
# Usage: bench/bench_soak.sh [BUILD_DIR]   (SOAK_SECONDS=1800 by default)
set -euo pipefail
build=${1:-build}
seconds=${SOAK_SECONDS:-1800}
conns=${SOAK_CONNS:-20}
sample=${SOAK_SAMPLE_S:-30}
warm=${SOAK_WARM:-6}
TCA=${TCA:-$(cd "$(dirname "$0")/.." && pwd)/$build/tca}
WORK=$(mktemp -d /tmp/tca-soak-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
unset TWITCH_CLIENT_ID TWITCH_CLIENT_SECRET TWITCH_REDIRECT_URL
# captures (and the API) only: the demo's chat capture would measure the simulated chat too
export TWITCH_EVENTSUB_URL=off
export TCA_DB="$WORK/tca.db" TCA_ENV_FILE="$WORK/none.env" TCA_RATE_LIMIT=0
export TCA_CAPTURE_INTERVAL=${SOAK_CAPTURE_S:-5}
export APP_SESSION_SECRET=dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==
GW="http://127.0.0.1:$port"
# the access log goes to a file of capture lines only (it would be gigabytes)
mkfifo "$WORK/log"
grep --line-buffered 'capture channel=' <"$WORK/log" >"$WORK/captures.log" &
"$TCA" serve --listen "127.0.0.1:$port" --demo-channels huge_channel,big_channel >"$WORK/log" 2>&1 &
pid=$!
for _ in $(seq 1 400); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
cb=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$cb"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | json 'd["csrf_token"]')
post() { curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' --data "$2" "$GW$1"; }
key=$(post /api/v1/keys '{"name":"soak","read_only":true}' | json 'd["key"]')
auth="Authorization: Bearer $key"
s=$(curl -sf -H "$auth" "$GW/api/v1/sessions/active" | json 'd["id"]')
huge_captures() { grep -c 'capture channel=20004' "$WORK/captures.log" || true; }
start=$SECONDS
while [ "$(huge_captures)" -lt "$warm" ]; do
    sleep 1
    [ $((SECONDS - start)) -lt 900 ] || { echo "warm-up captures did not come"; exit 1; }
done
post /api/v1/sessions '{"carry_schedules":true}' >/dev/null
post "/api/v1/sessions/$s/save" '{"label":"soak"}' >/dev/null
held=$(curl -sf -H "$auth" "$GW/api/v1/sessions/$s" | json 'd["captures"]')
cat >"$WORK/light.lua" <<LUA
local paths = {"/api/v1/sessions/$s", "/api/v1/sessions/$s/captures", "/api/v1/me", "/healthz"}
local i = 0
request = function()
    i = i + 1
    return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
cat >"$WORK/heavy.lua" <<LUA
local paths = {"/api/v1/sessions/$s/stats?sections=summary",
               "/api/v1/overlap?session_a=$s&session_b=$s"}
local i = 0
request = function()
    i = i + 1
    return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
echo "tca serve pid $pid; session $s steady after $(huge_captures) huge_channel captures" \
    "($held captures in all); captures go on every ${TCA_CAPTURE_INTERVAL} s into the next" \
    "session; API: $conns connections over 4 light routes of session $s, 2 more over its" \
    "statistics and overlap; RSS every $sample s for $seconds s; load average beside"
# socket errors and non-2xx replies of a wrk report, summed
errors() { awk '/Socket errors|Non-2xx/ {for (i = 1; i <= NF; i++) n += $i + 0} END {print n + 0}'; }
printf '%6s %8s %9s %11s %9s %11s %9s %6s %6s\n' t_s rss_mb captures light_req/s light_p99 \
    heavy_req/s heavy_p99 errors load1
: >"$WORK/rss"
start=$SECONDS
while [ $((SECONDS - start)) -lt "$seconds" ]; do
    wrk -t1 -c2 -d"${sample}s" --timeout 60s --latency -s "$WORK/heavy.lua" -H "$auth" "$GW" \
        >"$WORK/heavy" &
    light=$(wrk -t1 -c"$conns" -d"${sample}s" --timeout 60s --latency -s "$WORK/light.lua" \
        -H "$auth" "$GW")
    wait $!
    t=$((SECONDS - start))
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
    caps=$(wc -l <"$WORK/captures.log")
    printf '%6s %8s %9s %11s %9s %11s %9s %6s %6s\n' "$t" "$rss" "$caps" \
        "$(echo "$light" | awk '/Requests\/sec/ {print $2}')" \
        "$(echo "$light" | awk '$1 == "99%" {print $2}')" \
        "$(awk '/Requests\/sec/ {print $2}' "$WORK/heavy")" \
        "$(awk '$1 == "99%" {print $2}' "$WORK/heavy")" \
        "$(($(echo "$light" | errors) + $(errors <"$WORK/heavy")))" "$(cut -d' ' -f1 /proc/loadavg)"
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
      f"RSS {pts[0][1]:.0f} -> {pts[-1][1]:.0f} MB, max {max(y for _, y in pts):.0f} MB")
PY
