#!/bin/sh
# Entry point of the local MariaDB image (deploy/local/Dockerfile): on an empty volume, make the
# data directory and the database and user named by MARIADB_DATABASE, MARIADB_USER,
# MARIADB_PASSWORD (root gets MARIADB_ROOT_PASSWORD), with networking off until that is done,
# so that a health check that connects never sees a half-made server. Never logs a password.
set -eu
: "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD is not set}"
: "${MARIADB_DATABASE:?MARIADB_DATABASE is not set}"
: "${MARIADB_USER:?MARIADB_USER is not set}"
: "${MARIADB_PASSWORD:?MARIADB_PASSWORD is not set}"
data=/var/lib/mysql
sock=/run/mysqld/init.sock
if [ ! -d "$data/mysql" ]; then
    chown mysql:mysql "$data"
    mariadb-install-db --user=mysql --datadir="$data" --skip-test-db \
        --auth-root-authentication-method=normal >/dev/null
    mariadbd --user=mysql --datadir="$data" --skip-networking --socket="$sock" &
    pid=$!
    i=0
    until mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -lt 600 ] || { echo "mariadb-init: the server did not start" >&2; exit 1; }
        sleep 0.1
    done
    # the values go through SQL string literals: refuse quotes rather than escape them
    case "$MARIADB_ROOT_PASSWORD$MARIADB_PASSWORD$MARIADB_USER$MARIADB_DATABASE" in
    *\'* | *\\* | *\`*) echo "mariadb-init: quotes or backslashes in MARIADB_*" >&2; exit 1 ;;
    esac
    mariadb --no-defaults --socket="$sock" -uroot <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$MARIADB_ROOT_PASSWORD';
CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;
CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '$MARIADB_PASSWORD';
GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';
SQL
    kill "$pid"
    wait "$pid" || true
fi
exec mariadbd --user=mysql --datadir="$data" --bind-address=0.0.0.0 "$@"
