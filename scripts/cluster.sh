#!/bin/bash
# The compose topology without containers, on loopback, everything in one folder: MariaDB,
# Redis, 2 gateways, 3 workers, 1 analysis, an HAProxy TLS front (a certificate made at start
# with openssl) that routes as deploy/docker-compose.yml does, and a Prometheus scraping
# every role. Twitch is `tca twitch-sim` unless TWITCH_CLIENT_ID is set.
#   scripts/cluster.sh up DIR     starts it; DIR/cluster.env then has the URLs and settings:
#                                 FRONT (https), CA (its certificate), PROM, TCA_STORE, ...
#   scripts/cluster.sh down DIR   stops every process it started and removes DIR
# Must never touch anything outside DIR, nor stop a process it did not start.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: cluster.sh up|down DIR}
dir=${2:?usage: cluster.sh up|down DIR}
TCA=${TCA:-$root/build/tca}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# spawn NAME COMMAND...: runs it in the background, logs in DIR/NAME.log, records its pid.
spawn() {
    local name=$1
    shift
    # created here, not by the background redirect, so port_of never reads a missing file
    : >"$dir/$name.log"
    "$@" >"$dir/$name.log" 2>&1 &
    echo "$! $name" >>"$dir/pids"
}

# port_of NAME: the port a tca role logged ("listening on ... (port N)").
port_of() {
    local port=""
    for _ in $(seq 1 600); do
        port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$dir/$1.log" | head -1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$dir/$1.log" >&2; echo "cluster: $1 did not start" >&2; return 1; }
    echo "$port"
}

up() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    : >"$dir/pids"
    url=$("$root/tests/support/mariadb.sh" start "$dir/mariadb")
    # shellcheck source=tests/support/redis.sh disable=SC1091
    . "$root/tests/support/redis.sh"
    mkdir -p "$dir/redis"
    redis_start "$dir/redis" >/dev/null
    echo "$REDIS_PID redis" >>"$dir/pids"

    local front_port http_port
    front_port=$(free_port)
    http_port=$(free_port)
    export TCA_ENV_FILE="$dir/none.env" TCA_STORE="$url" TCA_REDIS="unix://$REDIS_SOCK"
    export TWITCH_REDIRECT_URL="https://127.0.0.1:$front_port/auth/callback"
    export TCA_PUBLIC_URL="https://127.0.0.1:$front_port"
    export TCA_CAPTURE_INTERVAL=${TCA_CAPTURE_INTERVAL:-60}
    export TCA_LOG_FORMAT=${TCA_LOG_FORMAT:-json}
    if [ -z "${APP_SESSION_SECRET:-}" ]; then
        APP_SESSION_SECRET=$(head -c 32 /dev/urandom | base64)
        export APP_SESSION_SECRET
    fi
    if [ -z "${TWITCH_CLIENT_ID:-}" ]; then
        # TCA_SIM_FLAGS: extra simulator flags, split on spaces on purpose
        # shellcheck disable=SC2086
        spawn twitch-sim env TWITCH_CLIENT_ID=tca-sim-client TWITCH_CLIENT_SECRET=tca-sim-secret \
            "$TCA" twitch-sim --listen 127.0.0.1:0 --port-file "$dir/sim.port" --device-interval 1 \
            ${TCA_SIM_FLAGS:-}
        for _ in $(seq 1 200); do [ -s "$dir/sim.port" ] && break; sleep 0.05; done
        [ -s "$dir/sim.port" ] || { cat "$dir/twitch-sim.log" >&2; exit 1; }
        SIM="http://127.0.0.1:$(cat "$dir/sim.port")"
        export SIM
        export TWITCH_CLIENT_ID=tca-sim-client TWITCH_CLIENT_SECRET=tca-sim-secret
        export TWITCH_API_BASE="$SIM/helix" TWITCH_AUTH_BASE="$SIM/oauth2"
    fi

    # The first process migrates the store; the others would wait on its lock anyway.
    "$TCA" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; exit 1; }
    # workers serve /metrics when this tca has --metrics-listen (its usage line names it)
    local metrics_flag=0 usage
    usage=$("$TCA" worker --help 2>&1 || true)
    [[ "$usage" == *--metrics-listen* ]] && metrics_flag=1
    for i in 1 2; do spawn "gateway$i" "$TCA" gateway --listen 127.0.0.1:0; done
    spawn analysis1 "$TCA" analysis --listen 127.0.0.1:0
    for i in 1 2 3; do
        if [ "$metrics_flag" = 1 ]; then
            spawn "worker$i" "$TCA" worker --metrics-listen 127.0.0.1:0
        else
            spawn "worker$i" "$TCA" worker
        fi
    done
    local g1 g2 a1 targets_gw targets_an targets_wk=""
    g1=$(port_of gateway1)
    g2=$(port_of gateway2)
    a1=$(port_of analysis1)
    targets_gw="'127.0.0.1:$g1', '127.0.0.1:$g2'"
    targets_an="'127.0.0.1:$a1'"
    if [ "$metrics_flag" = 1 ]; then
        for i in 1 2 3; do targets_wk="$targets_wk${targets_wk:+, }'127.0.0.1:$(port_of "worker$i")'"; done
    fi

    # TLS: a self-signed certificate for 127.0.0.1 and localhost; clients trust it with
    # curl --cacert DIR/ca.pem.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$dir/front.key" -out "$dir/ca.pem" 2>"$dir/openssl.log"
    cat "$dir/ca.pem" "$dir/front.key" >"$dir/front.pem"
    chmod 600 "$dir/front.key" "$dir/front.pem"
    # Routing as deploy/docker-compose.yml's Traefik rules (tests/deploy/check_compose.py
    # checks that both use the same expressions): statistics to analysis, the rest to the
    # gateways; /metrics and /readyz are not served through the front.
    cat >"$dir/haproxy.cfg" <<CFG
global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
frontend http
    bind 127.0.0.1:$http_port
    http-request redirect prefix https://127.0.0.1:$front_port code 301
frontend https
    bind 127.0.0.1:$front_port ssl crt $dir/front.pem
    http-request set-header X-Forwarded-Proto https
    http-request deny deny_status 403 if { path /metrics } || { path /readyz }
    acl stats path_reg ^/api/v1/sessions/[^/]+/(stats|overlap|export)$
    acl stats path_reg ^/api/v1/channels/[^/]+/history$
    acl stats path_reg ^/api/v1/overlap$
    acl stats path_reg ^/api/v1/chatters/
    use_backend analysis if stats
    default_backend gateway
backend gateway
    balance roundrobin
    option httpchk GET /healthz
    default-server inter 1s fall 2 rise 1
    server g1 127.0.0.1:$g1 check
    server g2 127.0.0.1:$g2 check
backend analysis
    option httpchk GET /healthz
    default-server inter 1s fall 2 rise 1
    server a1 127.0.0.1:$a1 check
CFG
    command -v haproxy >/dev/null || PATH="$PATH:/usr/sbin"
    haproxy -c -q -f "$dir/haproxy.cfg"
    spawn haproxy haproxy -db -f "$dir/haproxy.cfg"
    for _ in $(seq 1 200); do
        curl -sf --cacert "$dir/ca.pem" "https://127.0.0.1:$front_port/healthz" >/dev/null && break
        sleep 0.1
    done
    curl -sf --cacert "$dir/ca.pem" "https://127.0.0.1:$front_port/healthz" >/dev/null ||
        { cat "$dir/haproxy.log" >&2; echo "cluster: the TLS front does not answer" >&2; exit 1; }

    local prom_port=""
    if command -v prometheus >/dev/null; then
        prom_port=$(free_port)
        cat >"$dir/prometheus.yml" <<CFG
global: {scrape_interval: 2s, evaluation_interval: 2s}
rule_files: [$root/deploy/prometheus/alerts.yml]
scrape_configs:
  - job_name: gateway
    static_configs: [{targets: [$targets_gw]}]
  - job_name: analysis
    static_configs: [{targets: [$targets_an]}]
CFG
        [ -n "$targets_wk" ] && cat >>"$dir/prometheus.yml" <<CFG
  - job_name: worker
    static_configs: [{targets: [$targets_wk]}]
CFG
        spawn prometheus prometheus --config.file="$dir/prometheus.yml" \
            --storage.tsdb.path="$dir/prometheus" --web.listen-address="127.0.0.1:$prom_port"
        for _ in $(seq 1 300); do
            curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null && break
            sleep 0.1
        done
    fi

    {
        echo "export FRONT=https://127.0.0.1:$front_port FRONT_HTTP=http://127.0.0.1:$http_port"
        echo "export CA=$dir/ca.pem PROM=${prom_port:+http://127.0.0.1:$prom_port}"
        echo "export GATEWAYS='127.0.0.1:$g1 127.0.0.1:$g2' ANALYSIS=127.0.0.1:$a1"
        echo "export TCA_ENV_FILE=$TCA_ENV_FILE TCA_STORE='$TCA_STORE' TCA_REDIS=$TCA_REDIS"
        echo "export TWITCH_CLIENT_ID=$TWITCH_CLIENT_ID TWITCH_REDIRECT_URL=$TWITCH_REDIRECT_URL"
        echo "export TWITCH_API_BASE=${TWITCH_API_BASE:-} TWITCH_AUTH_BASE=${TWITCH_AUTH_BASE:-}"
        echo "export SIM=${SIM:-} MARIADB_SOCK=$dir/mariadb/mysqld.sock"
    } >"$dir/cluster.env"
    echo "cluster up: $(grep -c . "$dir/pids") processes; front https://127.0.0.1:$front_port" \
        "(curl --cacert $dir/ca.pem), settings in $dir/cluster.env"
}

down() {
    [ -d "$dir" ] || return 0
    if [ -f "$dir/pids" ]; then
        while read -r pid _; do kill "$pid" 2>/dev/null || true; done <"$dir/pids"
        for _ in $(seq 1 100); do
            alive=0
            while read -r pid _; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$dir/pids"
            [ "$alive" = 0 ] && break
            sleep 0.1
        done
        while read -r pid _; do kill -9 "$pid" 2>/dev/null || true; done <"$dir/pids"
    fi
    "$root/tests/support/mariadb.sh" stop "$dir/mariadb" || true
    rm -rf "$dir"
}

case "$cmd" in
up) up ;;
down) down ;;
*) echo "usage: cluster.sh up|down DIR" >&2; exit 2 ;;
esac
