#!/usr/bin/env bash
# The multi-host test: several hosts on one machine, each a Linux network namespace joined to the
# coordinator's by a veth pair. Only addresses on this machine are used (10.77.0.0/16 inside the
# namespaces). Needs root and iproute2; installs PostgreSQL when absent.
#
#   gk-coord  10.77.1.1 10.77.2.1 10.77.3.1   gongkai serve --workers 0 (coordinator + collector)
#   gk-w1     10.77.1.2                       worker host 1: 2 workers over tcp:// + CURVE
#   gk-w2     10.77.2.2                       worker host 2: 1 worker, and an intruder whose key is not listed
#   gk-db     10.77.3.2                       PostgreSQL, the summary store
#
# Mid-job faults: worker host 1's link goes down (its leased tasks must go to host 2) and comes back;
# PostgreSQL is stopped and started again (the collector must retry and lose nothing).
# Checks: the job completes with every file done exactly once, PostgreSQL holds one report per distinct
# document, the intruder was refused by ZAP and never got a task, and `gongkai summary` over
# PostgreSQL equals the same corpus run through a local cluster on SQLite.
#
#   scripts/multihost-test.sh [COUNT]      (default 8000 reports; GONGKAI_BIN picks the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
count="${1:-8000}"

if [ "$(id -u)" -ne 0 ]; then echo "multihost-test: needs root (network namespaces)" >&2; exit 2; fi
command -v ip >/dev/null || apt-get install -y iproute2 >/dev/null
./scripts/setup.sh >/dev/null

if [ -n "${GONGKAI_BIN:-}" ]; then
    bin="$GONGKAI_BIN"
else
    swift build --product gongkai >&2
    bin="$(swift build --show-bin-path)/gongkai"
fi

dir="$(mktemp -d /tmp/gkmh-XXXXXX)"
chmod 755 "$dir"
echo "multihost-test: working in $dir" >&2
source scripts/lib/netns.sh
pids=()

log() { printf '%s multihost-test: %s\n' "$(date +%T)" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    sleep 1
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    [ -d "$dir/pg" ] && pg_stop db immediate 2>/dev/null
    netns_down
    if [ "${GONGKAI_KEEP:-0}" = 1 ]; then log "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

# ---- hosts: gk-coord, two worker hosts, a database host ------------------------------------------
netns_up w1 w2 db
# Task bytes reach each worker host at ${GONGKAI_LINK_RATE:-8mbit} (a few hundred reports/s), so that the
# faults below fall in the middle of the job whatever the machine's speed.
for host in w1 w2; do shape "$host" "${GONGKAI_LINK_RATE:-8mbit}" || log "no tbf qdisc here: links not shaped"; done
pg_init db
store="$(pg_url db)"

# ---- keys ---------------------------------------------------------------------------------------
keys="$dir/keys"
mkdir -p "$keys/authorized"
"$bin" keys generate --out "$keys" --name coordinator >/dev/null
for name in w1 w2 intruder; do "$bin" keys generate --out "$keys" --name "$name" >/dev/null; done
cp "$keys/w1.pub" "$keys/w2.pub" "$keys/authorized/"

# ---- corpus -------------------------------------------------------------------------------------
"$bin" corpus generate --count "$count" --out "$dir/corpus" --seed 7 --error-rate 0.05 >/dev/null
files=$(find "$dir/corpus" -name '*.txt' | wc -l)
distinct=$(find "$dir/corpus" -name '*.txt' -print0 | xargs -0 sha256sum | cut -d' ' -f1 | sort -u | wc -l)
log "corpus: $files files, $distinct distinct documents"

# ---- the cluster ----------------------------------------------------------------------------------
run="$dir/run"
ip netns exec gk-coord "$bin" serve --workers 0 --run-dir "$run" --store "$store" --log-level info \
    --bind tcp://0.0.0.0:5555 --server-key "$keys/coordinator.key" --authorized-keys "$keys/authorized" \
    2>"$dir/serve.log" &
pids+=($!)
for _ in $(seq 1 300); do [ -S "$run/control.sock" ] && break; sleep 0.1; done
[ -S "$run/control.sock" ] || { cat "$dir/serve.log" >&2; fail "the coordinator did not start"; }

worker() { # worker NS ADDRESS KEY LOGNAME
    ip netns exec "$1" "$bin" worker --connect "tcp://$2:5555" --key "$keys/$3.key" \
        --server-key "$keys/coordinator.pub" --log-level debug 2>"$dir/$4.log" &
    pids+=($!)
}
worker gk-w1 "$(coord_address w1)" w1 w1a
worker gk-w1 "$(coord_address w1)" w1 w1b
worker gk-w2 "$(coord_address w2)" w2 w2a
worker gk-w2 "$(coord_address w2)" intruder intruder

# STATUS reads the ledger, which is in PostgreSQL: while the database is down it is refused, so ask again.
stats() {
    local i
    for i in $(seq 1 120); do "$bin" status --run-dir "$run" --json 2>/dev/null && return 0; sleep 0.5; done
    fail "no STATUS answer for a minute"
}
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

job=$("$bin" submit --run-dir "$run" --recursive --glob '*.txt' "$dir/corpus")
job="${job//[^0-9]/}"
log "job $job submitted"

echo 0 >"$dir/max-workers"
done_count() { # the job's finished files; also keeps the most workers ever registered at once (a file: callers use $(…))
    local now workers
    now=$(stats)
    workers=$(echo "$now" | field "d['stats']['workers']")
    [ "$workers" -gt "$(cat "$dir/max-workers")" ] && echo "$workers" >"$dir/max-workers"
    echo "$now" | field "sum(j['done']+j['failed']+j['quarantined'] for j in d['jobs'] if j['job']==$job)"
}
wait_for() { # wait_for FRACTION: until that share of the job is finished
    local target=$((files * $1 / 100))
    for _ in $(seq 1 1200); do
        [ "$(done_count)" -ge "$target" ] && return 0
        sleep 0.25
    done
    fail "the job stalled below $1% (status: $(stats))"
}

# fault PERCENT BEFORE WHAT DOWN UP SECONDS: once PERCENT of the job is done (and fewer than BEFORE
# files, or the fault would not be mid-job), run DOWN, wait SECONDS, run UP.
fault() {
    wait_for "$1"
    local at
    at=$(done_count)
    [ "$at" -lt "$2" ] || fail "$at of $files files were done before the fault ($3): use more reports or a slower GONGKAI_LINK_RATE"
    log "fault: $3, at $at/$files done"
    $4
    sleep "$6"
    log "fault over: $3"
    $5
}
fault 15 $((files / 2)) "worker host 1's link down" "link_down w1" "link_up w1" 8
fault 0 $((files * 3 / 4)) "PostgreSQL stopped (STATUS, which reads the ledger, is refused meanwhile)" "pg_stop db" "pg_start db" 4

for _ in $(seq 1 2400); do
    state=$(stats | field "[j['state'] for j in d['jobs'] if j['job']==$job][0]")
    [ "$state" = "done" ] && break
    sleep 0.25
done
final=$(stats)
log "job $job finished: $(echo "$final" | field "[j for j in d['jobs'] if j['job']==$job][0]")"

# ---- checks -------------------------------------------------------------------------------------
done_n=$(echo "$final" | field "[j['done'] for j in d['jobs'] if j['job']==$job][0]")
total_n=$(echo "$final" | field "[j['total'] for j in d['jobs'] if j['job']==$job][0]")
[ "$total_n" -eq "$files" ] || fail "the job has $total_n tasks for $files files"
[ "$done_n" -eq "$files" ] || fail "$done_n of $files files done"
reports=$(pg_query "select count(*) from reports" db)
[ "$reports" -eq "$distinct" ] || fail "PostgreSQL holds $reports reports for $distinct distinct documents"
results=$(in_ns gk-coord "$bin" results "$job" --store "$store" --format ndjson | wc -l)
[ "$results" -eq "$files" ] || fail "results lists $results lines for $files files"
refused=$(echo "$final" | field "d['stats'].get('zap_refused', 0)")
[ "$refused" -gt 0 ] || fail "the coordinator counted no ZAP refusal"
grep -qF "$(head -c 8 "$keys/intruder.pub")" "$dir/serve.log" || fail "the refusal of the intruder's key is not logged"
# Three authorised workers: a fourth registered worker could only have been the intruder.
max_workers=$(cat "$dir/max-workers")
[ "$max_workers" -le 3 ] || fail "$max_workers workers registered at once: the intruder got in"
grep -q "CURVE handshake" "$dir/intruder.log" || fail "the intruder's log does not show its refused handshake"
grep -q "silent for .*presumed dead" "$dir/serve.log" || fail "the coordinator never gave up on worker host 1's workers during the link fault"
grep -q "store unavailable, retry" "$dir/serve.log" || fail "the collector never retried a commit during the database fault"
log "ok: $done_n/$files done, $reports reports in PostgreSQL, $refused ZAP refusal(s), intruder got no task"

# ---- the same corpus on SQLite, one host ----------------------------------------------------------
local_run="$dir/run-sqlite"
"$bin" serve --workers 2 --run-dir "$local_run" --store "$dir/local.sqlite" --log-level warning 2>"$dir/serve-sqlite.log" &
pids+=($!)
for _ in $(seq 1 300); do [ -S "$local_run/control.sock" ] && break; sleep 0.1; done
"$bin" submit --run-dir "$local_run" --wait --recursive --glob '*.txt' "$dir/corpus" >/dev/null
for by in year region agency; do
    in_ns gk-coord "$bin" summary --store "$store" --by "$by" --format json >"$dir/summary-pg-$by.json"
    "$bin" summary --store "$dir/local.sqlite" --by "$by" --format json >"$dir/summary-sqlite-$by.json"
    cmp -s "$dir/summary-pg-$by.json" "$dir/summary-sqlite-$by.json" \
        || { diff "$dir/summary-pg-$by.json" "$dir/summary-sqlite-$by.json" | head -n 20 >&2; fail "summary --by $by differs"; }
done
log "ok: summary by year, region and agency identical on PostgreSQL and SQLite"
log "PASS"
