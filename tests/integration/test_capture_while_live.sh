#!/bin/bash
# Capture while live, end to end: `tca serve` against `tca twitch-sim`. A moderator asks to
# capture tiny_channel while it is live; it is offline, so nothing is captured; the simulator
# starts its stream, captures begin; it ends the stream, captures stop. Whichever role follows
# the live status (the gateway's sweep or the scheduler) runs inside serve: the test only polls
# what a user sees, with generous limits, so it holds under load.
. "$(dirname "$0")/lib.sh"

start_sim --manual-clock # streams change only when the test switches them
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback" TCA_LISTEN="127.0.0.1:$port"
GW="http://127.0.0.1:$port"
"$TCA" serve >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "$GW/healthz" >/dev/null || { cat "$WORK/serve.log"; fail "serve did not start"; }

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
check "logged in through the simulator"

stream() { # stream ID true|false: the simulator starts or ends the broadcast now
    sim_post /_sim/streams "{\"broadcaster_id\":\"$1\",\"live\":$2}" >/dev/null ||
        fail "cannot switch stream $1"
}
captures() { sql "SELECT COUNT(*) FROM captures WHERE channel_id = 20001"; }
periodic() { # is tiny_channel captured periodically in the active session now?
    curl -sf -b "$jar" "$GW/api/v1/sessions/active" | python3 -c '
import json, sys
chans = [c for c in json.load(sys.stdin)["channels"] if int(c["id"]) == 20001]
print("yes" if chans and chans[0].get("periodic") else "no")'
}
wait_for() { # wait_for SECONDS DESCRIPTION 'CONDITION': polls until CONDITION holds
    local limit=$1 what=$2 condition=$3
    for _ in $(seq 1 $((limit * 4))); do eval "$condition" && return 0; sleep 0.25; done
    tail -20 "$WORK/serve.log"
    fail "after ${limit}s: $what"
}

answer=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X PUT \
    --data '{"interval_s": 5}' "$GW/api/v1/sessions/active/channels/20001/live")
[ "$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["live"])')" = False ] ||
    fail "tiny_channel should be offline: $answer"
[ "$(periodic)" = no ] || fail "an offline channel is captured"
check "capture while live on an offline channel captures nothing"

stream 20001 true
wait_for 150 "captures did not start with the stream" '[ "$(periodic)" = yes ]'
wait_for 60 "no second capture while live" '[ "$(captures)" -ge 2 ]'
check "the stream went live: $(captures) captures so far"

stream 20001 false
wait_for 150 "captures did not stop with the stream" '[ "$(periodic)" = no ]'
sleep 6 # a capture already handed to a worker may still finish
before=$(captures)
sleep 12 # two intervals: none may start
after=$(captures)
[ "$after" = "$before" ] || fail "captures went on after the stream ended: $before then $after"
check "the stream ended: captures stopped at $after"

stream 20001 true
wait_for 150 "captures did not resume with the next stream" '[ "$(captures)" -gt "$after" ]'
check "the next stream starts capturing again"

