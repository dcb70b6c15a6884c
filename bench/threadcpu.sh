#!/usr/bin/env bash
# Where the CPU goes in one end-to-end run: starts `gongkai serve --workers N` on a fresh store, submits
# CORPUS and waits, then prints each thread's CPU time (user + system, from /proc/PID/task/TID/stat) in µs
# per report of the job, for serve and for each worker, with serve's peak RSS and I/O counters.
#
#   bench/threadcpu.sh CORPUS_DIR [N=2] [-- extra serve flags, e.g. --worker-nice 0]
#
# A worker's figure is per report of the whole job, so each of N workers shows about 1/N of what it
# spends per report it handles. Uses the release build. Compare only runs made back to back: this VM's
# wall-clock rate drifts by ~10% within an hour, CPU per report much less.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:?usage: bench/threadcpu.sh CORPUS_DIR [N] [-- serve flags]}"
workers="${2:-2}"
shift $(( $# >= 2 ? 2 : 1 ))
[ "${1:-}" = "--" ] && shift
swift build -c release --product gongkai >&2
bin="$(swift build -c release --show-bin-path)/gongkai"
corpus="$(cd "$corpus" && pwd)"
dir="$(mktemp -d /tmp/gktc-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
"$bin" serve --workers "$workers" --run-dir "$dir/run" --store "$dir/store.sqlite" --log-level warning "$@" 2>"$dir/serve.log" &
serve=$!
for _ in $(seq 1 100); do [ -S "$dir/run/control.sock" ] && break; sleep 0.1; done
sleep 1
start=$(date +%s.%N)
"$bin" submit --run-dir "$dir/run" --wait --glob '*.txt' "$corpus" >/dev/null
end=$(date +%s.%N)
reports=$(find "$corpus" -maxdepth 1 -name '*.txt' | wc -l)
python3 - "$start" "$end" "$reports" <<'EOF'
import sys
start, end, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"{n} reports in {end - start:.2f} s: {n / (end - start):,.0f} reports/s")
EOF
tick=$(getconf CLK_TCK)
report() {  # report PID LABEL
    local total=0
    for task in /proc/"$1"/task/*; do
        local name fields us
        read -r name < "$task/comm"
        fields=$(sed 's/.*) //' "$task/stat")
        us=$(( ($(echo "$fields" | cut -d' ' -f12) + $(echo "$fields" | cut -d' ' -f13)) * 1000000 / tick / reports ))
        total=$(( total + us ))
        printf '  %-8s %-6s %-14s %4d µs/report\n' "$2" "${task##*/}" "$name" "$us"
    done
    printf '  %-8s total %19d µs/report\n' "$2" "$total"
}
report "$serve" serve
for child in $(cat /proc/"$serve"/task/*/children); do report "$child" "w$child"; done
grep VmHWM /proc/"$serve"/status | sed 's/^/  serve /'
grep -E '^(rchar|wchar)' /proc/"$serve"/io | sed 's/^/  serve /'
"$bin" shutdown --run-dir "$dir/run" >/dev/null
wait "$serve" || true
