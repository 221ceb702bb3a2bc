#!/bin/bash
# Two processes, one store, one Redis: `tca gateway` and `tca analysis` share their HTTP rate
# limits and their API-key cache, so a key revoked through the gateway is refused by the
# analysis process on the very next request (it used to keep working ~5 s there). Also:
# env-check and the roles say exactly what is wrong with TCA_REDIS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../support/redis.sh"

start_sim --manual-clock
mkdir -p "$WORK/redis"
redis_start "$WORK/redis"
PIDS+=($REDIS_PID)

export TCA_REDIS="unix:///nonexistent/redis.sock"
if "$TCA" env-check >"$WORK/env.out" 2>&1; then fail "env-check passed with an unreachable Redis"; fi
grep -q "TCA_REDIS: cannot connect to Redis at unix:///nonexistent/redis.sock" "$WORK/env.out" ||
    { cat "$WORK/env.out"; fail "env-check did not say what is wrong"; }
if TCA_REDIS="redis://localhost:99999" "$TCA" gateway --listen 127.0.0.1:0 >"$WORK/bad.out" 2>&1; then
    fail "gateway started with a malformed TCA_REDIS"
fi
grep -q "TCA_REDIS" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "gateway did not name TCA_REDIS"; }
export TCA_REDIS="unix://$REDIS_SOCK"
"$TCA" env-check >"$WORK/env.out" 2>&1 || { cat "$WORK/env.out"; fail "env-check with Redis"; }
grep -q "kv: Redis at unix://$REDIS_SOCK answers" "$WORK/env.out" || fail "env-check said: $(cat "$WORK/env.out")"
check "env-check and the roles say what is wrong with TCA_REDIS"

export TCA_RATE_LIMIT=60 TCA_RATE_BURST=30
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
aport=$(free_port)
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback"
GW="http://127.0.0.1:$port"
AN="http://127.0.0.1:$aport"
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gw.log" 2>&1 &
PIDS+=($!)
"$TCA" analysis --listen "127.0.0.1:$aport" >"$WORK/analysis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do curl -sf "$GW/healthz" >/dev/null && curl -sf "$AN/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "$AN/healthz" >/dev/null || { cat "$WORK/analysis.log"; fail "analysis did not start"; }

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
key=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    --data '{"name":"script"}' "$GW/api/v1/keys" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["key"])')
key_id=${key%% *}
key=${key#* }
stats="$AN/api/v1/sessions/active/stats?sections=raids"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# Twice: the second answer comes from the cache the first one filled.
[ "$(code -H "Authorization: Bearer $key" "$stats")" = 200 ] || fail "key refused by analysis"
[ "$(code -H "Authorization: Bearer $key" "$stats")" = 200 ] || fail "cached key refused by analysis"
curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -X DELETE "$GW/api/v1/keys/$key_id" >/dev/null ||
    fail "revoke through the gateway"
got=$(code -H "Authorization: Bearer $key" "$stats")
[ "$got" = 401 ] || fail "analysis answered $got right after the gateway revoked the key"
check "a key revoked through the gateway is refused by tca analysis at once"

# The per-IP bucket (burst 30, one a second) is one bucket for both processes: 20 requests
# to each cannot all pass, though each process alone sees fewer than its burst.
ok=0 limited_an=0 start=$SECONDS
for i in $(seq 1 20); do
    for base in "$GW" "$AN"; do
        c=$(code -H "Authorization: Bearer nope" "$base/api/v1/sessions/active/stats?sections=raids")
        [ "$c" = 429 ] || ok=$((ok + 1))
        [ "$c" = 429 ] && [ "$base" = "$AN" ] && limited_an=$((limited_an + 1))
    done
done
elapsed=$((SECONDS - start))
echo "passed $ok of 40 in ${elapsed}s; analysis limited $limited_an times"
[ "$ok" -le $((30 + elapsed + 1)) ] || fail "$ok requests passed a shared burst of 30"
[ "$limited_an" -gt 0 ] || fail "analysis never limited: the buckets are not shared"
check "HTTP rate limits are shared by the gateway and the analysis process"
