#!/bin/sh
# Assembles ui/dist, the folder the gateway serves (TCA_UI_DIR): index.html at its root and
# every other file under dist/static/, plus the two uPlot files from node_modules (run
# `npm ci` first). Nothing third-party is committed; dist/ is git-ignored.
set -eu
cd "$(dirname "$0")"
for f in node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css; do
    [ -f "$f" ] || { echo "build.sh: $f is missing: run npm ci in ui/ first" >&2; exit 1; }
done
rm -rf dist.tmp
mkdir -p dist.tmp/static/vendor
cp static/index.html dist.tmp/index.html
(cd static && find . -type f ! -name index.html | while read -r f; do
    mkdir -p "../dist.tmp/static/$(dirname "$f")"
    cp "$f" "../dist.tmp/static/$f"
done)
cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css dist.tmp/static/vendor/
cp node_modules/uplot/LICENSE dist.tmp/static/vendor/uPlot.LICENSE.txt 2>/dev/null || true
rm -rf dist
mv dist.tmp dist
echo "ui: built ui/dist ($(find dist -type f | wc -l) files)"
