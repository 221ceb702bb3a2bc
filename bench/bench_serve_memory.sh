#!/bin/bash
# Peak memory of `tca serve` in demo mode (the simulated Twitch runs in the same process)
# while it captures a 100,000-chatter and a 20,000-chatter channel every 2 seconds.
# With CHAT=on the demo's chat capture runs too: the simulator writes those two channels' chat
# (~30,000 messages a tick, more than this machine reads), so the run also shows what a reader
# slower than the chat costs. Prints the peak RSS (VmHWM) after N captures, sampled RSS, and
# with chat the messages stored and the EventSub connections lost; asserts nothing.
# Usage: [CHAT=on] bench/bench_serve_memory.sh [BUILD_DIR] [CAPTURES]
set -euo pipefail
build=${1:-build}
captures=${2:-20}
chat=${CHAT:-off}
TCA=${TCA:-$(cd "$(dirname "$0")/.." && pwd)/$build/tca}
WORK=$(mktemp -d /tmp/tca-bench-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
unset TWITCH_CLIENT_ID TWITCH_CLIENT_SECRET TWITCH_REDIRECT_URL
# chat off: captures (and the API) only
[ "$chat" = on ] || export TWITCH_EVENTSUB_URL=off
export TCA_DB="$WORK/tca.db" TCA_ENV_FILE="$WORK/none.env" TCA_CAPTURE_INTERVAL=2
export APP_SESSION_SECRET=dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==
"$TCA" serve --listen "127.0.0.1:$port" --demo-channels huge_channel,big_channel \
    >"$WORK/serve.log" 2>&1 &
pid=$!
start=$SECONDS
samples=()
next=0
while [ "$(grep -c 'capture channel=' "$WORK/serve.log" || true)" -lt "$captures" ]; do
    sleep 0.5
    if [ $((SECONDS - start)) -ge "$next" ]; then
        samples+=("$((SECONDS - start))s:$(($(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024))")
        next=$((next + 10))
    fi
    [ $((SECONDS - start)) -lt 600 ] || { tail "$WORK/serve.log"; echo "timed out"; exit 1; }
done
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "tca serve (demo, huge_channel 100k + big_channel 20k every 2 s, chat $chat): $captures captures in $((SECONDS - start)) s"
echo "peak RSS (VmHWM): $((hwm / 1024)) MB, current RSS: $((rss / 1024)) MB"
echo "RSS (MB) every 10 s: ${samples[*]}"
if [ "$chat" = on ]; then
    stored=$(sqlite3 "$TCA_DB" 'SELECT COALESCE(SUM(messages), 0) FROM chat_counts' 2>/dev/null || echo "?")
    echo "chat messages stored: $stored"
    grep -c 'eventsub.*connecting again\|eventsub.*no welcome' "$WORK/serve.log" |
        sed 's/^/EventSub reconnections after a lost connection: /' || true
fi
grep 'capture channel=20004' "$WORK/serve.log" | tail -3 | sed 's/^.*capture /  /'
