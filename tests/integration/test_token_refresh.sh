#!/bin/bash
# Twitch expires the access token: the next capture gets a 401, refreshes once, retries,
# succeeds, and the new tokens are stored (sealed, never in clear).
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock
login
before=$(sql "SELECT access_sealed FROM oauth_tokens")
sim_post /_sim/expire-tokens >/dev/null
"$TCA" capture cozy_channel >"$WORK/cap.out" || { cat "$WORK/cap.out"; fail "capture failed"; }
after=$(sql "SELECT access_sealed FROM oauth_tokens")
[ "$before" != "$after" ] || fail "refreshed token not stored"
issued=$(sim_get /_sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens_issued"])')
[ "$issued" -ge 2 ] || fail "no refresh happened"
check "expired token refreshed and stored"
