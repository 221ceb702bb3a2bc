#!/bin/bash
# tca migrate-store moves a single-machine SQLite install to MariaDB: after a few captures and
# an enrichment, every table's count and checksum match on both sides, the exports read from
# either store are identical, captures continue on MariaDB where SQLite stopped, and a target
# that holds data is refused. Needs TCA_TEST_MYSQL (scripts/run-tests.sh starts a server).
. "$(dirname "$0")/lib.sh"
if [ -z "${TCA_TEST_MYSQL:-}" ]; then
    echo "skipped: TCA_TEST_MYSQL is not set (no MariaDB server for the tests)"
    exit 0
fi
# mysql://USER:PASS@HOST/DB?socket=PATH, as tests/support/mariadb.sh prints it
read -r my_user my_pass my_socket < <(python3 - "$TCA_TEST_MYSQL" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(u.username, u.password, urllib.parse.parse_qs(u.query)["socket"][0])
PY
)
db="tca_migrate_$$"
mysql_do() { mariadb --no-defaults -u"$my_user" -p"$my_pass" --socket="$my_socket" -N -e "$1"; }
mysql_do "CREATE DATABASE $db"
trap 'mysql_do "DROP DATABASE IF EXISTS $db" || true; cleanup' EXIT
target="mysql://$my_user:$my_pass@localhost/$db?socket=$my_socket"

start_sim --manual-clock
login
for tick in 0 1 2; do
    "$TCA" capture cozy_channel >>"$WORK/captures.out" 2>&1 || { cat "$WORK/captures.out"; fail "capture $tick"; }
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
"$TCA" export --format csv >"$WORK/sqlite.csv" || fail "export from SQLite"

"$TCA" migrate-store --from "sqlite:$TCA_DB" --to "$target" >"$WORK/migrate.out" 2>&1 ||
    { cat "$WORK/migrate.out"; fail "migrate-store"; }
cat "$WORK/migrate.out"
# every table of the copy list is printed, each ok (the list grows with the schema)
n_tables=$(sed -n 's/^done: \([0-9]*\) tables, counts and checksums match.*/\1/p' "$WORK/migrate.out")
{ [ -n "$n_tables" ] && [ "$n_tables" -ge 26 ]; } || fail "no summary line"
[ "$(grep -c ' ok$' "$WORK/migrate.out")" -eq "$n_tables" ] || fail "a table differs"
grep -q "$my_pass" "$WORK/migrate.out" && fail "the password was printed"
for t in captures presence channel_chatters twitch_users jobs; do
    a=$(sql "SELECT COUNT(*) FROM $t")
    b=$(mysql_do "SELECT COUNT(*) FROM $db.$t")
    [ "$a" = "$b" ] || fail "$t: $a rows in SQLite, $b in MariaDB"
    grep -Eq "^$t +$a +$a " "$WORK/migrate.out" || fail "$t: printed counts"
done
[ "$(sql "SELECT COUNT(*) FROM captures")" -eq 3 ] || fail "expected 3 captures"
check "every table copied with matching counts and checksums"

TCA_STORE="$target" "$TCA" export --format csv >"$WORK/mariadb.csv" || fail "export from MariaDB"
cmp "$WORK/sqlite.csv" "$WORK/mariadb.csv" || fail "exports differ between the stores"
check "the export reads the same from MariaDB"

TCA_STORE="$target" "$TCA" capture cozy_channel >"$WORK/next.out" 2>&1 || { cat "$WORK/next.out"; fail "capture on MariaDB"; }
[ "$(mysql_do "SELECT MAX(seq) FROM $db.captures")" -eq 4 ] || fail "capture 4 not stored on MariaDB"
[ "$(mysql_do "SELECT COUNT(*) FROM $db.captures")" -eq 4 ] || fail "captures on MariaDB"
check "captures continue on MariaDB"

if "$TCA" migrate-store --from "sqlite:$TCA_DB" --to "$target" >"$WORK/again.out" 2>&1; then
    fail "a non-empty target was accepted"
fi
grep -q "already holds data" "$WORK/again.out" || { cat "$WORK/again.out"; fail "refusal message"; }
[ "$(mysql_do "SELECT COUNT(*) FROM $db.captures")" -eq 4 ] || fail "the refused copy wrote"
check "a target that holds data is refused"

bad="mysql://$my_user:wrong-secret@localhost/$db?socket=$my_socket"
if TCA_STORE="$bad" "$TCA" env-check >"$WORK/env.out" 2>&1; then fail "env-check accepted a bad password"; fi
grep -q "Access denied" "$WORK/env.out" || { cat "$WORK/env.out"; fail "env-check did not say why"; }
grep -q "wrong-secret" "$WORK/env.out" && fail "env-check printed the password"
TCA_STORE="$target" "$TCA" env-check >"$WORK/env.out" 2>&1 || { cat "$WORK/env.out"; fail "env-check"; }
grep -q "store ok (mariadb" "$WORK/env.out" || fail "env-check did not check the store"
check "env-check connects to MariaDB and says what is wrong, without the password"
