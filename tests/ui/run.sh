#!/bin/sh
# The dashboard's browser tests: installs the UI's npm packages (npm ci, no browser download:
# playwright-core drives Debian's /usr/bin/chromium), builds ui/dist, then runs the unit
# tests of the UI's pure functions and the end-to-end and performance tests against
# `tca serve` and `tca twitch-sim` on loopback. TCA names the binary (default build/ui/tca;
# build it with `make BUILD=build/ui`). Screenshots go to docs/screenshots/, figures to
# tests/ui/out/perf.json. Ends with one line "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
: "${TCA:=build/ui/tca}"
export TCA
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
    echo "tests/ui: /usr/bin/chromium is missing (apt-get install chromium)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -x "$TCA" ]; then
    echo "tests/ui: $TCA is missing (make BUILD=build/ui)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
# the sentiment lexicons too: the chat panel's test reads the sentiment `tca serve` scores
if ! ( cd ui && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && sh build.sh ) ||
    ! ( cd lexicons && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts ); then
    echo "tests/ui: npm ci (ui/ or lexicons/) or the UI build failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
mkdir -p tests/ui/out && rm -f tests/ui/out/perf.json tests/ui/out/*.tap
# one file at a time (the performance test must not share the machine with the others)
pass=0 fail=0 rc=0
for f in unit dashboard chat perf; do
    node --test --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="tests/ui/out/$f.tap" "tests/ui/$f.test.mjs" || rc=1
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "tests/ui/out/$f.tap" | tail -1)
    x=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "tests/ui/out/$f.tap" | tail -1)
    [ -n "$p" ] || { p=0; x=1; }
    pass=$((pass + p)) fail=$((fail + ${x:-0}))
done
[ -f tests/ui/out/perf.json ] && { echo "performance:"; cat tests/ui/out/perf.json; }
[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
echo "${pass} passed, ${fail} failed"
[ "$rc" -eq 0 ]
