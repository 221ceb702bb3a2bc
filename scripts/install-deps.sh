#!/bin/sh
# Installs the Debian packages tca builds, tests and runs with (prometheus: its promtool
# checks /metrics in the tests). Idempotent: does nothing
# when every package is already there. Needs root (or sudo) the first time.
set -eu
pkgs="build-essential pkg-config clang libclang-rt-14-dev
libmicrohttpd-dev libwebsockets-dev libcurl4-openssl-dev libjansson-dev libsqlite3-dev libsodium-dev
libroaring-dev libstemmer-dev libcmocka-dev libhiredis-dev redis-server sqlite3 curl wrk python3 chromium
libmariadb-dev mariadb-server prometheus
docker-compose python3-yaml haproxy openssl prometheus-alertmanager shellcheck cppcheck
clang-format jq"
missing=""
# The dashboard's build and browser tests need Node.js 18 or later and npm: Debian 12's own
# nodejs (18) and npm packages when none is installed.
command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
# mise (the task runner of mise.toml) comes from npm; optional: the Makefile does everything
if command -v npm >/dev/null 2>&1 && ! command -v mise >/dev/null 2>&1; then
    npm install -g --no-audit --no-fund --loglevel=error @jdxcode/mise ||
        echo "warning: could not install mise (npm @jdxcode/mise); the Makefile works without it" >&2
fi
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 18 ] || echo "warning: Node.js $node_major found; the dashboard's tests need 18 or later" >&2
