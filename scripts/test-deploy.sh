#!/bin/bash
# The container deployment for real, run by hand (never by `make check`): builds the tca image
# (deploy/Dockerfile) and stand-ins for the registry images from Debian packages
# (deploy/local/), starts deploy/docker-compose.yml with deploy/docker-compose.local.yml
# (2 gateways, 3 workers, 1 analysis, MariaDB, Redis, an HAProxy TLS front, Prometheus,
# Alertmanager, `tca twitch-sim` as Twitch) and checks through the front and Prometheus:
# Docker's DNS gives one address per replica, Prometheus scrapes every tca replica, a login
# and a capture go end to end, statistics come from the analysis role, tca's JSON logs are
# what the promtail pipeline parses. Prints the image size and the start times.
#   scripts/test-deploy.sh [--start-dockerd]
# Without a reachable engine it says so and exits 0. --start-dockerd (root, Debian's docker.io)
# starts a private dockerd for the run (data in $TCA_DEPLOY_CACHE, no iptables rules, no
# default bridge) and stops it at the end. No registry is needed: the base image is a
# debootstrap root imported once (TCA_BASE_IMAGE names another, e.g. debian:bookworm-slim).
# Everything it starts is removed at the end, also on failure; images stay cached.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${TCA_DEPLOY_CACHE:-/var/tmp/tca-deploy}
proj=tcadeploytest
image=tca:deploy-test
base=${TCA_BASE_IMAGE:-tca-local/debian:bookworm-slim}
work=$(mktemp -d /tmp/tca-deploy-XXXXXX)
dockerd_pid=""
up=0

fail() { echo "FAIL: $*" >&2; exit 1; }
check() { echo "ok: $*"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
dc() {
    TCA_IMAGE=$image docker-compose -p "$proj" -f "$root/deploy/docker-compose.yml" \
        -f "$root/deploy/docker-compose.local.yml" --env-file "$work/env" "$@"
}

cleanup() {
    local rc=$?
    if [ "$up" = 1 ]; then
        [ "$rc" != 0 ] && dc logs --no-color --tail 20 >"$work/last.log" 2>&1 &&
            tail -60 "$work/last.log" >&2
        dc down -v --remove-orphans >/dev/null 2>&1 || true
    fi
    if [ -n "$dockerd_pid" ]; then
        kill "$dockerd_pid" 2>/dev/null || true
        for _ in $(seq 1 300); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
        # what dockerd leaves mounted after a clean stop
        umount "$cache/exec/netns/default" "$cache/docker" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT

if [ "${1:-}" = --start-dockerd ]; then
    command -v dockerd >/dev/null || PATH="$PATH:/usr/sbin"
    command -v dockerd >/dev/null || fail "dockerd is not installed (apt-get install docker.io)"
    mkdir -p "$cache/docker"
    export DOCKER_HOST="unix://$cache/docker.sock"
    # no iptables rules and no default bridge: the engine must not touch the host's network;
    # compose's own bridges still carry the containers' traffic and Docker's DNS
    dockerd --data-root "$cache/docker" --exec-root "$cache/exec" --host "$DOCKER_HOST" \
        --pidfile "$cache/dockerd.pid" --iptables=false --ip-forward=false --ip-masq=false \
        --bridge=none >"$cache/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 300); do docker info >/dev/null 2>&1 && break; sleep 0.1; done
    # another run's engine on the same folder (dockerd refuses a second one on its pid file)
    kill -0 "$dockerd_pid" 2>/dev/null ||
        { dockerd_pid=""; tail -3 "$cache/dockerd.log" >&2; fail "dockerd did not start"; }
fi
if ! command -v docker >/dev/null || ! command -v docker-compose >/dev/null; then
    echo "skipped: docker or docker-compose is not installed"
    exit 0
fi
if ! docker info >/dev/null 2>"$work/info.err"; then
    echo "skipped: no container engine answers ($(tail -1 "$work/info.err"))"
    echo "  run as root with --start-dockerd (Debian's docker.io), or set DOCKER_HOST"
    exit 0
fi
echo "engine: $(docker version -f 'docker {{.Server.Version}}' 2>/dev/null)," \
    "$(docker info -f '{{.Driver}}' 2>/dev/null) storage"

# The base image: a minimal bookworm root, slimmed like debian:bookworm-slim, imported once.
if ! docker image inspect "$base" >/dev/null 2>&1; then
    [ "$base" = tca-local/debian:bookworm-slim ] || fail "no image $base"
    command -v debootstrap >/dev/null || PATH="$PATH:/usr/sbin"
    command -v debootstrap >/dev/null || fail "debootstrap is not installed"
    rootfs="$cache/rootfs-bookworm"
    if [ ! -x "$rootfs/bin/sh" ]; then
        rm -rf "$rootfs"
        debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian \
            >"$cache/debootstrap.log" 2>&1 || fail "debootstrap failed: $cache/debootstrap.log"
    fi
    cp "$root/deploy/local/dpkg-slim.cfg" "$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim"
    cp "$root/deploy/local/apt-clean.conf" "$rootfs/etc/apt/apt.conf.d/docker-clean"
    # the host's local CAs (a network whose HTTPS goes through a proxy): the build stage's
    # npm must trust what the host trusts; ca-certificates picks them up when installed
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' \
        -exec cp {} "$rootfs/usr/local/share/ca-certificates/" \; 2>/dev/null || true
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias \
        -exec rm -rf {} +
    tar -C "$rootfs" -c . | docker import - "$base" >/dev/null
fi
check "base image $base: $(docker image inspect -f '{{.Size}}' "$base" | numfmt --to=si)B"

# Images. The build containers use the host's network: apt and npm reach their registries as
# the host does; nothing else is pulled.
t=$(now)
version=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
docker build -q --network host --build-arg BUILD_IMAGE="$base" --build-arg RUNTIME_IMAGE="$base" \
    --build-arg TCA_VERSION="$version" \
    -f "$root/deploy/Dockerfile" -t "$image" "$root" >"$work/build.log" 2>&1 ||
    { tail -30 "$work/build.log"; fail "the tca image does not build"; }
build_s=$(since "$t")
size=$(docker image inspect -f '{{.Size}}' "$image")
for target in mariadb redis haproxy prometheus alertmanager; do
    docker build -q --network host --build-arg BASE_IMAGE="$base" --target "$target" \
        -f "$root/deploy/local/Dockerfile" -t "tca-local/$target" "$root" >"$work/build.log" 2>&1 ||
        { tail -30 "$work/build.log"; fail "the local $target image does not build"; }
done
check "images built (tca in ${build_s} s, cached layers count as built); tca image" \
    "$(numfmt --to=si "$size")B, base $(numfmt --to=si "$(docker image inspect -f '{{.Size}}' "$base")")B"
docker run --rm --network none "$image" --help | grep -q '^usage: tca' || fail "tca does not run in its image"
[ "$(docker run --rm --network none "$image" --version)" = "tca $version" ] ||
    fail "the image's tca --version is not tca $version"
docker run --rm --network none --entrypoint id "$image" | grep -q 'uid=10001(tca)' || fail "tca runs as root"
t=$(now)
docker run --rm --network none "$image" --help >/dev/null
check "the image runs tca as uid 10001; a container running 'tca --help' takes $(since "$t") s"

# TLS for the front: a CA and a certificate for the test domain, made now.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=tca-test-ca -keyout "$work/ca.key" \
    -out "$work/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj /CN=tca.test -keyout "$work/front.key" \
    -out "$work/front.csr" >/dev/null 2>&1
printf 'subjectAltName=DNS:tca.test\n' >"$work/san.ext"
openssl x509 -req -in "$work/front.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 2 -extfile "$work/san.ext" -out "$work/front.crt" >/dev/null 2>&1
cat "$work/front.crt" "$work/front.key" >"$work/front.pem"
chmod 644 "$work/front.pem"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port) https_port=$(free_port) sim_port=$(free_port) prom_port=$(free_port)
rootpw=$(openssl rand -hex 16)
cat >"$work/env" <<ENV
TCA_DOMAIN=tca.test
ACME_EMAIL=ops@tca.test
TRAEFIK_DASHBOARD_AUTH=unused
TWITCH_CLIENT_ID=tca-sim-client
TWITCH_CLIENT_SECRET=tca-sim-secret
APP_SESSION_SECRET=$(openssl rand -base64 32)
MARIADB_ROOT_PASSWORD=$rootpw
MARIADB_PASSWORD=$(openssl rand -hex 16)
GRAFANA_ADMIN_PASSWORD=unused
ALERT_WEBHOOK_URL=http://127.0.0.1:9/alerts
TCA_CAPTURE_INTERVAL=60
TCA_TEST_HTTP_PORT=$http_port
TCA_TEST_HTTPS_PORT=$https_port
TCA_TEST_SIM_PORT=$sim_port
TCA_TEST_PROM_PORT=$prom_port
TCA_TEST_CERT=$work/front.pem
ENV
dc config -q || fail "compose rejects the local override"

# Up, timed until the front answers through TLS and Prometheus has every tca replica up.
https() { curl -s --cacert "$work/ca.pem" --connect-to "tca.test:443:127.0.0.1:$https_port" "$@"; }
prom() {
    curl -sf --data-urlencode "query=$1" "http://127.0.0.1:$prom_port/api/v1/query" |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'
}
t=$(now)
up=1
dc up -d --scale gateway=2 --scale worker=3 --scale analysis=1 \
    gateway analysis worker front prometheus alertmanager twitch-sim >"$work/up.log" 2>&1 ||
    { cat "$work/up.log"; fail "compose up failed"; }
for _ in $(seq 1 1800); do
    [ "$(https -o /dev/null -w '%{http_code}' https://tca.test/healthz)" = 200 ] && break
    sleep 0.1
done
[ "$(https -o /dev/null -w '%{http_code}' https://tca.test/healthz)" = 200 ] ||
    fail "the front does not answer /healthz"
front_s=$(since "$t")
check "stack up: the front answers /healthz through TLS $front_s s after 'up' (MariaDB initialised)"

# Docker's DNS: one A record per replica, as Prometheus's dns_sd and the front rely on.
for svc in gateway:2 worker:3 analysis:1 mariadb:1 redis:1 twitch-sim:1; do
    n=$(dc exec -T gateway getent ahostsv4 "${svc%:*}" | awk '{print $1}' | sort -u | grep -c .)
    [ "$n" = "${svc#*:}" ] || fail "DNS: ${svc%:*} has $n addresses, want ${svc#*:}"
done
check "Docker DNS from a gateway: gateway 2, worker 3, analysis 1, mariadb, redis, twitch-sim"

for _ in $(seq 1 900); do
    [ "$(prom 'count(up{job=~"gateway|analysis|worker"} == 1)')" = 6 ] && break
    sleep 0.2
done
up_n=$(prom 'count(up{job=~"gateway|analysis|worker"} == 1)')
[ "$up_n" = 6 ] || fail "Prometheus: $up_n of 6 tca targets up"
prom_s=$(since "$t")
for job in gateway:2 analysis:1 worker:3; do
    [ "$(prom "count(up{job=\"${job%:*}\"} == 1)")" = "${job#*:}" ] || fail "Prometheus: job ${job%:*}"
done
curl -sf "http://127.0.0.1:$prom_port/api/v1/alertmanagers" | grep -q '"activeAlertmanagers":\[{' ||
    fail "Prometheus found no Alertmanager"
rules=$(curl -sf "http://127.0.0.1:$prom_port/api/v1/rules" | grep -o '"type":"alerting"' | wc -l)
[ "$rules" -gt 0 ] || fail "Prometheus loaded no alert rule"
check "Prometheus scrapes all 6 tca replicas through DNS ($prom_s s after 'up'), $rules alert rules, Alertmanager found"

loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
    --connect-to "tca.test:80:127.0.0.1:$http_port" http://tca.test/healthz)
[ "$loc" = "301 https://tca.test/healthz" ] || fail "HTTP is not redirected to HTTPS: $loc"
[ "$(https -o /dev/null -w '%{http_code}' https://tca.test/metrics)" = 403 ] ||
    fail "/metrics is served through the front"
check "HTTP redirects to HTTPS; /metrics is not public"

# Login through the front: the gateway sends the browser to Twitch (the simulator, reached
# from here at its published port), which sends it back to the front.
jar="$work/jar"
loc=$(https -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' https://tca.test/auth/login)
[[ "$loc" == "http://twitch-sim:8090/oauth2/authorize?"* ]] || fail "login does not go to Twitch: $loc"
callback=$(curl -s -o /dev/null -w '%{redirect_url}' --connect-to "twitch-sim:8090:127.0.0.1:$sim_port" "$loc")
[[ "$callback" == "https://tca.test/auth/callback?"* ]] || fail "Twitch did not come back: $callback"
[ "$(https -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' "$callback")" = 302 ] ||
    fail "callback refused"
me=$(https -f -b "$jar" https://tca.test/api/v1/me) || fail "me failed after login"
csrf=$(echo "$me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
check "logged in through the TLS front (the token exchange went gateway -> twitch-sim by DNS)"

https -f -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X PUT \
    --data '{"interval_s":5}' https://tca.test/api/v1/sessions/active/channels/20002/schedule \
    >/dev/null || fail "schedule refused"
my() { dc exec -T -e MYSQL_PWD="$rootpw" mariadb mariadb --no-defaults -uroot -N tca -e "$1"; }
# every second from now on, faster than the API allows, to get captures quickly
my "UPDATE session_channels SET interval_s = 1, next_at = 0"
captures() { my "SELECT COUNT(*) FROM captures"; }
for _ in $(seq 1 600); do [ "$(captures)" -ge 4 ] && break; sleep 0.2; done
[ "$(captures)" -ge 4 ] || fail "only $(captures) captures after 120 s"
workers=$(dc logs --no-color worker | grep -c 'capture' || true)
check "the workers capture ($(captures) captures; $workers worker log lines name a capture)"

sid=$(my "SELECT id FROM sessions LIMIT 1")
for _ in 1 2 3; do
    body=$(https -f -b "$jar" "https://tca.test/api/v1/sessions/$sid/stats") || fail "stats through the front"
done
echo "$body" | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "stats is not JSON"
# the logs go to files first: `dc logs | grep -q` under pipefail fails when grep stops reading
# at its first match and docker-compose dies of SIGPIPE, which a longer log makes likely
dc logs --no-color analysis >"$work/analysis.log" 2>&1
dc logs --no-color gateway >"$work/gateway.log" 2>&1
grep -q 'route=/api/v1/sessions/{session}/stats status=200' "$work/analysis.log" ||
    fail "the analysis role did not answer the stats"
if grep -q 'route=/api/v1/sessions/{session}/stats' "$work/gateway.log"; then
    fail "a gateway answered stats"
fi
check "statistics through the front are served by the analysis container"
dc logs --no-color worker >"$work/worker.log" 2>&1
if grep -q 'counted but not scored' "$work/worker.log"; then
    fail "the image has no sentiment lexicons"
fi
check "the workers found the sentiment lexicons in the image"

first=$(prom 'sum(tca_captures_completed_total)')
for _ in $(seq 1 600); do
    v=$(prom 'sum(tca_captures_completed_total)')
    [ "$first" != none ] && [ "$v" != none ] && [ "${v%.*}" -gt "${first%.*}" ] && break
    [ "$first" = none ] && first=$v
    sleep 0.2
done
if [ "$first" = none ] || [ "${v%.*}" -le "${first%.*}" ]; then
    fail "Prometheus: the capture counter did not increase ($first -> $v)"
fi
check "Prometheus sees the capture counter rise ($first -> $v)"

wrong=$(my "SELECT COUNT(*) FROM captures c WHERE c.chatter_count <> (SELECT COUNT(*)
            FROM presence p WHERE p.session_id = c.session_id AND p.channel_id = c.channel_id
            AND p.from_seq <= c.seq AND (p.to_seq IS NULL OR p.to_seq >= c.seq))")
[ "$wrong" = 0 ] || fail "$wrong captures disagree with a recount of their stays"
check "every capture's chatter count equals a recount of its stays"

# One more worker: Prometheus finds it through DNS alone (dns_sd refreshes every 30 s).
t=$(now)
dc up -d --no-recreate --scale gateway=2 --scale worker=4 worker >"$work/scale.log" 2>&1 ||
    { cat "$work/scale.log"; fail "scaling the workers failed"; }
for _ in $(seq 1 900); do
    [ "$(prom 'count(up{job="worker"} == 1)')" = 4 ] && break
    sleep 0.2
done
[ "$(prom 'count(up{job="worker"} == 1)')" = 4 ] ||
    fail "Prometheus: $(prom 'count(up{job="worker"} == 1)') of 4 workers up after scaling"
check "--scale worker=4: Prometheus scrapes the new worker $(since "$t") s later"

# A restart on a warm store: the gateways come back and serve the logged-in user again.
t=$(now)
dc restart gateway >/dev/null 2>&1 || fail "restart of the gateways failed"
for _ in $(seq 1 1200); do
    [ "$(https -b "$jar" -o /dev/null -w '%{http_code}' https://tca.test/api/v1/me)" = 200 ] && break
    sleep 0.1
done
[ "$(https -b "$jar" -o /dev/null -w '%{http_code}' https://tca.test/api/v1/me)" = 200 ] ||
    fail "the gateways did not come back after a restart"
restart_s=$(since "$t")
check "'docker-compose restart gateway' to the session answering again through the front: $restart_s s"

# The logs promtail would read: Docker's json-file lines of the tca containers, through the
# pipeline stages of deploy/loki/promtail.yml.
# promtail's relabelling reads compose's service label from Docker
for svc in gateway analysis worker; do
    label=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' \
        "$(dc ps -q "$svc" | head -1)")
    [ "$label" = "$svc" ] || fail "the $svc containers carry com.docker.compose.service=$label"
done
dc logs --no-color --no-log-prefix gateway analysis worker 2>&1 | grep -v '^Attaching to ' \
    >"$work/tca.log"
python3 "$root/deploy/local/check_promtail.py" "$root/deploy/loki/promtail.yml" "$work/tca.log" ||
    fail "tca's logs do not fit the promtail pipeline"
check "tca's container logs fit the promtail pipeline ($(grep -c . "$work/tca.log") lines)"

echo "figures: tca image $(numfmt --to=si "$size")B; build ${build_s} s; front up ${front_s} s;" \
    "all tca targets scraped ${prom_s} s after 'up'; gateways restarted in ${restart_s} s"
echo "deploy test: all checks passed"
