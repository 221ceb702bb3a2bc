#!/bin/bash
# Slow statistics requests do not hold up light ones: with eight statistics and overlap
# requests of a large session (3 captures of a 100,000-chatter channel) in flight, more
# than the gateway has connection threads, GET /api/v1/me is answered while they are in
# flight, none completing meanwhile. They run on the heavy workers, connections suspended,
# every one still gets its full answer (the same as asked alone), and /metrics counts them
# while they wait.
. "$(dirname "$0")/lib.sh"

start_sim --manual-clock --ratelimit 100000
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback" TCA_RATE_LIMIT=0
GW="http://127.0.0.1:$port"
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gw.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
curl -sf -b "$jar" "$GW/api/v1/me" >/dev/null || fail "not logged in"
for _ in 1 2 3; do
    "$TCA" capture huge_channel >>"$WORK/captures.out" 2>&1 || { cat "$WORK/captures.out"; fail "capture"; }
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
s=$(curl -sf -b "$jar" "$GW/api/v1/sessions/active" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check "3 captures of huge_channel in session $s"

# The reference answers, one at a time; `top` differs so that no cache answers for another.
slow_url() {
    case $1 in
    1) echo "$GW/api/v1/sessions/active/stats?sections=summary,accounts&top=$1" ;;
    *) echo "$GW/api/v1/overlap?session_a=$s&session_b=$s&top=$1" ;;
    esac
}
for i in 1 5; do
    curl -sf -b "$jar" "$(slow_url $i)" >"$WORK/alone$i.json" || fail "slow request $i alone"
done
# The statistics cache would answer the reference request again at once: a change of the
# known-bots list drops this user's cached documents (added and removed, so the answers stay).
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"login":"not_in_any_session"}' "$GW/api/v1/bots" >/dev/null || fail "add a known bot"
curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -X DELETE "$GW/api/v1/bots/not_in_any_session" \
    >/dev/null || fail "remove it"

done_count() {
    local n=0 f
    for f in "$WORK"/slow*.done; do [ -e "$f" ] && n=$((n + 1)); done
    echo "$n"
}
for i in $(seq 1 8); do
    (
        curl -s -b "$jar" -o "$WORK/slow$i.json" -w '%{http_code}' "$(slow_url "$i")" >"$WORK/slow$i.code"
        touch "$WORK/slow$i.done"
    ) &
done
# wait until the gateway holds them (its own gauge), then ask a light question
held=0
for _ in $(seq 1 600); do
    held=$(curl -s "$GW/metrics" | awk '$1 == "tca_http_heavy_requests" {print $2}')
    [ "${held:-0}" -ge 6 ] && break
    [ "$(done_count)" = 0 ] || break
    sleep 0.05
done
# /me must not wait for a slow request: none may complete while it is answered (on a
# connection thread shared with one, it would be answered only after that one completed).
# Three tries, so that one slow request completing by chance in those milliseconds is not
# taken for waiting; the old code waits at every try.
ok=0
for _ in 1 2 3; do
    before=$(done_count)
    me_code=$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' "$GW/api/v1/me")
    after=$(done_count)
    echo "heavy requests held: $held; /me: $me_code; slow requests done before/after: $before/$after"
    [ "${me_code%% *}" = 200 ] || fail "/me answered ${me_code%% *}"
    [ "$after" = "$before" ] && [ "$after" -lt 8 ] && { ok=1; break; }
done
[ "$ok" = 1 ] || fail "/me waited for slow requests to complete"
check "/me answered while slow requests were still running, none completing meanwhile"

for _ in $(seq 1 1200); do
    [ "$(done_count)" = 8 ] && break
    sleep 0.1
done
for i in $(seq 1 8); do
    [ -e "$WORK/slow$i.done" ] || fail "slow request $i never completed"
    [ "$(cat "$WORK/slow$i.code")" = 200 ] || fail "slow request $i: $(cat "$WORK/slow$i.code")"
done
cmp -s "$WORK/slow1.json" "$WORK/alone1.json" || fail "stats under load differ from stats alone"
cmp -s "$WORK/slow5.json" "$WORK/alone5.json" || fail "overlap under load differs from alone"
held=$(curl -s "$GW/metrics" | awk '$1 == "tca_http_heavy_requests" {print $2}')
[ "$held" = 0 ] || fail "gauge still says $held heavy requests"
check "all 8 slow requests answered 200, the same as alone; gauge back to 0"

# identical requests queued together share one run: every one still gets the whole answer
twins=()
for i in $(seq 1 6); do
    curl -s -b "$jar" -o "$WORK/twin$i.json" -w '%{http_code}' "$(slow_url 5)" >"$WORK/twin$i.code" &
    twins+=($!)
done
wait "${twins[@]}"
for i in $(seq 1 6); do
    [ "$(cat "$WORK/twin$i.code")" = 200 ] || fail "identical request $i: $(cat "$WORK/twin$i.code")"
    cmp -s "$WORK/twin$i.json" "$WORK/alone5.json" || fail "identical request $i: another answer"
done
check "6 identical overlap requests at once: 6 answers equal to the one asked alone"
