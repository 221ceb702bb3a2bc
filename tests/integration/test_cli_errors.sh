#!/bin/bash
# Bad configuration and bad arguments give one-line errors and a non-zero exit, and every
# role refuses to start with the same messages as env-check.
. "$(dirname "$0")/lib.sh"
export TCA_ENV_FILE="$WORK/none.env" TCA_DB="$WORK/tca.db"
unset TWITCH_CLIENT_ID TWITCH_CLIENT_SECRET TWITCH_REDIRECT_URL APP_SESSION_SECRET || true
if "$TCA" env-check >"$WORK/check.out" 2>&1; then fail "env-check passed without a secret"; fi
grep -q "APP_SESSION_SECRET is missing" "$WORK/check.out" || fail "env-check message"
if "$TCA" worker >"$WORK/worker.out" 2>&1; then fail "worker started without a secret"; fi
grep -q "APP_SESSION_SECRET is missing" "$WORK/worker.out" || fail "worker message differs"
check "missing secret refused by env-check and roles alike"

"$TCA" env-generate >"$WORK/.env"
export TCA_ENV_FILE="$WORK/.env"
"$TCA" env-check >/dev/null || fail "generated secrets do not pass env-check"
export TWITCH_CLIENT_ID=abc
if "$TCA" env-check >"$WORK/partial.out" 2>&1; then fail "partial Twitch app accepted"; fi
grep -q "TWITCH_CLIENT_SECRET is missing" "$WORK/partial.out" || fail "partial app message"
grep -q "TWITCH_REDIRECT_URL is missing" "$WORK/partial.out" || fail "partial app message"
unset TWITCH_CLIENT_ID
check "env-generate and env-check"

if "$TCA" nosuch 2>/dev/null; then fail "unknown command accepted"; fi
if "$TCA" export --format xml 2>/dev/null; then fail "bad format accepted"; fi
"$TCA" migrate | grep -q "schema version" || fail "migrate"
set +e
"$TCA" capture 'bad login!' 2>"$WORK/bad.out"
rc=$?
set -e
[ "$rc" = 2 ] || fail "bad login: exit $rc"
grep -q "is not a Twitch login" "$WORK/bad.out" || fail "bad login message: $(cat "$WORK/bad.out")"
check "usage errors"

# Under TCA_LOG_FORMAT=json the refusal to start is the logger's JSON object, read from the
# environment even though the configuration that would name the format failed to load.
export TCA_ENV_FILE="$WORK/none.env"
unset APP_SESSION_SECRET || true
if TCA_LOG_FORMAT=json "$TCA" worker >"$WORK/json.out" 2>"$WORK/json.err"; then
    fail "worker started without a secret"
fi
[ -s "$WORK/json.err" ] || fail "no refusal written"
jq -e -s 'length >= 2 and all(.[]; (keys == ["level", "msg", "ts"]) and .level == "error" and
    (.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")))' \
    "$WORK/json.err" >/dev/null || fail "not one JSON object per line: $(cat "$WORK/json.err")"
jq -e -s 'any(.[]; .msg | startswith("tca: APP_SESSION_SECRET is missing"))' "$WORK/json.err" \
    >/dev/null ||
    fail "the problem is not in the JSON lines: $(cat "$WORK/json.err")"
jq -e -s 'any(.[]; .msg | test("^tca worker: refusing to start with 1 configuration problem "))' \
    "$WORK/json.err" >/dev/null || fail "the refusal is not a JSON line: $(cat "$WORK/json.err")"
# the same refusal without the setting stays the plain line a person reads
if "$TCA" worker 2>"$WORK/plain.err"; then fail "worker started without a secret"; fi
grep -q '^tca worker: refusing to start with 1 configuration problem ' "$WORK/plain.err" ||
    fail "plain refusal changed: $(cat "$WORK/plain.err")"
if grep -q '^{' "$WORK/plain.err"; then fail "JSON without TCA_LOG_FORMAT=json"; fi
check "a refusal to start is a JSON log line under TCA_LOG_FORMAT=json, plain otherwise"

# Ids on the command line follow the one id grammar (base/chatter.c), as HTTP paths do: a
# sign, a space, trailing text or more than int64 holds is a usage error, never a lookup.
for bad in "+5" " 5" "5x" "0" "99999999999999999999"; do
    set +e
    "$TCA" stats --session "$bad" >/dev/null 2>"$WORK/id.err"
    rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q '^usage: tca stats' "$WORK/id.err" ||
        fail "tca stats --session '$bad': exit $rc, $(head -1 "$WORK/id.err")"
done
check "ids on the command line are plain positive decimals"
