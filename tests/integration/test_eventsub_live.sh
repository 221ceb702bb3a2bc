#!/bin/bash
# "Capture while live" started and stopped by EventSub, not by polling: `tca serve` against
# `tca twitch-sim` over a real loopback WebSocket, with the Get Streams polling set to an hour
# (TCA_LIVE_CHECK), far beyond the test. The simulator starts tiny_channel's stream: its
# stream.online starts the captures within seconds while the simulator counts no Get Streams
# call; stream.offline stops them the same way. The test polls what a user sees, with
# generous limits, so it holds under load; it asserts no duration.
. "$(dirname "$0")/lib.sh"

start_sim --manual-clock # streams change only when the test switches them
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback" TCA_LISTEN="127.0.0.1:$port"
export TCA_LIVE_CHECK=3600
GW="http://127.0.0.1:$port"
"$TCA" serve >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "$GW/healthz" >/dev/null || { cat "$WORK/serve.log"; fail "serve did not start"; }

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | jq -r .csrf_token)
[ -n "$csrf" ] && [ "$csrf" != null ] || fail "login through the simulator failed"

stream() { # stream ID true|false: the simulator starts or ends the broadcast now
    sim_post /_sim/streams "{\"broadcaster_id\":\"$1\",\"live\":$2}" >/dev/null ||
        fail "cannot switch stream $1"
}
captures() { sql "SELECT COUNT(*) FROM captures WHERE channel_id = 20001"; }
periodic() { # is tiny_channel captured periodically in the active session now?
    curl -sf -b "$jar" "$GW/api/v1/sessions/active" |
        jq -r '[.channels[] | select(.id == "20001" or .id == 20001)][0].periodic // false'
}
get_streams() { sim_get /_sim/stats | jq '[.requests | to_entries[] | select(.key | test("helix/streams")) | .value] | add // 0'; }
wait_for() { # wait_for SECONDS DESCRIPTION 'CONDITION': polls until CONDITION holds
    local limit=$1 what=$2 condition=$3
    for _ in $(seq 1 $((limit * 4))); do eval "$condition" && return 0; sleep 0.25; done
    tail -20 "$WORK/serve.log"
    fail "after ${limit}s: $what"
}

answer=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X PUT \
    --data '{"interval_s": 5}' "$GW/api/v1/sessions/active/channels/20001/live")
[ "$(echo "$answer" | jq -r .live)" = false ] || fail "tiny_channel should be offline: $answer"
wait_for 60 "stream.online/offline never subscribed" \
    '[ "$(sim_get /_sim/eventsub | jq .subscriptions)" -ge 2 ]'
# the PUT's own Get Streams check is behind us; the scheduler's next one is an hour away
polls=$(get_streams)
check "watching tiny_channel offline: subscribed to its stream status, $polls Get Streams calls so far"

stream 20001 true
wait_for 60 "stream.online did not start the captures" '[ "$(periodic)" = true ]'
wait_for 60 "no capture after stream.online" '[ "$(captures)" -ge 1 ]'
[ "$(get_streams)" = "$polls" ] || fail "Get Streams was called ($polls then $(get_streams)): not EventSub's doing"
check "stream.online started the captures ($(captures) so far), no Get Streams call"

stream 20001 false
wait_for 60 "stream.offline did not stop the captures" '[ "$(periodic)" = false ]'
[ "$(get_streams)" = "$polls" ] || fail "Get Streams was called ($polls then $(get_streams))"
check "stream.offline stopped them, still no Get Streams call"
