#!/bin/bash
# The statistics API over real HTTP: a raid and a bot wave found at the right capture, a
# streamed (chunked) CSV export named after the session and date whose rows equal the stats
# and the CLI's export byte for byte, one
# capture's exact chatter list equal to what the simulator served, a chatter's profile, a
# channel overlap, the known-bots list (add, remove, import with line-numbered errors), and
# 400/404 for bad parameters and sessions that are not the user's.
. "$(dirname "$0")/lib.sh"

start_sim --manual-clock
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback"
GW="http://127.0.0.1:$port"
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gw.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
check "logged in through the gateway"

# The CLI acts for the most recent login: the same user, the same active session.
: >"$WORK/served.jsonl"
for tick in $(seq 0 9); do
    sim_get "/_sim/audience?broadcaster_id=20005" >>"$WORK/served.jsonl"
    echo >>"$WORK/served.jsonl"
    "$TCA" capture raid_channel >>"$WORK/captures.out" 2>&1 || { cat "$WORK/captures.out"; fail "capture $tick"; }
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
"$TCA" capture cozy_channel >>"$WORK/captures.out" 2>&1 || fail "capture cozy_channel"

api() { curl -sf -b "$jar" "$GW$1"; }
status() { curl -s -b "$jar" -o /dev/null -w '%{http_code}' "$@"; }

api "/api/v1/sessions/active/stats?sections=raids,accounts,participation&channel=raid_channel" >"$WORK/stats.json" ||
    fail "stats route"
api "/api/v1/sessions/active/export?what=chatters&format=csv&channel=raid_channel" >"$WORK/chatters.csv" ||
    fail "export route"
disposition=$(curl -s -b "$jar" -D - -o /dev/null "$GW/api/v1/sessions/active/export?what=timeline&format=csv" |
    tr -d '\r' | sed -n 's/^Content-Disposition: //Ip')
[[ "$disposition" == attachment\;\ filename=\"tca-session*-timeline-20*.csv\" ]] ||
    fail "export file name: $disposition"
api "/api/v1/sessions/active/export?what=capture&channel=raid_channel&capture=6&format=json" >"$WORK/capture6.json" ||
    fail "capture export"
python3 - "$WORK" <<'PY'
import csv, json, sys
work = sys.argv[1]
served = [set(json.loads(l)["user_ids"]) for l in open(f"{work}/served.jsonl") if l.strip()]
doc = json.load(open(f"{work}/stats.json"))
ch = doc["channels"][0]
assert ch["login"] == "raid_channel", ch["login"]
assert 6 in {r["seq"] for r in ch["raids"]}, ch["raids"]
day = doc["accounts"]["top_creation_days"][0]
assert day["day"] == "2025-06-14" and day["count"] == 150 and day["level"] == "critical", day
rows = list(csv.DictReader(open(f"{work}/chatters.csv", newline="")))
union = set().union(*served)
assert {r["id"] for r in rows} == union, (len(rows), len(union))
cap = json.load(open(f"{work}/capture6.json"))
ids = {str(r.get("id", r.get("user_id"))) for r in cap}
assert ids == served[5], (len(ids), len(served[5]))
print(f"ok: raid at capture 6, wave day critical, {len(rows)} chatters exported, capture 6 exact")
PY
check "stats, chatters export and capture export over HTTP match the simulator"

# Streamed: chunked, no Content-Length, and byte for byte what `tca export` writes.
headers=$(curl -s -b "$jar" -D - -o /dev/null "$GW/api/v1/sessions/active/export?what=chatters&format=csv" | tr -d '\r')
grep -qi '^Transfer-Encoding: chunked' <<<"$headers" || fail "export not chunked: $headers"
! grep -qi '^Content-Length' <<<"$headers" || fail "a streamed export has a Content-Length"
"$TCA" export --what chatters --format csv --channel raid_channel >"$WORK/cli-chatters.csv" || fail "cli export"
cmp "$WORK/chatters.csv" "$WORK/cli-chatters.csv" || fail "HTTP chatters export differs from the CLI's"
"$TCA" export --what capture --channel raid_channel --capture 6 --format json >"$WORK/cli-capture6.json" ||
    fail "cli capture export"
cmp "$WORK/capture6.json" "$WORK/cli-capture6.json" || fail "HTTP capture export differs from the CLI's"
check "HTTP exports are chunked and equal the CLI's byte for byte"

bot=$(python3 -c 'import csv; r=list(csv.DictReader(open("'"$WORK"'/chatters.csv"))); print(next(x["id"] for x in r if x["login"].startswith("coolviewer_")))')
api "/api/v1/chatters/$bot" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d, d' ||
    fail "chatter profile"
[ "$(status "$GW/api/v1/chatters/1")" = 404 ] || fail "unknown chatter is not 404"
api "/api/v1/sessions/active/overlap?a=raid_channel&b=cozy_channel" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert "jaccard" in json.dumps(d), d' ||
    fail "overlap of two channels"
check "chatter profile and channel overlap"

[ "$(status -X POST -H 'Content-Type: application/json' --data '{"login":"someviewer"}' "$GW/api/v1/bots")" = 403 ] ||
    fail "adding a bot without CSRF"
curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data '{"login":"SomeViewer","kind":"lurker"}' "$GW/api/v1/bots" >/dev/null || fail "add bot"
api /api/v1/bots | grep -q '"someviewer"' || fail "added bot not listed"
curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -X DELETE "$GW/api/v1/bots/someviewer" >/dev/null ||
    fail "remove bot"
[ "$(status -H "X-CSRF-Token: $csrf" -X DELETE "$GW/api/v1/bots/someviewer")" = 404 ] ||
    fail "removing twice is not 404"
out=$(curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: text/csv' \
    --data-binary $'login,kind\ngoodbot,service\nbad login!,lurker\n' "$GW/api/v1/bots/import")
echo "$out" | grep -q 'line 3' || fail "import error does not name the line: $out"
check "known bots: add, list, remove, import errors"

[ "$(status "$GW/api/v1/sessions/active/stats?sections=nope")" = 400 ] || fail "bad sections"
[ "$(status "$GW/api/v1/sessions/active/stats?raid_z=abc")" = 400 ] || fail "bad threshold"
[ "$(status "$GW/api/v1/sessions/active/export?what=everything")" = 400 ] || fail "bad export"
[ "$(status "$GW/api/v1/sessions/99999/stats")" = 404 ] || fail "someone else's session"
[ "$(status "$GW/api/v1/sessions/active/stats")" = 200 ] || fail "default sections"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$GW/api/v1/sessions/active/stats")" = 401 ] ||
    fail "stats without login"
check "bad parameters are 400, others' sessions 404, no login 401"

# `tca analysis`: the same statistics from its own process, and nothing else.
aport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TCA" analysis --listen "127.0.0.1:$aport" >"$WORK/analysis.log" 2>&1 &
PIDS+=($!)
AN="http://127.0.0.1:$aport"
for _ in $(seq 1 100); do curl -sf "$AN/healthz" >/dev/null && break; sleep 0.05; done
[ "$(status "$AN/api/v1/sessions/active/stats?sections=raids")" = 200 ] || fail "analysis role stats"
[ "$(status "$AN/api/v1/sessions/active")" = 404 ] || fail "analysis role serves session control"
[ "$(status -H "X-CSRF-Token: $csrf" -X POST "$AN/api/v1/sessions/active/channels/20005/capture")" = 404 ] ||
    fail "analysis role accepts captures"
check "tca analysis serves the statistics only"
