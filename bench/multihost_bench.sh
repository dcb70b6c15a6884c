#!/usr/bin/env bash
# Multi-host throughput: the coordinator in one network namespace, worker hosts in others joined by
# veth pairs (scripts/lib/netns.sh), workers over tcp:// with CURVE; the store is SQLite on the
# coordinator's host, or PostgreSQL on a host of its own with --postgres. No faults: this measures.
#
#   bench/multihost_bench.sh [--count N] [--hosts H] [--workers-per-host W] [--postgres]
#
# Prints a JSON line and writes bench/results/multihost-latest.json. All hosts share this machine's
# cores, so the figure measures the tcp+CURVE path and the remote-bytes dispatch, not more hardware.
set -euo pipefail
cd "$(dirname "$0")/.."
count=20000 hosts=2 per_host=1 postgres=0
while [ $# -gt 0 ]; do
    case "$1" in
        --count) count="$2"; shift 2 ;;
        --hosts) hosts="$2"; shift 2 ;;
        --workers-per-host) per_host="$2"; shift 2 ;;
        --postgres) postgres=1; shift ;;
        *) echo "usage: $0 [--count N] [--hosts H] [--workers-per-host W] [--postgres]" >&2; exit 2 ;;
    esac
done
if [ "$(id -u)" -ne 0 ]; then echo "multihost_bench: needs root (network namespaces)" >&2; exit 2; fi
./scripts/setup.sh >/dev/null
config="${GONGKAI_BENCH_CONFIG:-release}"
swift build -c "$config" --product gongkai >&2
bin="$(swift build -c "$config" --show-bin-path)/gongkai"

dir="$(mktemp -d /tmp/gkmb-XXXXXX)"
chmod 755 "$dir"
source scripts/lib/netns.sh
pids=()
cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    [ -d "$dir/pg" ] && pg_stop db immediate 2>/dev/null
    netns_down
    rm -rf "$dir"
}
trap cleanup EXIT

names=()
for k in $(seq 1 "$hosts"); do names+=("h$k"); done
if [ "$postgres" = 1 ]; then netns_up "${names[@]}" db; pg_init db; store="$(pg_url db)"; else netns_up "${names[@]}"; store="$dir/store.sqlite"; fi

corpus="bench/corpus/cluster-$count-s1"
if [ ! -f "$corpus/manifest.jsonl" ] || [ "$(wc -l <"$corpus/manifest.jsonl")" -ne "$count" ]; then
    rm -rf "$corpus"
    "$bin" corpus generate --count "$count" --out "$corpus" --seed 1 --error-rate 0.05 --utf8-only >/dev/null 2>&1
fi
bytes=$(find "$corpus" -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s}')

mkdir -p "$dir/keys/authorized"
"$bin" keys generate --out "$dir/keys" --name coordinator >/dev/null
for name in "${names[@]}"; do  # before serve starts: it reads the allow-list once (and on SIGHUP)
    "$bin" keys generate --out "$dir/keys" --name "$name" >/dev/null
    cp "$dir/keys/$name.pub" "$dir/keys/authorized/"
done
run="$dir/run"
ip netns exec gk-coord "$bin" serve --workers 0 --run-dir "$run" --store "$store" --log-level warning \
    --bind tcp://0.0.0.0:5555 --server-key "$dir/keys/coordinator.key" --authorized-keys "$dir/keys/authorized" \
    2>"$dir/serve.log" &
pids+=($!)
for _ in $(seq 1 300); do [ -S "$run/control.sock" ] && break; sleep 0.1; done
for name in "${names[@]}"; do
    for _ in $(seq 1 "$per_host"); do
        ip netns exec "gk-$name" "$bin" worker --connect "tcp://$(coord_address "$name"):5555" --key "$dir/keys/$name.key" \
            --server-key "$dir/keys/coordinator.pub" --log-level warning 2>>"$dir/worker-$name.log" &
        pids+=($!)
    done
done
for _ in $(seq 1 100); do
    workers=$("$bin" status --run-dir "$run" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["workers"])')
    [ "$workers" -ge $((hosts * per_host)) ] && break
    sleep 0.1
done
[ "$workers" -ge $((hosts * per_host)) ] || { echo "multihost_bench: only $workers of $((hosts * per_host)) workers joined; see $dir" >&2; exit 1; }

start=$(date +%s.%N)
"$bin" submit --run-dir "$run" --wait --recursive --glob '*.txt' "$corpus" >/dev/null
end=$(date +%s.%N)
status=$("$bin" status --run-dir "$run" --json)

mkdir -p bench/results
python3 - "$start" "$end" "$count" "$bytes" "$hosts" "$per_host" "$postgres" "$status" <<'PY' | tee bench/results/multihost-latest.json
import json, os, platform, subprocess, sys, time
start, end, count, size, hosts, per_host, pg, status = sys.argv[1:]
seconds = float(end) - float(start)
stats = json.loads(status)
job = stats["jobs"][-1]
print(json.dumps({
    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
    "cores": os.cpu_count(), "kernel": platform.release(),
    "reports": int(count), "hosts": int(hosts), "workers_per_host": int(per_host),
    "store": "postgresql" if pg == "1" else "sqlite", "transport": "tcp+curve over veth",
    "seconds": round(seconds, 2), "reports_per_s": round(int(count) / seconds),
    "mb_per_s": round(int(size) / seconds / 1e6, 1),
    "done": job["done"], "failed": job["failed"], "quarantined": job["quarantined"],
    "latency_ms": stats["stats"].get("latency_ms"),
}))
PY
