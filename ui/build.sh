#!/bin/sh
# Assembles ui/dist, the folder the gateway serves (TCA_UI_DIR): index.html at its root and
# every other file under dist/static/, plus the two uPlot files from node_modules (run
# `npm ci` first). The dashboard's stylesheet is kept in small files by purpose in
# static/css/dashboard/, joined here in name order (their number is their place in the
# cascade) into one dist/static/css/style.css, so the page still loads one stylesheet.
# Nothing third-party is committed; dist/ is git-ignored.
set -eu
export LC_ALL=C
cd "$(dirname "$0")"
for f in node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css; do
    [ -f "$f" ] || { echo "build.sh: $f is missing: run npm ci in ui/ first" >&2; exit 1; }
done
rm -rf dist.tmp
mkdir -p dist.tmp/static/vendor dist.tmp/static/css
cp static/index.html dist.tmp/index.html
(cd static && find . -type f ! -name index.html ! -path './css/dashboard/*' | while read -r f; do
    mkdir -p "../dist.tmp/static/$(dirname "$f")"
    cp "$f" "../dist.tmp/static/$f"
done)
cat static/css/dashboard/[0-9]*.css > dist.tmp/static/css/style.css
cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css dist.tmp/static/vendor/
cp node_modules/uplot/LICENSE dist.tmp/static/vendor/uPlot.LICENSE.txt 2>/dev/null || true
rm -rf dist
mv dist.tmp dist
echo "ui: built ui/dist ($(find dist -type f | wc -l) files)"
