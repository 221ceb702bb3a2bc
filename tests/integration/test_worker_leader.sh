#!/bin/bash
# Scheduler leadership among workers sharing one store and one Redis: one of two workers
# leads (holds the lease), the other stands by; SIGKILL the leader and the other takes over
# once the lease runs out, and the schedule keeps being captured.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../support/redis.sh"

start_sim
mkdir -p "$WORK/redis"
redis_start "$WORK/redis"
PIDS+=($REDIS_PID)
export TCA_REDIS="unix://$REDIS_SOCK" TCA_LEADER_LEASE=3 TCA_WORKERS=1
login

# A schedule every second, left in the store (watch killed before it can stop it).
"$TCA" watch cozy_channel --interval 1 >"$WORK/watch.out" 2>&1 &
watch=$!
PIDS+=($watch)
for _ in $(seq 1 200); do grep -q watching "$WORK/watch.out" && break; sleep 0.05; done
kill -9 $watch
wait $watch 2>/dev/null || true
# The killed watch's own capture would hold its channel until the job's lease ends.
sql "DELETE FROM jobs WHERE state IN (0, 1)"

wait_log() { # file pattern seconds
    for _ in $(seq 1 $(($3 * 10))); do grep -qs "$2" "$1" && return 0; sleep 0.1; done
    return 1
}
"$TCA" worker >"$WORK/a.log" 2>&1 &
a=$!
PIDS+=($a)
wait_log "$WORK/a.log" "scheduler leading" 30 || { cat "$WORK/a.log"; fail "first worker does not lead"; }
"$TCA" worker >"$WORK/b.log" 2>&1 &
b=$!
PIDS+=($b)
wait_log "$WORK/b.log" "scheduler standing by" 30 || { cat "$WORK/b.log"; fail "second worker does not stand by"; }
grep -q "scheduler leading" "$WORK/b.log" && fail "two leaders at once"
check "one worker leads, the other stands by"

before=$(sql "SELECT count(*) FROM jobs WHERE kind='capture'")
kill -9 $a
killed=$(date +%s.%N)
wait $a 2>/dev/null || true
wait_log "$WORK/b.log" "scheduler leading" 60 || { cat "$WORK/b.log"; fail "nobody took over"; }
took=$(python3 -c "import time; print(round(time.time() - $killed, 1))")
echo "took over ${took}s after SIGKILL (lease 3 s)"
for _ in $(seq 1 300); do
    [ "$(sql "SELECT count(*) FROM jobs WHERE kind='capture'")" -gt $((before + 1)) ] && break
    sleep 0.1
done
after=$(sql "SELECT count(*) FROM jobs WHERE kind='capture'")
[ "$after" -gt $((before + 1)) ] || fail "the new leader queued no captures ($before -> $after)"
check "the second worker took over in ${took}s and kept capturing ($before -> $after capture jobs)"

# A clean stop hands the lease over at once instead of letting it run out.
"$TCA" worker >"$WORK/c.log" 2>&1 &
c=$!
PIDS+=($c)
wait_log "$WORK/c.log" "scheduler standing by" 30 || { cat "$WORK/c.log"; fail "third worker does not stand by"; }
kill -TERM $b
wait $b 2>/dev/null || true
stopped=$(date +%s.%N) # b has finished its jobs and released the lease
wait_log "$WORK/c.log" "scheduler leading" 30 || { cat "$WORK/c.log"; fail "nobody took over after a clean stop"; }
took=$(python3 -c "import time; print(round(time.time() - $stopped, 1))")
echo "took over ${took}s after the leader stopped (lease 3 s; the standby checks every second)"
check "a cleanly stopped leader hands over in ${took}s"
