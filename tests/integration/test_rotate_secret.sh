#!/bin/bash
# `tca rotate-secret`: after a login, the stored tokens are re-sealed under a new secret;
# under the new one tca captures with them, under the old one it can no longer open them. A
# wrong old secret changes nothing (the store's rows are byte for byte the same). Neither
# secret nor a token is printed.
. "$(dirname "$0")/lib.sh"
start_sim
login
before=$(sql "SELECT user_id, access_sealed, refresh_sealed FROM oauth_tokens ORDER BY user_id")
new=$("$TCA" env-generate | sed -n 's/^APP_SESSION_SECRET=//p')
[ -n "$new" ] || fail "env-generate printed no APP_SESSION_SECRET"
wrong=$("$TCA" env-generate | sed -n 's/^APP_SESSION_SECRET=//p')

APP_SESSION_SECRET="$wrong" APP_SESSION_SECRET_NEW="$new" "$TCA" rotate-secret \
    >"$WORK/wrong.out" 2>&1 && fail "rotation with a wrong old secret succeeded"
grep -q "nothing changed" "$WORK/wrong.out" || fail "no reason: $(cat "$WORK/wrong.out")"
[ "$(sql "SELECT user_id, access_sealed, refresh_sealed FROM oauth_tokens ORDER BY user_id")" = "$before" ] ||
    fail "a failed rotation changed the tokens"
check "a wrong old secret changes nothing"

"$TCA" rotate-secret >"$WORK/none.out" 2>&1 && fail "rotation without a new secret"
APP_SESSION_SECRET_NEW="$APP_SESSION_SECRET" "$TCA" rotate-secret >"$WORK/same.out" 2>&1 &&
    fail "rotation to the same secret"
APP_SESSION_SECRET_NEW="$new" "$TCA" rotate-secret >"$WORK/rotate.out" 2>&1 ||
    { cat "$WORK/rotate.out"; fail "rotate-secret failed"; }
grep -q "re-sealed the tokens of 1 user" "$WORK/rotate.out" || fail "$(cat "$WORK/rotate.out")"
after=$(sql "SELECT user_id, access_sealed, refresh_sealed FROM oauth_tokens ORDER BY user_id")
[ "$after" != "$before" ] || fail "the tokens did not change"
check "rotate-secret re-sealed the tokens"

APP_SESSION_SECRET="$new" "$TCA" capture cozy_channel >"$WORK/cap-new.out" 2>&1 ||
    { cat "$WORK/cap-new.out"; fail "capture under the new secret"; }
"$TCA" capture cozy_channel >"$WORK/cap-old.out" 2>&1 && fail "the old secret still opens the tokens"
check "tca captures under the new secret; the old one no longer opens the tokens"

for f in "$WORK"/*.out; do
    for secret in "$new" "$wrong" "$APP_SESSION_SECRET"; do
        if grep -qF -- "$secret" "$f"; then fail "a secret is printed in $f"; fi
    done
done
check "no secret printed"
