#!/usr/bin/env bash
# The main job, end to end on this machine: set up, build, start a coordinator with N workers, submit the
# bundled seed reports (and, with a count, a generated corpus), wait, print the summary, shut down.
#
#   scripts/demo.sh            # the five real seed reports
#   scripts/demo.sh 20000      # plus 20,000 generated reports
#
# Everything lives in a fresh temporary directory (run dir, store, corpus) unless GONGKAI_DEMO_DIR is set.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-0}"
workers="${GONGKAI_WORKERS:-$(nproc)}"

./scripts/setup.sh
swift build -c release --product gongkai >&2
bin="$(swift build -c release --show-bin-path)/gongkai"

dir="${GONGKAI_DEMO_DIR:-$(mktemp -d /tmp/gkdemo-XXXXXX)}"
mkdir -p "$dir"
run="$dir/run"
store="$dir/gongkai.sqlite"
echo "demo directory: $dir" >&2

"$bin" serve --workers "$workers" --run-dir "$run" --store "$store" --log-level warning &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -S "$run/control.sock" ] && break; sleep 0.1; done

"$bin" submit --run-dir "$run" --wait "$PWD/Tests/GongkaiCoreTests/Fixtures/seeds"
if [ "$count" -gt 0 ]; then
    "$bin" corpus generate --count "$count" --out "$dir/corpus" --seed 1 --error-rate 0.05 >&2
    time "$bin" submit --run-dir "$run" --wait --glob '*.txt' "$dir/corpus" || true
fi

echo
"$bin" summary --store "$store" --by year
echo
"$bin" summary --store "$store" --by agency | head -n 12
"$bin" shutdown --run-dir "$run"
trap - EXIT
wait $server || true
