# A throwaway redis-server for tests: no persistence, a unix socket in a temporary folder,
# no TCP port (--port 0). Safe under `set -eu`. Sourced by bash scripts; call redis_start, and redis_stop from
# the caller's EXIT trap (redis_start does not install one, so callers keep their own).
#   redis_start DIR   starts it, sets REDIS_SOCK and REDIS_PID; fails if it does not answer
#   redis_stop        stops it (SIGKILL if it ignores SIGTERM)
#   redis_restart     stops and starts it again on the same socket (fault tests)

redis_start() {
    REDIS_DIR=$1
    REDIS_SOCK="$REDIS_DIR/redis.sock"
    command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; return 1; }
    redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 --save '' \
        --appendonly no --daemonize no --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" &
    REDIS_PID=$!
    for _ in $(seq 1 200); do
        redis-cli -s "$REDIS_SOCK" ping 2>/dev/null | grep -q PONG && return 0
        sleep 0.05
    done
    echo "redis-server did not answer on $REDIS_SOCK" >&2
    cat "$REDIS_DIR/redis.log" >&2 2>/dev/null
    return 1
}

redis_stop() {
    [ -n "${REDIS_PID:-}" ] || return 0
    kill "$REDIS_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$REDIS_PID" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
    return 0
}

redis_restart() {
    redis_stop
    redis_start "$REDIS_DIR"
}
