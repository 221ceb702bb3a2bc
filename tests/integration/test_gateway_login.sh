#!/bin/bash
# `tca gateway` against `tca twitch-sim`: the browser login with a cookie jar, CSRF refusal,
# a capture queued over the API, an API key that works until revoked, logout, an access log
# without secrets, and a graceful stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

start_sim
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback"
GW="http://127.0.0.1:$port"
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gw.log" 2>&1 &
gw_pid=$!
PIDS+=($gw_pid)
for _ in $(seq 1 100); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "$GW/healthz" >/dev/null || { cat "$WORK/gw.log"; fail "gateway did not start"; }
check "gateway answers /healthz"

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
[[ "$loc" == "$SIM/oauth2/authorize?"* ]] || fail "login does not redirect to Twitch: $loc"
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
[[ "$callback" == "$GW/auth/callback?"* ]] || fail "Twitch did not come back: $callback"
status=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' "$callback")
[ "$status" = 302 ] || fail "callback answered $status"
grep -q tca_session "$jar" || fail "no session cookie"
grep tca_session "$jar" | grep -q '#HttpOnly_' || fail "session cookie is not HttpOnly"
session=$(grep tca_session "$jar" | awk '{print $7}')
check "login with Twitch sets an HttpOnly session cookie"

me=$(curl -sf -b "$jar" "$GW/api/v1/me")
[ "$(echo "$me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["login"])')" = demo_mod ] ||
    fail "me is not demo_mod: $me"
csrf=$(echo "$me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
check "GET /api/v1/me names the user"

status=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' -X POST \
    "$GW/api/v1/sessions/active/channels/20002/capture")
[ "$status" = 403 ] || fail "POST without CSRF token answered $status"
check "a POST without the CSRF token is refused"

job=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -X POST \
    "$GW/api/v1/sessions/active/channels/20002/capture" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
[ "$(sql "SELECT state FROM jobs WHERE id = $job")" = 0 ] || fail "capture job not queued"
check "capture now queues job $job"

key=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data '{"name":"script"}' "$GW/api/v1/keys" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["key"])')
key_id=${key%% *}
key=${key#* }
state=$(curl -sf -H "Authorization: Bearer $key" "$GW/api/v1/jobs/$job" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
[ "$state" = queued ] || fail "job state over the API key: $state"
curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -X DELETE "$GW/api/v1/keys/$key_id" >/dev/null
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$GW/api/v1/me")
[ "$status" = 401 ] || fail "revoked key answered $status"
check "an API key reads the job's state until it is revoked"

curl -sf -b "$jar" -c "$jar" -H "X-CSRF-Token: $csrf" -X POST "$GW/auth/logout" >/dev/null ||
    fail "logout failed"
status=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "$GW/api/v1/me")
[ "$status" = 401 ] || fail "after logout me answered $status"
check "logout ends the session"

kill -TERM "$gw_pid"
wait "$gw_pid" || fail "gateway exited with $? on SIGTERM"
grep -q "gateway stopped" "$WORK/gw.log" || fail "no graceful stop in the log"
for secret in "$key" "$csrf" "$session" "$APP_SESSION_SECRET"; do
    if grep -qF -- "$secret" "$WORK/gw.log"; then fail "a secret is in the log"; fi
done
grep -q 'route=/api/v1/sessions/{session}/channels/{channel}/capture status=202' "$WORK/gw.log" ||
    fail "no access log line for the capture"
check "access log without secrets; graceful stop on SIGTERM"
