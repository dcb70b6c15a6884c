# Hosts on one machine for multi-host runs (sourced by scripts/multihost-test.sh and
# bench/multihost_bench.sh). Each host is a Linux network namespace joined to the coordinator's
# namespace `gk-coord` by its own veth pair: host number K has 10.77.K.2, and gk-coord has
# 10.77.K.1 on that link (device c-NAME on the coordinator side, h-NAME on the host side).
# PostgreSQL runs in a host of its own, as the `postgres` OS user, on that host's address.
# Needs root and iproute2. The caller sets `dir` (a scratch directory, mode 755) first.

gk_hosts=()
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

# in_ns NS CMD…: runs CMD in host NS. For a command in the background, write `ip netns exec NS CMD &`
# instead, so that $! is the command itself and a kill reaches it.
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

# netns_up NAME...: gk-coord plus one host per NAME (gk-NAME), numbered 1, 2, … in order.
netns_up() {
    local k=0 name
    netns_down
    ip netns add gk-coord
    in_ns gk-coord ip link set lo up
    for name in "$@"; do
        k=$((k + 1))
        ip netns add "gk-$name"
        in_ns "gk-$name" ip link set lo up
        ip link add "c-$name" netns gk-coord type veth peer name "h-$name" netns "gk-$name"
        in_ns gk-coord ip addr add "10.77.$k.1/24" dev "c-$name"
        in_ns "gk-$name" ip addr add "10.77.$k.2/24" dev "h-$name"
        in_ns gk-coord ip link set "c-$name" up
        in_ns "gk-$name" ip link set "h-$name" up
        gk_hosts+=("$name")
    done
}

netns_down() {
    local ns
    for ns in $(ip netns list 2>/dev/null | awk '/^gk-/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
}

# host_address NAME / coord_address NAME: the two ends of NAME's link.
host_address() { local k; k=$(host_number "$1"); echo "10.77.$k.2"; }
coord_address() { local k; k=$(host_number "$1"); echo "10.77.$k.1"; }
host_number() {
    local i
    for i in "${!gk_hosts[@]}"; do [ "${gk_hosts[$i]}" = "$1" ] && { echo $((i + 1)); return; }; done
    echo "no host $1" >&2; return 1
}

# link_down NAME / link_up NAME: cut or restore NAME's only link (from the coordinator's side).
link_down() { in_ns gk-coord ip link set "c-$1" down; }
link_up() { in_ns gk-coord ip link set "c-$1" up; }

# pg_init HOST: a throwaway PostgreSQL cluster in $dir/pg for host gk-HOST, database and superuser
# `gongkai`, trusted from 10.77.0.0/16 only; prints nothing. pg_start / pg_stop HOST.
pg_init() {
    [ -n "$pgbin" ] || { apt-get update -qq && apt-get install -y postgresql >/dev/null; pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"; }
    mkdir -p "$dir/pg" "$dir/pgrun"
    chown postgres:postgres "$dir/pg" "$dir/pgrun"
    runuser -u postgres -- "$pgbin/initdb" -D "$dir/pg" -U gongkai --auth=trust >/dev/null
    echo "host all all 10.77.0.0/16 trust" >>"$dir/pg/pg_hba.conf"
    pg_start "$1"
    in_ns "gk-$1" runuser -u postgres -- "$pgbin/createdb" -h "$(host_address "$1")" -U gongkai gongkai
}
pg_start() {
    in_ns "gk-$1" runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/pgrun/postgres.log" -w \
        -o "-c listen_addresses=$(host_address "$1") -p 5432 -k $dir/pgrun" start >/dev/null
}
pg_stop() { in_ns "gk-$1" runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pg" -m "${2:-fast}" -w stop >/dev/null; }
pg_url() { echo "postgres://gongkai@$(host_address "$1"):5432/gongkai"; }
pg_query() { in_ns gk-coord "$pgbin/psql" -X -A -t -q -h "$(host_address "$2")" -U gongkai -d gongkai -c "$1"; }

# shape NAME RATE: limit what the coordinator sends to host NAME (e.g. 16mbit) with a token bucket,
# as a slower network would; returns non-zero where the kernel has no tbf qdisc.
shape() { in_ns gk-coord tc qdisc add dev "c-$1" root tbf rate "$2" burst 32kbit latency 400ms 2>/dev/null; }
