#!/bin/bash
# The deployment files, checked without a container engine: both compose files with Debian's
# `docker-compose config -q`; the services, environment names and analysis routes against
# what tca reads and what a running `tca analysis` serves (tests/deploy/check_compose.py);
# the Prometheus configuration and alert rules with `promtool check` and their unit tests
# with `promtool test rules`; Alertmanager's with `amtool check-config`; the Grafana
# dashboard and the Loki/promtail files parse.
. "$(dirname "$0")/lib.sh"
d="$TCA_ROOT/deploy"
cat >"$WORK/compose.env" <<'ENV'
TCA_DOMAIN=tca.test
ACME_EMAIL=ops@tca.test
TRAEFIK_DASHBOARD_AUTH=admin:$$2y$$05$$notarealhash
TWITCH_CLIENT_ID=client
TWITCH_CLIENT_SECRET=secret
APP_SESSION_SECRET=dGNhLWludGVncmF0aW9uLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODk=
MARIADB_ROOT_PASSWORD=root-pass
MARIADB_PASSWORD=tca-pass
GRAFANA_ADMIN_PASSWORD=grafana-pass
ALERT_WEBHOOK_URL=https://hooks.tca.test/alerts
ENV

if command -v docker-compose >/dev/null; then
    for f in docker-compose.yml docker-compose.dev.yml; do
        docker-compose -f "$d/$f" --env-file "$WORK/compose.env" config -q ||
            fail "docker-compose config rejects $f"
    done
    # a secret left out of .env stops compose instead of starting with an empty value
    grep -v '^APP_SESSION_SECRET=' "$WORK/compose.env" >"$WORK/partial.env"
    if docker-compose -f "$d/docker-compose.yml" --env-file "$WORK/partial.env" config -q 2>"$WORK/err"; then
        fail "compose starts without APP_SESSION_SECRET"
    fi
    grep -q APP_SESSION_SECRET "$WORK/err" || fail "compose does not name the missing secret"
    docker-compose -f "$d/docker-compose.yml" --env-file "$WORK/compose.env" config >"$WORK/compose.yml"
    check "both compose files are valid; a missing secret is refused by name"
else
    echo "docker-compose is not installed: compose syntax not checked"
    python3 -c 'import sys,yaml; yaml.safe_load(open(sys.argv[1]))' "$d/docker-compose.yml"
    cp "$d/docker-compose.yml" "$WORK/compose.yml"
fi

# The routes: ask a real `tca analysis` which it serves.
export TWITCH_CLIENT_ID=client TWITCH_CLIENT_SECRET=secret TCA_ENV_FILE="$WORK/none.env"
export TWITCH_REDIRECT_URL=http://127.0.0.1:9/auth/callback TCA_DB="$WORK/tca.db"
export APP_SESSION_SECRET=dGNhLWludGVncmF0aW9uLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODk= TCA_RATE_LIMIT=0
# the log exists before the background redirect opens it: the port loop below reads it at once
: >"$WORK/analysis.log"
"$TCA" analysis --listen 127.0.0.1:0 >"$WORK/analysis.log" 2>&1 &
PIDS+=($!)
port=""
for _ in $(seq 1 200); do
    port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WORK/analysis.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { cat "$WORK/analysis.log"; fail "tca analysis did not start"; }
python3 "$TCA_ROOT/tests/deploy/check_compose.py" "$TCA_ROOT" "$WORK/compose.yml" \
    "http://127.0.0.1:$port" || fail "compose disagrees with tca"
check "services, environment names and analysis routes agree with tca"

if command -v promtool >/dev/null; then
    promtool check config "$d/prometheus/prometheus.yml" >/dev/null || fail "promtool check config"
    promtool check rules "$d/prometheus/alerts.yml" >/dev/null || fail "promtool check rules"
    (cd "$d/prometheus" && promtool test rules alerts_test.yml) || fail "promtool test rules"
    check "Prometheus configuration valid; alert rules pass their unit tests"
else
    echo "promtool is not installed: rules not checked"
fi
if command -v amtool >/dev/null; then
    amtool check-config "$d/alertmanager/alertmanager.yml" >/dev/null || fail "amtool check-config"
    check "Alertmanager configuration valid"
else
    echo "amtool is not installed: Alertmanager configuration not checked"
fi
python3 - "$d" <<'PY' || fail "Grafana or Loki files"
import json, sys, yaml, glob
d = sys.argv[1]
dash = json.load(open(f"{d}/grafana/dashboards/tca.json"))
titles = [p["title"] for p in dash["panels"]]
exprs = " ".join(t["expr"] for p in dash["panels"] for t in p.get("targets", []))
for metric in ["tca_captures_completed_total", "tca_jobs", "tca_job_queue_age_seconds",
               "tca_twitch_ratelimit_remaining", "tca_http_request_duration_seconds_bucket",
               "tca_http_requests_total"]:
    assert metric in exprs, f"the dashboard does not show {metric}"
for f in glob.glob(f"{d}/loki/*.yml") + glob.glob(f"{d}/grafana/provisioning/*/*.yml"):
    yaml.safe_load(open(f))
print(f"dashboard: {len(titles)} panels")
PY
check "the Grafana dashboard shows captures, queue, budget, latency and errors; Loki files parse"

# JSON log lines for Loki
TCA_LOG_FORMAT=json "$TCA" analysis --listen 127.0.0.1:0 >"$WORK/json.log" 2>&1 &
pid=$!
PIDS+=("$pid")
for _ in $(seq 1 200); do [ -s "$WORK/json.log" ] && break; sleep 0.05; done
kill "$pid"
wait "$pid" || true
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no log line"
for l in lines:
    o = json.loads(l)
    assert set(o) == {"ts", "level", "msg"}, o
' "$WORK/json.log" || { cat "$WORK/json.log"; fail "TCA_LOG_FORMAT=json lines are not JSON"; }
check "TCA_LOG_FORMAT=json writes one JSON object a line"
