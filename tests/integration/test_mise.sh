#!/bin/bash
# mise.toml: `mise tasks` lists the original tasks, and `mise run lint` runs the real lint
# (clang-format check, shellcheck, GCC -fanalyzer) clean.
. "$(dirname "$0")/lib.sh"
command -v mise >/dev/null || { echo "skipped: mise is not installed (npm @jdxcode/mise)"; exit 0; }
cd "$TCA_ROOT"
export MISE_TRUSTED_CONFIG_PATHS="$TCA_ROOT" MISE_YES=1
mise tasks >"$WORK/tasks" 2>&1 || { cat "$WORK/tasks"; fail "mise tasks"; }
for t in install build up down logs test lint env-check env-generate; do
    grep -q "^$t " "$WORK/tasks" || fail "mise has no task $t"
done
check "mise lists install, build, up, down, logs, test, lint, env-check, env-generate"
mise run lint >"$WORK/lint" 2>&1 || { tail -30 "$WORK/lint"; fail "mise run lint"; }
grep -q "lint: clean" "$WORK/lint" || fail "lint did not finish"
check "mise run lint is clean"
