#!/bin/bash
# Runs every unit test program of a build and every integration script, each under a time
# limit, and ends with the plain summary line "N passed, N failed".
# Usage: scripts/run-tests.sh BUILD_DIR [FILTER]
set -u
build=${1:-build}
filter=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
export TCA="$root/$build/tca"
export TCA_ROOT="$root"
out="$root/$build/test-logs"
mkdir -p "$out"
passed=0 failed=0 names=()
# One throwaway redis-server for the whole run: the kv contract suite and the scale-out
# tests use it through TCA_TEST_REDIS; without redis-server they run on memory only.
REDIS_PID=
mdb_dir=
redis_tmp=
# One EXIT trap stops every server this run started (a second trap would replace the first
# and leave a redis-server holding the caller's output open).
cleanup() {
    [ -n "$redis_tmp" ] && { redis_stop; rm -rf "$redis_tmp"; }
    [ -n "$mdb_dir" ] && "$root/tests/support/mariadb.sh" stop "$mdb_dir"
    return 0
}
trap cleanup EXIT
if [ -z "${TCA_TEST_REDIS:-}" ] && command -v redis-server >/dev/null; then
    . "$root/tests/support/redis.sh"
    redis_tmp=$(mktemp -d /tmp/tca-redis-XXXXXX)
    redis_start "$redis_tmp" && export TCA_TEST_REDIS="$REDIS_SOCK"
fi
run() { # name, command...
    local name=$1; shift
    [ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && return
    local log="$out/$(echo "$name" | tr '/' '_').log" start=$SECONDS
    if timeout 600 "$@" >"$log" 2>&1; then
        passed=$((passed + 1)); echo "PASS $name ($((SECONDS - start))s)"
    else
        failed=$((failed + 1)); names+=("$name"); echo "FAIL $name ($((SECONDS - start))s)"
        tail -n 40 "$log" | sed 's/^/    /'
    fi
}
# A throwaway MariaDB for the store contract suite and the MariaDB integration tests, when
# the server is installed and the run includes them (started once, stopped on any exit).
if [ -z "${TCA_TEST_MYSQL:-}" ] && { command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } &&
    { [ -z "$filter" ] || [[ "$filter" == *store* || "$filter" == *mariadb* || "$filter" == *migrat* ]]; }; then
    mdb_dir=$(mktemp -d /tmp/tca-mariadb-XXXXXX)
    if TCA_TEST_MYSQL=$("$root/tests/support/mariadb.sh" start "$mdb_dir" 2>"$out/mariadb.log"); then
        export TCA_TEST_MYSQL
        echo "MariaDB for the tests: $mdb_dir"
    else
        failed=$((failed + 1)); names+=("mariadb-server"); echo "FAIL mariadb-server did not start"
        tail -n 20 "$out/mariadb.log" | sed 's/^/    /'
        unset TCA_TEST_MYSQL
    fi
fi
for t in $(find "$root/$build/tests" -type f -name 'test_*' -perm -u+x 2>/dev/null | sort); do
    run "${t#$root/$build/}" "$t"
done
for t in $(ls "$root"/tests/integration/test_*.sh 2>/dev/null | sort); do
    run "integration/$(basename "$t")" bash "$t"
done
[ ${#names[@]} -gt 0 ] && printf 'failed: %s\n' "${names[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
