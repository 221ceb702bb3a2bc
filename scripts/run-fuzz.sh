#!/bin/sh
# Runs every fuzz target briefly (a smoke run, not a campaign): each must survive N inputs.
set -eu
runs=${FUZZ_RUNS:-20000}
dir=build/fuzz/tests/fuzz
n=0
for f in "$dir"/fuzz_*; do
    [ -x "$f" ] || continue
    corpus=$(mktemp -d)
    seeds=tests/fuzz/corpus/$(basename "$f")
    [ -d "$seeds" ] && cp "$seeds"/* "$corpus"/
    echo "fuzz $(basename "$f") ($runs runs)"
    "$f" -runs="$runs" -max_len=65536 "$corpus" >/dev/null 2>"$corpus.log" || {
        tail -30 "$corpus.log"; echo "fuzz target $(basename "$f") failed"; exit 1; }
    rm -rf "$corpus" "$corpus.log"
    n=$((n + 1))
done
echo "$n fuzz targets ran clean"
