#!/bin/bash
# Runs bench_queue (the store's job queue on MariaDB against Redis streams) on a throwaway
# MariaDB and Redis in a temporary folder, stopped at the end, also on failure.
# Usage: bench/bench_queue.sh [BUILD_DIR] [JOBS]   (after `make bench`)
set -euo pipefail
build=${1:-build}
jobs=${2:-5000}
root=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/tca-bench-queue-XXXXXX)
REDIS_PID=
cleanup() {
    if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    "$root/tests/support/mariadb.sh" stop "$WORK/mariadb" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# shellcheck source=tests/support/redis.sh
. "$root/tests/support/redis.sh"
url=$("$root/tests/support/mariadb.sh" start "$WORK/mariadb")
mkdir -p "$WORK/redis"
redis_start "$WORK/redis" >/dev/null
echo "MariaDB $(mariadbd --version 2>/dev/null | awk '{print $3}' || true), Redis $(redis-server --version | awk '{print $3}'), both on unix sockets; $(nproc) shared cores"
"$root/$build/bench/bench_queue" "$url" "$REDIS_SOCK" "$jobs"
