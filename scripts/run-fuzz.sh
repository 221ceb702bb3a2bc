#!/bin/sh
# Runs every fuzz target, one at a time. By default a smoke run of FUZZ_RUNS inputs each (CI:
# `make fuzz-run`); with FUZZ_SECONDS set, a campaign of that many seconds each (`make
# fuzz-long`: 600), whose corpus grows in build/fuzz/corpus/TARGET from the seeds in
# tests/fuzz/corpus/TARGET. FUZZ_TARGETS="a b" limits the run to those targets. Prints the
# coverage libFuzzer reached per target (its final cov: and ft: counts); a crash fails the run
# with the reproducer's path.
set -eu
runs=${FUZZ_RUNS:-20000}
seconds=${FUZZ_SECONDS:-}
dir=build/fuzz/tests/fuzz
n=0
for f in "$dir"/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    if [ -n "${FUZZ_TARGETS:-}" ]; then
        case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
    fi
    seeds=tests/fuzz/corpus/$name
    if [ -n "$seconds" ]; then
        corpus=build/fuzz/corpus/$name
        mkdir -p "$corpus" build/fuzz/crashes
        limit="-max_total_time=$seconds"
        what="$seconds s"
    else
        corpus=$(mktemp -d)
        n_runs=$runs
        # each input is a TCP round trip to a live gateway (20-70 a second): fewer for CI
        [ "$name" = fuzz_http_gateway ] && n_runs=$((runs / 40))
        limit="-runs=$n_runs"
        what="$n_runs runs"
    fi
    [ -d "$seeds" ] && cp "$seeds"/* "$corpus"/
    log=$(mktemp)
    echo "fuzz $name ($what)"
    "$f" $limit -max_len=65536 -timeout=30 -artifact_prefix=build/fuzz/ "$corpus" >/dev/null 2>"$log" || {
        tail -30 "$log"
        echo "fuzz target $name failed"
        exit 1
    }
    grep -E "^#[0-9]+[[:space:]]+DONE" "$log" | tail -1 | sed "s/^/  $name: /" || true
    rm -f "$log"
    [ -n "$seconds" ] || rm -rf "$corpus"
    n=$((n + 1))
done
echo "$n fuzz targets ran clean"
