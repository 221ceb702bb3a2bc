#!/bin/bash
# `tca serve` in demo mode runs the gateway too: a browser logs in through the in-process
# simulator's authorize auto-consent, asks for a capture over the API, sees the job go from
# queued to done, and SIGTERM stops everything gracefully.
. "$(dirname "$0")/lib.sh"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TCA_DB="$WORK/tca.db" TCA_ENV_FILE="$WORK/none.env" TCA_LISTEN="127.0.0.1:$port"
export APP_SESSION_SECRET=dGNhLWludGVncmF0aW9uLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODk=
export TCA_CAPTURE_INTERVAL=3600
unset TWITCH_CLIENT_ID TWITCH_CLIENT_SECRET TWITCH_REDIRECT_URL TWITCH_API_BASE TWITCH_AUTH_BASE
GW="http://127.0.0.1:$port"
"$TCA" serve >"$WORK/serve.log" 2>&1 &
serve_pid=$!
PIDS+=($serve_pid)
for _ in $(seq 1 200); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "$GW/healthz" >/dev/null || { cat "$WORK/serve.log"; fail "serve has no gateway"; }
check "tca serve answers /healthz"

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
[[ "$callback" == "$GW/auth/callback?"* ]] || fail "the simulator did not consent: $callback"
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
check "browser login through the in-process simulator"

job=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -X POST \
    "$GW/api/v1/sessions/active/channels/20001/capture" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
state=queued
for _ in $(seq 1 200); do
    state=$(curl -sf -b "$jar" "$GW/api/v1/jobs/$job" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$state" = done ] || [ "$state" = failed ] && break
    sleep 0.1
done
[ "$state" = done ] || { tail -20 "$WORK/serve.log"; fail "capture job ended $state"; }
check "a capture asked over the API is run by the workers"

ready=$(curl -s "$GW/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
[ "$ready" = ready ] || fail "readyz: $ready"
curl -sf "$GW/metrics" | grep -q 'tca_jobs{state="done"}' || fail "no job gauges in /metrics"
check "readyz and metrics"

kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve exited with $? on SIGTERM"
grep -q "serve stopped" "$WORK/serve.log" || fail "no graceful stop"
check "graceful stop on SIGTERM"
