#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: start | stop | restart | url.
#
#   scripts/postgres.sh start     installs Debian's postgresql if absent, initdb's a cluster in a temp
#                                 dir, listens on 127.0.0.1 on a free port, creates role and database
#                                 `gongkai` (trust auth: loopback only, throwaway), prints the URL
#   scripts/postgres.sh url       prints the URL of the running server
#   scripts/postgres.sh restart   pg_ctl restart -m fast (the tests' database fault)
#   scripts/postgres.sh stop      stops it and removes its directory
#
# The state lives in $GONGKAI_PG_DIR (default /tmp/gongkai-pg-<uid>). PostgreSQL refuses to run as
# root: as root, the cluster belongs to the `postgres` OS user and every server command runs as it.
set -euo pipefail

dir="${GONGKAI_PG_DIR:-${TMPDIR:-/tmp}/gongkai-pg-$(id -u)}"

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin_dir() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
        SUDO=""
        if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
        echo "postgres.sh: installing postgresql" >&2
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
        found="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    fi
    echo "$found"
}

url() {
    [ -f "$dir/port" ] || { echo "postgres.sh: no server in $dir (run: scripts/postgres.sh start)" >&2; exit 1; }
    echo "postgres://gongkai@127.0.0.1:$(cat "$dir/port")/gongkai"
}

case "${1:-}" in
start)
    bin="$(bin_dir)"
    if [ -f "$dir/port" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        url
        exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$bin/initdb" -D "$dir/data" -U gongkai --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U gongkai gongkai
    url
    ;;
url)
    url
    ;;
restart)
    bin="$(bin_dir)"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
    ;;
stop)
    if [ -d "$dir/data" ]; then
        bin="$(bin_dir)"
        as_owner "$bin/pg_ctl" -D "$dir/data" -w -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: scripts/postgres.sh start|stop|restart|url" >&2
    exit 64
    ;;
esac
