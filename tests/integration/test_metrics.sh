#!/bin/bash
# /metrics of a real gateway and of a worker-only process (--metrics-listen) after captures
# against the simulator, with a 500, a 429, a malformed page and a lost moderator role on the
# way: `promtool check metrics` finds nothing to say about either, and every number matches
# what the store and the simulator recorded.
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || fail "promtool is missing (Debian package prometheus)"

start_sim --manual-clock
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
mport=$(free_port)
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback" TCA_WORKERS=1
GW="http://127.0.0.1:$port"
WM="http://127.0.0.1:$mport"
wait_up() { # URL LOG
    for _ in $(seq 1 200); do curl -sf "$1/healthz" >/dev/null && return 0; sleep 0.05; done
    cat "$2"
    fail "$1 did not start"
}
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gw.log" 2>&1 &
PIDS+=($!)
wait_up "$GW" "$WORK/gw.log"

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')

"$TCA" worker --metrics-listen "127.0.0.1:$mport" >"$WORK/worker.log" 2>&1 &
worker_pid=$!
PIDS+=($worker_pid)
wait_up "$WM" "$WORK/worker.log"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$WM/api/v1/me")" = 404 ] ||
    fail "the worker's listener serves more than /metrics and /healthz"
check "a worker-only process serves /metrics and /healthz on --metrics-listen"

wait_idle() {
    for _ in $(seq 1 600); do
        [ "$(sql 'SELECT count(*) FROM jobs WHERE state IN (0, 1)')" = 0 ] && return 0
        sleep 0.1
    done
    tail -20 "$WORK/worker.log"
    fail "jobs never finished"
}
capture_now() { # CHANNEL_ID
    curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -X POST \
        "$GW/api/v1/sessions/active/channels/$1/capture" >/dev/null || fail "capture of $1 refused"
    wait_idle
}

# big_channel is scheduled (its first capture comes from the scheduler); the others are not.
curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X PUT \
    --data '{"interval_s": 3600}' "$GW/api/v1/sessions/active/channels/20003/schedule" >/dev/null ||
    fail "schedule refused"
for _ in $(seq 1 300); do [ "$(sql 'SELECT count(*) FROM captures')" = 1 ] && break; sleep 0.1; done
wait_idle
sim_post /_sim/faults '{"path":"/helix/chat/chatters","skip":1,"count":1,"status":500}' >/dev/null
capture_now 20003
sim_delete /_sim/faults >/dev/null
sim_post /_sim/faults '{"path":"/helix/chat/chatters","skip":2,"count":1,"status":429}' >/dev/null
capture_now 20003
sim_delete /_sim/faults >/dev/null
sim_post "/_sim/advance?ticks=1" >/dev/null
sim_post /_sim/faults '{"path":"/helix/chat/chatters","skip":3,"count":1,"malformed":true}' >/dev/null
capture_now 20003
sim_delete /_sim/faults >/dev/null
capture_now 20005
sim_post /_sim/moderators '{"broadcaster_id":"20005","user_id":"10001","moderator":false}' >/dev/null
capture_now 20005
[ "$(sql 'SELECT count(*) FROM captures')" = 5 ] || fail "captures: $(sql 'SELECT count(*) FROM captures')"
check "5 captures stored, 1 attempt failed on a malformed page, 1 job dead-lettered (not a moderator)"

curl -sf "$WM/metrics" >"$WORK/worker.prom" || fail "worker /metrics"
curl -sf "$GW/metrics" >"$WORK/gateway.prom" || fail "gateway /metrics"
for f in worker gateway; do
    promtool check metrics <"$WORK/$f.prom" >"$WORK/$f.promtool" 2>&1 ||
        { cat "$WORK/$f.promtool"; fail "promtool check metrics: $f"; }
    [ -s "$WORK/$f.promtool" ] && { cat "$WORK/$f.promtool"; fail "promtool has remarks on $f"; }
    for family in process_cpu_seconds_total process_resident_memory_bytes process_open_fds \
        process_start_time_seconds process_virtual_memory_bytes process_max_fds tca_build_info; do
        grep -q "^# TYPE $family " "$WORK/$f.prom" || fail "$f has no $family"
    done
done
check "promtool check metrics is clean on the gateway's and the worker's /metrics"

# val FILE SERIES: the value of one series; sum FILE PREFIX: the sum of the series it starts.
val() { awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }' "$1"; }
sum() { awk -v p="$2" 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$1"; }
expect() { # WHAT GOT WANT
    [ "$2" = "$3" ] || fail "$1: /metrics says $2, recomputed $3"
}
W="$WORK/worker.prom"
G="$WORK/gateway.prom"
expect "captures completed" "$(val "$W" tca_captures_completed_total)" "$(sql 'SELECT count(*) FROM captures')"
expect "malformed pages" "$(val "$W" 'tca_captures_failed_total{reason="malformed_page"}')" 1
expect "lost moderator role" "$(val "$W" 'tca_captures_failed_total{reason="lost_moderator_role"}')" 1
expect "failed attempts" "$(sum "$W" 'tca_captures_failed_total{')" 2
expect "renamed chatters" "$(val "$W" tca_capture_chatters_renamed_total)" "$(sql 'SELECT sum(renames) FROM captures')"
expect "renames in the store (gateway)" "$(val "$G" tca_capture_renames_total)" "$(sql 'SELECT sum(renames) FROM captures')"
expect "captures in the store (gateway)" "$(val "$G" tca_captures_stored_total)" "$(sql 'SELECT count(*) FROM captures')"
expect "new chatters" "$(val "$W" tca_capture_chatters_new_total)" "$(sql 'SELECT sum(new_to_channel) FROM captures')"
expect "pages" "$(val "$W" tca_capture_pages_sum)" "$(sql 'SELECT sum(pages) FROM captures')"
expect "pages count" "$(val "$W" tca_capture_pages_count)" 5
expect "duration count" "$(val "$W" tca_capture_duration_seconds_count)" 5
expect "chatters of big_channel" "$(val "$W" 'tca_capture_chatters{channel="big_channel"}')" \
    "$(sql 'SELECT chatter_count FROM captures WHERE channel_id = 20003 ORDER BY seq DESC LIMIT 1')"
expect "raid_channel is not scheduled" "$(val "$W" 'tca_capture_chatters{channel="raid_channel"}')" absent
check "capture counters, histograms and the chatters gauge match the store"

for kind in capture enrich validate; do
    expect "$kind jobs claimed" "$(val "$W" "tca_jobs_claimed_total{kind=\"$kind\"}")" \
        "$(sql "SELECT coalesce(sum(attempts), 0) FROM jobs WHERE kind = '$kind'")"
done
expect "capture jobs retried" "$(val "$W" 'tca_jobs_retried_total{kind="capture"}')" 1
expect "capture jobs dead-lettered" "$(val "$W" 'tca_jobs_dead_lettered_total{kind="capture"}')" \
    "$(sql "SELECT count(*) FROM jobs WHERE kind = 'capture' AND state = 3")"
expect "lease expiries" "$(sum "$W" tca_jobs_lease_expired_total)" 0
expect "workers" "$(val "$W" tca_workers)" 1
expect "busy workers" "$(val "$W" tca_workers_busy)" 0
expect "scheduler leader (no Redis: always this one)" "$(val "$W" tca_scheduler_leader)" 1
[ "$(val "$W" tca_scheduler_last_tick_timestamp_seconds | cut -d. -f1)" -gt 1700000000 ] ||
    fail "the scheduler's last tick is not recorded"
expect "profiles" "$(val "$W" tca_enrich_profiles_total)" \
    "$(sql 'SELECT count(*) FROM twitch_users WHERE enriched_at IS NOT NULL')"
expect "enrichment backlog" "$(val "$W" tca_enrich_backlog_profiles)" 0
check "job counters match the queue's attempts; workers idle; profiles match the store"

stats=$(sim_get /_sim/stats)
simcount() { echo "$stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['requests'].get('$1', 0))"; }
expect "chatters requests" "$(sum "$W" 'tca_twitch_requests_total{endpoint="chatters",')" \
    "$(simcount /helix/chat/chatters)"
expect "chatters 5xx" "$(val "$W" 'tca_twitch_requests_total{endpoint="chatters",status_class="5xx"}')" 1
expect "chatters 4xx (429, then 403)" \
    "$(val "$W" 'tca_twitch_requests_total{endpoint="chatters",status_class="4xx"}')" 2
expect "chatters retries" "$(val "$W" 'tca_twitch_retries_total{endpoint="chatters"}')" 2
expect "chatters 429s" "$(val "$W" 'tca_twitch_rate_limited_total{endpoint="chatters"}')" 1
wait429=$(val "$W" 'tca_twitch_ratelimit_wait_seconds_total{cause="429"}')
python3 -c "import sys; sys.exit(0 if 0 < float('$wait429') <= 65 else 1)" ||
    fail "seconds waited after the 429: $wait429"
for ep in token validate; do
    expect "$ep requests (gateway + worker)" \
        "$(($(sum "$W" "tca_twitch_requests_total{endpoint=\"$ep\",") + $(sum "$G" "tca_twitch_requests_total{endpoint=\"$ep\",")))" \
        "$(simcount "/oauth2/$ep")"
done
[ "$(val "$W" 'tca_twitch_token_validations_total{result="ok"}')" -ge 1 ] ||
    fail "the worker's start-up validation is not counted"
check "Twitch requests by endpoint and status class match the simulator's count"

expect "logins" "$(val "$G" tca_logins_total)" 1
expect "/api/v1/me" "$(val "$G" 'tca_http_requests_total{method="GET",route="/api/v1/me",status="200"}')" 1
expect "captures queued" "$(val "$G" tca_captures_queued_total)" 5
expect "jobs done" "$(val "$G" 'tca_jobs{state="done"}')" "$(sql 'SELECT count(*) FROM jobs WHERE state = 2')"
expect "jobs failed" "$(val "$G" 'tca_jobs{state="failed"}')" 1
grep -q '^tca_http_request_duration_seconds_bucket{method="GET",route="/api/v1/me",le="+Inf"} 1$' "$G" ||
    fail "no latency histogram for /api/v1/me"
check "the gateway's families: logins, requests by route, captures queued, jobs by state"

kill -TERM "$worker_pid"
wait "$worker_pid" || fail "worker exited with $? on SIGTERM"
check "the worker and its metrics listener stop on SIGTERM"
