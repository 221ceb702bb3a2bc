#!/bin/bash
# `tca backup` while two workers capture a channel every second into one SQLite store, then
# `tca restore` of each backup into a fresh store. Each backup is one snapshot: integrity
# check ok, captures numbered 1..N without a gap, each capture's chatter count equal to a
# recount of its stays, and no capture without its job done. The restore reports every
# table's count and checksum equal to the backup's. A backup never overwrites a file; a
# restore never merges into a store holding data; a MariaDB store names mariadb-dump.
. "$(dirname "$0")/lib.sh"
start_sim --tick-ms 700
export TCA_JOB_LEASE=3 TCA_WORKERS=2
login
"$TCA" capture cozy_channel >"$WORK/first.out" 2>&1 || { cat "$WORK/first.out"; fail "first capture"; }
# capture cozy_channel every second from now on, in the session the first capture made
sql "INSERT INTO session_channels(session_id, channel_id, interval_s, next_at, enabled)
     SELECT id, 20002, 1, 0, 1 FROM sessions"
for w in 1 2; do
    "$TCA" worker >"$WORK/worker$w.log" 2>&1 &
    PIDS+=($!)
done
captures() { sql "SELECT COUNT(*) FROM captures"; }
for _ in $(seq 1 1200); do [ "$(captures)" -ge 4 ] && break; sleep 0.1; done
[ "$(captures)" -ge 4 ] || fail "the workers did not capture"

# consistent FILE: prints its capture count, fails if the file is torn.
consistent() {
    local f=$1 n
    [ "$(sqlite3 "$f" 'PRAGMA integrity_check')" = ok ] || fail "$f: integrity check"
    n=$(sqlite3 "$f" "SELECT COUNT(*) FROM captures")
    [ "$(sqlite3 "$f" "SELECT MAX(seq) FROM captures")" = "$n" ] || fail "$f: captures have a gap"
    wrong=$(sqlite3 "$f" "SELECT COUNT(*) FROM captures c WHERE c.chatter_count <> (SELECT COUNT(*)
            FROM presence p WHERE p.session_id = c.session_id AND p.channel_id = c.channel_id
            AND p.from_seq <= c.seq AND (p.to_seq IS NULL OR p.to_seq >= c.seq))")
    [ "$wrong" = 0 ] || fail "$f: $wrong captures disagree with their stays"
    orphan=$(sqlite3 "$f" "SELECT COUNT(*) FROM captures c JOIN jobs j ON j.id = c.job_id
            WHERE j.state <> 2")
    [ "$orphan" = 0 ] || fail "$f: $orphan captures whose job is not done"
    echo "$n"
}

counts=()
for i in 1 2 3; do
    before=$(captures)
    "$TCA" backup "$WORK/backup$i.db" >"$WORK/backup$i.out" 2>&1 ||
        { cat "$WORK/backup$i.out"; fail "backup $i"; }
    n=$(consistent "$WORK/backup$i.db")
    [ "$n" -ge "$before" ] || fail "backup $i has $n captures, the store had $before before it"
    counts+=("$n")
    for _ in $(seq 1 100); do [ "$(captures)" -gt "$n" ] && break; sleep 0.1; done
done
[ "${counts[2]}" -gt "${counts[0]}" ] || fail "captures did not go on during the backups"
check "3 backups during captures (${counts[*]} captures), each one consistent snapshot"

"$TCA" backup "$WORK/backup1.db" >"$WORK/again.out" 2>&1 && fail "backup overwrote a file"
grep -q "File exists" "$WORK/again.out" || fail "no reason given: $(cat "$WORK/again.out")"
[ "$(consistent "$WORK/backup1.db")" = "${counts[0]}" ] || fail "the refused backup changed the file"
check "a backup never overwrites a file"

for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
TCA_DB="$WORK/restored.db" "$TCA" restore "$WORK/backup3.db" >"$WORK/restore.out" 2>&1 ||
    { cat "$WORK/restore.out"; fail "restore"; }
grep -q "counts and checksums match" "$WORK/restore.out" || fail "restore did not verify"
grep -E '^(captures|presence|oauth_tokens|jobs) ' "$WORK/restore.out"
[ "$(sqlite3 "$WORK/restored.db" "SELECT COUNT(*) FROM captures")" = "${counts[2]}" ] ||
    fail "restored store has another capture count"
# the restored store works: its login's token opens, the stats come out the same
TCA_DB="$WORK/backup3.db" "$TCA" stats --json >"$WORK/stats.backup" 2>&1 || fail "stats on the backup"
TCA_DB="$WORK/restored.db" "$TCA" stats --json >"$WORK/stats.restored" 2>&1 || fail "stats on the restore"
cmp -s "$WORK/stats.backup" "$WORK/stats.restored" || fail "stats differ after restore"
check "restore into a fresh store: counts and checksums equal, same statistics"

TCA_DB="$WORK/restored.db" "$TCA" restore "$WORK/backup2.db" >"$WORK/merge.out" 2>&1 &&
    fail "restore merged into a store holding data"
check "restore refuses a store that holds data"

if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then
    mdb="$WORK/mariadb"
    url=$("$TCA_ROOT/tests/support/mariadb.sh" start "$mdb") || fail "MariaDB did not start"
    trap '"$TCA_ROOT/tests/support/mariadb.sh" stop "$mdb"; cleanup' EXIT
    TCA_STORE="$url" "$TCA" restore "$WORK/backup3.db" >"$WORK/restore-my.out" 2>&1 ||
        { cat "$WORK/restore-my.out"; fail "restore into MariaDB"; }
    grep -q "counts and checksums match" "$WORK/restore-my.out" || fail "MariaDB restore did not verify"
    TCA_STORE="$url" "$TCA" backup "$WORK/my.db" >"$WORK/my.out" 2>&1 && fail "MariaDB backup via SQLite"
    grep -q "mariadb-dump" "$WORK/my.out" || fail "MariaDB backup does not name mariadb-dump"
    check "a backup restores into MariaDB too; a MariaDB store is dumped with mariadb-dump"
fi
