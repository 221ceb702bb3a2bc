#!/bin/bash
# The scaled-out topology end to end (scripts/cluster.sh): MariaDB, Redis, 2 gateways,
# 3 workers, 1 analysis behind an HAProxy TLS front, on the simulator. Through the front
# (curl --cacert): HTTP redirected to HTTPS, /metrics refused, the browser login, a schedule,
# statistics answered by the analysis process. A real Prometheus scrapes every role: every
# target up, the capture counter increased. Then a worker and a gateway are SIGKILLed: the
# front still answers, captures go on, and none is stored twice. The cluster is stopped at the
# end, also on failure.
. "$(dirname "$0")/lib.sh"
for bin in haproxy mariadbd redis-server openssl; do
    command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] ||
        { echo "skipped: $bin is not installed"; exit 0; }
done
cl="$WORK/cluster"
trap '"$TCA_ROOT/scripts/cluster.sh" down "$cl" || true; cleanup' EXIT
TCA_SIM_FLAGS="--tick-ms 700" "$TCA_ROOT/scripts/cluster.sh" up "$cl" >"$WORK/up.log" 2>&1 ||
    { cat "$WORK/up.log"; tail -5 "$cl"/*.log; fail "cluster did not start"; }
# shellcheck source=/dev/null
. "$cl/cluster.env"
check "cluster up: $(grep -c . "$cl/pids") processes, front $FRONT"
my() { mariadb --no-defaults --socket="$MARIADB_SOCK" -uroot -N tca -e "$1"; }
https() { curl -s --cacert "$CA" "$@"; }

loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$FRONT_HTTP/healthz")
[ "$loc" = "301 $FRONT/healthz" ] || fail "HTTP is not redirected to HTTPS: $loc"
[ "$(https -o /dev/null -w '%{http_code}' "$FRONT/metrics")" = 403 ] ||
    fail "/metrics is served through the front"
check "HTTP redirects to HTTPS; /metrics is not public"

jar="$WORK/jar"
loc=$(https -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$FRONT/auth/login")
[[ "$loc" == "$SIM/oauth2/authorize?"* ]] || fail "login does not redirect to Twitch: $loc"
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
[[ "$callback" == "$FRONT/auth/callback?"* ]] || fail "Twitch did not come back: $callback"
[ "$(https -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' "$callback")" = 302 ] ||
    fail "callback refused"
me=$(https -f -b "$jar" "$FRONT/api/v1/me") || fail "me failed after login"
csrf=$(echo "$me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
check "logged in through the TLS front"

https -f -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X PUT \
    --data '{"interval_s":5}' "$FRONT/api/v1/sessions/active/channels/20002/schedule" >/dev/null ||
    fail "schedule refused"
# every second from now on, faster than the API allows, to get captures quickly
my "UPDATE session_channels SET interval_s = 1, next_at = 0"
captures() { my "SELECT COUNT(*) FROM captures"; }
wait_captures() { # N SECONDS
    for _ in $(seq 1 $(($2 * 10))); do [ "$(captures)" -ge "$1" ] && return 0; sleep 0.1; done
    tail -3 "$cl"/worker*.log
    fail "only $(captures) captures after $2 s (wanted $1)"
}
wait_captures 4 120
check "the workers capture ($(captures) captures)"

sid=$(my "SELECT id FROM sessions LIMIT 1")
for _ in 1 2 3; do
    body=$(https -f -b "$jar" "$FRONT/api/v1/sessions/$sid/stats") || fail "stats through the front"
done
echo "$body" | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "stats is not JSON"
grep -q 'route=/api/v1/sessions/{session}/stats status=200' "$cl/analysis1.log" ||
    fail "the analysis process did not answer the stats"
if grep -q 'route=/api/v1/sessions/{session}/stats' "$cl"/gateway*.log; then
    fail "a gateway answered stats"
fi
check "statistics are served by the analysis process"

if [ -n "$PROM" ]; then
    prom() { curl -sf --data-urlencode "query=$1" "$PROM/api/v1/query" |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'; }
    targets=$(grep -o "127.0.0.1:[0-9]*'" "$cl/prometheus.yml" | wc -l)
    for _ in $(seq 1 300); do [ "$(prom 'count(up == 1)')" = "$targets" ] && break; sleep 0.2; done
    [ "$(prom 'count(up == 1)')" = "$targets" ] || fail "Prometheus: $(prom 'count(up == 1)') of $targets targets up"
    # the capture counter of the workers when they serve metrics, else the gateways' job gauge
    if grep -q 'job_name: worker' "$cl/prometheus.yml"; then
        q='sum(tca_captures_completed_total)'
    else
        q='max(tca_jobs{state="done"})'
    fi
    first=""
    for _ in $(seq 1 300); do
        v=$(prom "$q")
        [ "$v" != none ] && [ -z "$first" ] && first=$v
        [ -n "$first" ] && [ "$v" != none ] && [ "${v%.*}" -gt "${first%.*}" ] && break
        sleep 0.2
    done
    [ -n "$first" ] && [ "${v%.*}" -gt "${first%.*}" ] || fail "Prometheus: $q did not increase ($first -> $v)"
    check "Prometheus scrapes all $targets targets; $q went from $first to $v"
else
    echo "Prometheus not installed: scrape not checked"
fi

kill_role() { local pid; pid=$(awk -v n="$1" '$2 == n {print $1}' "$cl/pids"); kill -9 "$pid"; }
kill_role worker1
kill_role gateway1
before=$(captures)
for _ in $(seq 1 6); do
    https -f -b "$jar" "$FRONT/api/v1/me" >/dev/null || fail "the front failed a request after a gateway died"
    https -f -b "$jar" "$FRONT/api/v1/sessions/$sid/stats" >/dev/null || fail "stats after a gateway died"
done
wait_captures $((before + 4)) 180
check "a worker and a gateway killed: the front still answers, captures go on ($(captures))"

my "UPDATE session_channels SET enabled = 0"
for _ in $(seq 1 1200); do
    [ "$(my "SELECT COUNT(*) FROM jobs WHERE state IN (0, 1)")" = 0 ] && break
    sleep 0.1
done
n=$(captures)
[ "$(my "SELECT MAX(seq) FROM captures")" = "$n" ] || fail "capture numbers have a gap or a double"
twice=$(my "SELECT COUNT(*) FROM (SELECT job_id FROM captures WHERE job_id IS NOT NULL
            GROUP BY job_id HAVING COUNT(*) > 1) t")
[ "$twice" = 0 ] || fail "$twice jobs stored two captures"
wrong=$(my "SELECT COUNT(*) FROM captures c WHERE c.chatter_count <> (SELECT COUNT(*)
            FROM presence p WHERE p.session_id = c.session_id AND p.channel_id = c.channel_id
            AND p.from_seq <= c.seq AND (p.to_seq IS NULL OR p.to_seq >= c.seq))")
[ "$wrong" = 0 ] || fail "$wrong captures disagree with a recount of their stays"
check "$n captures numbered 1..$n, none stored twice, each matching its stays"
