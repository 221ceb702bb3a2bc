#!/bin/bash
# A throwaway MariaDB server for the tests, without systemd: a data directory in a temporary
# folder, a unix socket and no TCP port (so nothing to race for), stopped by `stop`.
#   tests/support/mariadb.sh start DIR   -> prints the store URL (mysql://...?socket=...)
#   tests/support/mariadb.sh stop DIR    -> stops the server and removes DIR
#   tests/support/mariadb.sh crash-restart DIR -> SIGKILLs the server and starts it again on
#                                                 the same data (fault tests)
# The user `tca` may create databases: each test makes its own and drops it.
set -euo pipefail
cmd=${1:?usage: mariadb.sh start|stop DIR}
dir=${2:?usage: mariadb.sh start|stop DIR}
sock="$dir/mysqld.sock"
run_as=()
[ "$(id -u)" -eq 0 ] && run_as=(--user=root)

# Starts mariadbd on the data directory and waits until it answers.
run_server() {
    command -v mariadbd >/dev/null || PATH="$PATH:/usr/sbin"
    # Small buffers: the test machine is shared. The log is written at each commit but flushed
    # once a second: a killed or restarted server loses nothing, only a power cut would.
    mariadbd --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --socket="$sock" --skip-networking \
        --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" "${run_as[@]}" \
        --innodb-buffer-pool-size=32M --innodb-log-file-size=16M --performance-schema=OFF \
        --max-connections=300 --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
        >/dev/null 2>&1 &
    echo $! >"$dir/server.pid"
    for _ in $(seq 1 600); do
        mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 && break
        kill -0 "$(cat "$dir/server.pid")" 2>/dev/null || { cat "$dir/error.log" >&2; exit 1; }
        sleep 0.1
    done
    mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 ||
        { cat "$dir/error.log" >&2; exit 1; }
}

start() {
    mkdir -p "$dir"
    command -v mariadbd >/dev/null || PATH="$PATH:/usr/sbin"
    # Its own tmpdir: bootstraps running at once in the shared /tmp collided on the name of a
    # temporary table ("Could not remove temporary table '/tmp/#sql-temptable-…'").
    mkdir -p "$dir/tmp"
    mariadb-install-db --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" "${run_as[@]}" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
        { cat "$dir/install.log" >&2; exit 1; }
    run_server
    local pass
    pass=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    mariadb --no-defaults --socket="$sock" -uroot -e "
        CREATE USER 'tca'@'localhost' IDENTIFIED BY '$pass';
        GRANT ALL ON *.* TO 'tca'@'localhost';
        CREATE DATABASE tca;"
    echo "mysql://tca:$pass@localhost/tca?socket=$sock"
}

stop() {
    [ -f "$dir/server.pid" ] || { rm -rf "$dir"; return 0; }
    local pid
    pid=$(cat "$dir/server.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -rf "$dir"
}

crash_restart() {
    local pid
    pid=$(cat "$dir/server.pid")
    kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    run_server
}

case "$cmd" in
start) start ;;
stop) stop ;;
crash-restart) crash_restart ;;
*) echo "usage: mariadb.sh start|stop DIR" >&2; exit 2 ;;
esac
