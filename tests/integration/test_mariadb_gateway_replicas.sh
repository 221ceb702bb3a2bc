#!/bin/bash
# Two `tca gateway` replicas on one MariaDB store and one Redis, as behind a load balancer:
# a login started on one completes on the other (the OAuth state is in Redis), the session
# cookie one issued works on the other, a logout or a logout everywhere on one is seen by the
# other at once, and a login idle past TCA_LOGIN_IDLE is forgotten by Redis for every replica.
# Nothing of it is in the store, Redis holds only keyed hashes, no log holds a session id.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../support/redis.sh"
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    echo "skipped: mariadbd is not installed"
    exit 0
fi
mdb="$WORK/mariadb"
url=$("$TCA_ROOT/tests/support/mariadb.sh" start "$mdb") || fail "MariaDB did not start"
trap '"$TCA_ROOT/tests/support/mariadb.sh" stop "$mdb"; cleanup' EXIT
my() { mariadb --no-defaults --socket="$mdb/mysqld.sock" -uroot -N tca -e "$1"; }
start_sim
mkdir -p "$WORK/redis"
redis_start "$WORK/redis"
PIDS+=("$REDIS_PID")
rc() { redis-cli -s "$REDIS_SOCK" "$@"; }
export TCA_STORE="$url" TCA_REDIS="unix://$REDIS_SOCK"
"$TCA" migrate >"$WORK/migrate.out" 2>&1 || { cat "$WORK/migrate.out"; fail "migrate"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(free_port) pb=$(free_port) pc=$(free_port)
A="http://127.0.0.1:$pa" B="http://127.0.0.1:$pb" C="http://127.0.0.1:$pc"
# Twitch sends every browser back to replica A: the login flows below start on B.
export TWITCH_REDIRECT_URL="$A/auth/callback"
"$TCA" gateway --listen "127.0.0.1:$pa" >"$WORK/a.log" 2>&1 &
PIDS+=($!)
"$TCA" gateway --listen "127.0.0.1:$pb" >"$WORK/b.log" 2>&1 &
PIDS+=($!)
TCA_LOGIN_IDLE=2 "$TCA" gateway --listen "127.0.0.1:$pc" >"$WORK/c.log" 2>&1 &
PIDS+=($!)
for base in "$A" "$B" "$C"; do
    for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "$base/healthz" >/dev/null || { cat "$WORK"/?.log; fail "gateway $base did not start"; }
done

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# login_via START JAR: starts the login on START, Twitch answers to A; the jar keeps cookies
# (one per host, not per port: like a browser in front of one load-balanced name).
login_via() {
    local loc callback home
    loc=$(curl -s -c "$2" -b "$2" -o /dev/null -w '%{redirect_url}' "$1/auth/login")
    [ -n "$loc" ] || fail "no redirect from $1/auth/login"
    callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
    case "$callback" in "$A/auth/callback"*) ;; *) fail "Twitch sent the browser to $callback" ;; esac
    LAST_CALLBACK=$callback
    cp "$2" "$2.before"
    home=$(curl -s -c "$2" -b "$2" -o "$WORK/callback.out" -w '%{http_code} %{redirect_url}' "$callback")
    [ "${home%% *}" = 302 ] || { cat "$WORK/callback.out"; fail "callback on A answered $home"; }
}
me() { curl -s -b "$2" "$1/api/v1/me"; }
csrf() { me "$1" "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])'; }
session_id() { awk '$6 == "tca_session" {print $7}' "$1"; }

login_via "$B" "$WORK/jar1"
sid=$(session_id "$WORK/jar1")
[ -n "$sid" ] || fail "no session cookie after the callback"
[ "$(rc --scan --pattern 'tca:state:*' | wc -l)" = 0 ] || fail "the OAuth state was not consumed"
check "a login started on replica B completes on replica A (state in Redis)"

for base in "$A" "$B"; do
    me "$base" "$WORK/jar1" | grep -q '"auth":"session"' || fail "$base refused the session: $(me "$base" "$WORK/jar1")"
done
[ "$(rc --scan --pattern 'tca:login:*' | wc -l)" = 1 ] || fail "expected one login in Redis"
[ "$(my 'SELECT COUNT(*) FROM login_sessions')" = 0 ] || fail "the login went to the store"
[ "$(my 'SELECT COUNT(*) FROM oauth_states')" = 0 ] || fail "the OAuth state went to the store"
check "the session cookie issued by A works on A and B; the login is in Redis, not MariaDB"

# The same callback replayed on B, with the browser's state cookie: the state was used.
[ "$(code -b "$WORK/jar1.before" "$B${LAST_CALLBACK#"$A"}")" = 400 ] || fail "a replayed callback was accepted"

# Redis holds keyed hashes only: the cookie's value is nowhere, in keys or values.
rc --scan --pattern 'tca:*' >"$WORK/keys"
grep -qF "$sid" "$WORK/keys" && fail "a Redis key holds the session id"
while read -r k; do
    [ "$(rc type "$k")" = hash ] && rc hgetall "$k"
done <"$WORK/keys" >"$WORK/values"
grep -qF "$sid" "$WORK/values" && fail "a Redis value holds the session id"
check "Redis holds only the keyed hash of the session id"

# Logout on B; the copy of the cookie kept before is refused by A at once.
cp "$WORK/jar1" "$WORK/jar1.kept"
[ "$(code -b "$WORK/jar1" -c "$WORK/jar1" -X POST -H "X-CSRF-Token: $(csrf "$B" "$WORK/jar1")" \
    "$B/auth/logout")" = 200 ] || fail "logout on B"
[ "$(code -b "$WORK/jar1.kept" "$A/api/v1/me")" = 401 ] || fail "A still accepts a session logged out on B"
[ "$(code -b "$WORK/jar1.kept" "$B/api/v1/me")" = 401 ] || fail "B still accepts its logged-out session"
[ "$(rc --scan --pattern 'tca:login:*' | wc -l)" = 0 ] || fail "the logged-out login stayed in Redis"
check "a logout on B is seen by A at once"

# Two browsers of the same user; logout everywhere on A ends both for B too.
login_via "$B" "$WORK/jar2"
login_via "$A" "$WORK/jar3"
[ "$(code -b "$WORK/jar2" "$B/api/v1/me")" = 200 ] || fail "second browser"
[ "$(code -b "$WORK/jar3" "$B/api/v1/me")" = 200 ] || fail "third browser"
[ "$(code -b "$WORK/jar3" -c "$WORK/jar3" -X POST -H "X-CSRF-Token: $(csrf "$A" "$WORK/jar3")" \
    "$A/auth/logout-everywhere")" = 200 ] || fail "logout everywhere on A"
[ "$(code -b "$WORK/jar2" "$B/api/v1/me")" = 401 ] || fail "B still accepts a browser logged out everywhere"
[ "$(rc --scan --pattern 'tca:login*' | wc -l)" = 0 ] || fail "logout everywhere left logins in Redis"
check "logout everywhere on A ends every browser of the user on B"

# Replica C ends logins idle for 2 s: Redis forgets it, so A refuses it as well.
login_via "$C" "$WORK/jar4"
[ "$(code -b "$WORK/jar4" "$A/api/v1/me")" = 200 ] || fail "a login started on C"
# C touches a login idle for more than a quarter of its 2 s: Redis keeps it 2 s more.
sleep 1.5
[ "$(code -b "$WORK/jar4" "$C/api/v1/me")" = 200 ] || fail "C refused its own fresh login"
ttl=$(rc pttl "$(rc --scan --pattern 'tca:login:*' | head -1)")
{ [ "$ttl" -gt 0 ] && [ "$ttl" -le 2000 ]; } || fail "C's login keeps $ttl ms in Redis (wanted at most 2000)"
for _ in $(seq 1 300); do [ "$(rc --scan --pattern 'tca:login:*' | wc -l)" = 0 ] && break; sleep 0.1; done
[ "$(rc --scan --pattern 'tca:login:*' | wc -l)" = 0 ] || fail "Redis kept an idle login"
[ "$(code -b "$WORK/jar4" "$A/api/v1/me")" = 401 ] || fail "A accepts a login that expired"
check "an idle login expires in Redis and every replica refuses it"

for f in a b c; do
    grep -qF "$sid" "$WORK/$f.log" && fail "gateway $f logged a session id"
done
check "no gateway logged a session id"
