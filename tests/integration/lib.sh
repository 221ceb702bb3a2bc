# Shared by the integration tests: start `tca twitch-sim` on a loopback port the OS picks,
# point tca at it through the environment, and clean up whatever the test started.
# Sourced by tests/integration/test_*.sh; $TCA is the binary under test.
set -euo pipefail

: "${TCA:?TCA must point at the tca binary}"
WORK=$(mktemp -d /tmp/tca-it-XXXXXX)
PIDS=()

cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
check() { echo "ok: $*"; }

# start_sim [twitch-sim flags...]: starts the simulator, sets SIM to its base URL.
start_sim() {
    rm -f "$WORK/sim.port"
    # the simulator reads TWITCH_CLIENT_* like every role: never from a developer's .env here
    TCA_ENV_FILE="$WORK/none.env" TWITCH_CLIENT_ID=tca-sim-client TWITCH_CLIENT_SECRET=tca-sim-secret \
        "$TCA" twitch-sim --listen 127.0.0.1:0 --port-file "$WORK/sim.port" --device-interval 1 \
        "$@" >"$WORK/sim.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do [ -s "$WORK/sim.port" ] && break; sleep 0.05; done
    [ -s "$WORK/sim.port" ] || { cat "$WORK/sim.log"; fail "simulator did not start"; }
    SIM="http://127.0.0.1:$(cat "$WORK/sim.port")"
    export TWITCH_CLIENT_ID=tca-sim-client TWITCH_CLIENT_SECRET=tca-sim-secret
    export TWITCH_REDIRECT_URL=http://127.0.0.1:9/auth/callback
    export TWITCH_API_BASE="$SIM/helix" TWITCH_AUTH_BASE="$SIM/oauth2"
    export TCA_DB="$WORK/tca.db" TCA_ENV_FILE="$WORK/none.env"
    export APP_SESSION_SECRET=dGNhLWludGVncmF0aW9uLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODk=
    # the simulator's EventSub WebSocket, never Twitch's, for the workers of these tests
    TWITCH_EVENTSUB_URL=$(sim_get /_sim/eventsub | jq -r .url) || fail "no simulated EventSub"
    export TWITCH_EVENTSUB_URL
}

sim_get() { curl -sf "$SIM$1"; }
sim_post() { curl -sf -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" "$SIM$1"; }
sim_delete() { curl -sf -X DELETE "$SIM$1"; }
sql() { sqlite3 "$TCA_DB" "$1"; }

# audience_count ID: how many chatters the simulator serves now for broadcaster ID.
audience_count() {
    sim_get "/_sim/audience?broadcaster_id=$1" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["user_ids"]))'
}

login() {
    "$TCA" login >"$WORK/login.out" 2>&1 || { cat "$WORK/login.out"; fail "tca login failed"; }
    grep -q "Logged in as" "$WORK/login.out" || fail "login printed no confirmation"
}
