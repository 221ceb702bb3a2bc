#!/bin/bash
# Scale-out on MariaDB: two `tca worker` processes and a `tca gateway` share one MariaDB
# store and capture a channel of the simulator every second. Then the MariaDB server is
# SIGKILLed and started again in the middle of the captures. Afterwards: captures are
# numbered 1..N without a gap or a double, no job produced two captures, every capture's
# chatter count equals a naive recount of the stays covering it, and every job ended done or
# dead-lettered with its reason. Starts its own server (tests/support/mariadb.sh).
. "$(dirname "$0")/lib.sh"
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    echo "skipped: mariadbd is not installed"
    exit 0
fi
mdb="$WORK/mariadb"
url=$("$TCA_ROOT/tests/support/mariadb.sh" start "$mdb") || fail "MariaDB did not start"
trap '"$TCA_ROOT/tests/support/mariadb.sh" stop "$mdb"; cleanup' EXIT
my() { mariadb --no-defaults --socket="$mdb/mysqld.sock" -uroot -N tca -e "$1"; }

start_sim --tick-ms 700
export TCA_STORE="$url" TCA_JOB_LEASE=3 TCA_WORKERS=2
login
"$TCA" capture cozy_channel >"$WORK/first.out" 2>&1 || { cat "$WORK/first.out"; fail "first capture"; }
# Capture cozy_channel every second from now on, in the session the first capture made.
my "INSERT INTO session_channels(session_id, channel_id, interval_s, next_at, enabled)
    SELECT id, 20002, 1, 0, 1 FROM sessions"

for w in 1 2; do
    "$TCA" worker >"$WORK/worker$w.log" 2>&1 &
    PIDS+=($!)
done
"$TCA" gateway --listen 127.0.0.1:0 >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)

captures() { my "SELECT COUNT(*) FROM captures"; }
wait_captures() { # N SECONDS
    for _ in $(seq 1 $(($2 * 10))); do [ "$(captures)" -ge "$1" ] && return 0; sleep 0.1; done
    tail -5 "$WORK"/worker*.log
    fail "only $(captures) captures after $2 s (wanted $1)"
}
wait_captures 6 120
check "two workers capture on MariaDB ($(captures) captures)"

"$TCA_ROOT/tests/support/mariadb.sh" crash-restart "$mdb" || fail "MariaDB did not restart"
before=$(captures)
wait_captures $((before + 5)) 180
echo "store errors the workers logged around the restart: $(cat "$WORK"/worker*.log | grep -ciE 'error|retry' || true)"
check "captures go on after MariaDB was killed and restarted ($(captures) captures)"

# Stop scheduling, let the queue drain, then stop the workers.
my "UPDATE session_channels SET enabled = 0"
for _ in $(seq 1 600); do
    [ "$(my "SELECT COUNT(*) FROM jobs WHERE state IN (0, 1)")" = 0 ] && break
    sleep 0.1
done
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done

n=$(captures)
[ "$(my "SELECT MAX(seq) FROM captures")" = "$n" ] || fail "capture numbers have a gap or a double"
[ "$(my "SELECT COUNT(DISTINCT seq) FROM captures")" = "$n" ] || fail "a capture number repeats"
twice=$(my "SELECT COUNT(*) FROM (SELECT job_id FROM captures WHERE job_id IS NOT NULL
            GROUP BY job_id HAVING COUNT(*) > 1) t")
[ "$twice" = 0 ] || fail "$twice jobs stored two captures"
wrong=$(my "SELECT COUNT(*) FROM captures c WHERE c.chatter_count <> (SELECT COUNT(*)
            FROM presence p WHERE p.session_id = c.session_id AND p.channel_id = c.channel_id
            AND p.from_seq <= c.seq AND (p.to_seq IS NULL OR p.to_seq >= c.seq))")
[ "$wrong" = 0 ] || fail "$wrong captures disagree with a recount of their stays"
check "$n captures, numbered 1..$n, none stored twice, each matching its stays"

open=$(my "SELECT COUNT(*) FROM jobs WHERE state IN (0, 1)")
[ "$open" = 0 ] || fail "$open jobs still queued or running"
silent=$(my "SELECT COUNT(*) FROM jobs WHERE state = 3 AND COALESCE(last_error, '') = ''")
[ "$silent" = 0 ] || fail "$silent dead-lettered jobs without a reason"
done_jobs=$(my "SELECT COUNT(*) FROM jobs WHERE kind = 'capture' AND state = 2")
dead=$(my "SELECT COUNT(*) FROM jobs WHERE state = 3")
echo "capture jobs done: $done_jobs, dead-lettered: $dead"
[ "$done_jobs" -ge "$((n - 1))" ] || fail "fewer done capture jobs ($done_jobs) than scheduled captures"
grep -q "mysql://tca:\*\*\*@" "$WORK/worker1.log" || fail "the worker did not log its store"
grep -rq "$(echo "$url" | sed 's/.*tca:\([^@]*\)@.*/\1/')" "$WORK"/*.log && fail "a password was logged"
check "every job done or dead-lettered with its reason; no password in any log"
