#!/bin/bash
# `tca --version` names the build (`git describe` of its checkout, or "unknown" outside one),
# and a running gateway's /metrics carries the same version in tca_build_info.
. "$(dirname "$0")/lib.sh"

out=$("$TCA" --version) || fail "tca --version failed"
[[ "$out" =~ ^tca\ ([^[:space:]]+)$ ]] || fail "tca --version printed '$out'"
version=${BASH_REMATCH[1]}
[ "$("$TCA" version)" = "$out" ] || fail "tca version and tca --version differ"
"$TCA" --help | grep -q -- "--version" || fail "--help does not mention --version"
check "tca --version prints tca $version"

start_sim
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
GW="http://127.0.0.1:$port"
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gw.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 400); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "$GW/metrics" >"$WORK/gw.prom" || { cat "$WORK/gw.log"; fail "gateway /metrics"; }
line=$(grep '^tca_build_info{' "$WORK/gw.prom") || fail "no tca_build_info in /metrics"
[ "$line" = "tca_build_info{version=\"$version\"} 1" ] ||
    fail "/metrics says '$line', tca --version says $version"
check "/metrics' tca_build_info carries the version tca --version prints"
