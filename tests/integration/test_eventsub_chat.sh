#!/bin/bash
# Chat capture over EventSub, end to end: `tca worker` against `tca twitch-sim` over a real
# WebSocket on loopback. A login without user:read:chat is told so; with it, every message the
# simulator's chat model wrote is counted exactly per chatter, a session_reconnect (with
# resent messages) neither loses nor doubles one, the raid arrives as ground truth, and a
# revocation stops the chat subscription and says why. No timing is asserted: the test polls.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock # chat is written only when the test advances the clock
RAID=20005               # raid_channel: talkers, and a raid at tick 5

wait_for() { # wait_for SECONDS DESCRIPTION 'CONDITION'
    local limit=$1 what=$2 condition=$3
    for _ in $(seq 1 $((limit * 4))); do eval "$condition" && return 0; sleep 0.25; done
    tail -20 "$WORK/worker.log"
    fail "after ${limit}s: $what"
}
start_worker() {
    TCA_WORKERS=1 "$TCA" worker >"$WORK/worker.log" 2>&1 &
    WORKER=$!
    PIDS+=("$WORKER")
}
stop_worker() { kill "$WORKER" && wait "$WORKER" 2>/dev/null; }
chat_json() { "$TCA" chat --json --chatters >"$WORK/chat.json" || fail "tca chat failed"; }
status() { chat_json && jq -r .status "$WORK/chat.json"; }
es() { sim_get /_sim/eventsub | jq -r ".$1"; }
tick() { sim_post "/_sim/advance?ticks=$1" | jq -r .tick; }
stored() { chat_json && jq -r .messages "$WORK/chat.json"; }
# same_counts FROM TO: what tca stored equals the chat model's truth over those ticks, per chatter
same_counts() {
    sim_get "/_sim/chat?broadcaster_id=$RAID&from_tick=$1&to_tick=$2" >"$WORK/truth.json"
    chat_json
    jq -e --slurpfile t "$WORK/truth.json" \
        '.messages_per_chatter == $t[0].per_chatter and .messages == $t[0].messages' \
        "$WORK/chat.json" >/dev/null
}

# 1. a login without user:read:chat: tca says which scope is missing, before and after Twitch
"$TCA" login >"$WORK/login.out" 2>&1 || { cat "$WORK/login.out"; fail "tca login failed"; }
"$TCA" capture raid_channel >/dev/null || fail "capture failed"
"$TCA" chat on >"$WORK/on.out" 2>&1 || { cat "$WORK/on.out"; fail "tca chat on failed"; }
grep -q "tca login --chat" "$WORK/on.out" || fail "chat on did not say the scope is missing"
start_worker
wait_for 60 "missing scope not recorded" '[[ "$(status)" == *user:read:chat* ]]'
check "without user:read:chat: $(status)"
stop_worker

# 2. with the scope: the worker subscribes; every message of ticks 1..3 is counted exactly
"$TCA" login --chat >"$WORK/login.out" 2>&1 || { cat "$WORK/login.out"; fail "login --chat"; }
"$TCA" chat on >"$WORK/on.out" 2>&1 || fail "tca chat on failed"
grep -q "login --chat" "$WORK/on.out" && fail "scope warning with the scope granted"
start_worker
wait_for 60 "no chat subscription" '[ "$(es chat_subscriptions)" = 1 ]'
[ "$(es subscriptions)" = 4 ] || fail "expected 4 subscriptions, the simulator has $(es subscriptions)"
first=$(tick 1) # subscribed at tick 0: chat from tick 1 on
now=$(tick 2)
truth=$(sim_get "/_sim/chat?broadcaster_id=$RAID&from_tick=$first&to_tick=$now" | jq .messages)
[ "$truth" -gt 0 ] || fail "the simulator wrote no messages in ticks $first..$now"
wait_for 60 "messages not all stored ($truth expected)" '[ "$(stored)" -ge "$truth" ]'
same_counts "$first" "$now" || fail "per-chatter counts differ from the simulator's"
talkers=$(jq '.channels[] | select(.login == "raid_channel") | .talkers' "$WORK/chat.json")
check "ticks $first..$now: $truth messages from $talkers talkers, exact per chatter"

# 3. session_reconnect mid-stream, the last 5 messages resent: none lost, none doubled
[ "$(sim_post '/_sim/eventsub/reconnect?resend=5' | jq .sessions)" = 1 ] || fail "no reconnect"
now=$(tick 3) # to tick 6: the raid at tick 5 too
truth=$(sim_get "/_sim/chat?broadcaster_id=$RAID&from_tick=$first&to_tick=$now" | jq .messages)
wait_for 60 "messages after the reconnect not stored ($truth expected)" \
    '[ "$(stored)" -ge "$truth" ]'
sleep 2 # a doubled message would land within the next flush
same_counts "$first" "$now" || fail "after the reconnect the counts differ (lost or doubled)"
check "reconnect: ticks $first..$now still exact ($truth messages)"
[ "$(jq '.raids | length' "$WORK/chat.json")" = 1 ] || fail "the raid was not recorded"
jq -e '.raids[0] | .viewers == 600 and .channel == "raid_channel" and (.from_login | length) > 0' \
    "$WORK/chat.json" >/dev/null || fail "raid: $(jq -c .raids "$WORK/chat.json")"
check "raid from $(jq -r '.raids[0].from_login' "$WORK/chat.json") with 600 viewers"

# the chatters export carries each chatter's messages: exactly the simulator's, 0 for lurkers
"$TCA" export --format json >"$WORK/export.json" || fail "tca export failed"
jq -e --slurpfile t "$WORK/truth.json" \
    'all(.[]; .messages == ($t[0].per_chatter[.id] // 0)) and any(.[]; .messages > 0)' \
    "$WORK/export.json" >/dev/null || fail "the export's messages column differs from the simulator"
check "export: messages per chatter as the simulator wrote them"

# 4. revocation: the chat subscription stops, the status says why, nothing more is counted
sim_post "/_sim/eventsub/revoke?broadcaster_id=$RAID&type=channel.chat.message" >/dev/null ||
    fail "revoke"
wait_for 60 "revocation not recorded" '[[ "$(status)" == *revoked*authorization_revoked* ]]'
before=$(stored)
tick 2 >/dev/null
sleep 3
[ "$(stored)" = "$before" ] || fail "messages counted after the revocation"
[ "$(es chat_subscriptions)" = 0 ] || fail "the chat subscription was created again"
check "revocation: '$(status)', counts frozen at $before"
grep -q "revoked" "$WORK/worker.log" || fail "the worker did not log the revocation"
grep -qi "text\|message\":" "$WORK/worker.log" && fail "the worker log looks like chat content"

# 5. deleting the session deletes its chat activity
sid=$(jq -r .session_id "$WORK/chat.json")
stop_worker
[ "$(sql "SELECT COUNT(*) FROM chat_counts WHERE session_id = $sid")" -gt 0 ] || fail "no rows"
sql "PRAGMA foreign_keys = ON; DELETE FROM sessions WHERE id = $sid"
[ "$(sql "SELECT COUNT(*) FROM chat_counts")" = 0 ] || fail "chat counts outlived the session"
check "chat counts go with the session"
