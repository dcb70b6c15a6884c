#!/usr/bin/env bash
# Smoke mode of the benchmark harness (CI): a small corpus through every benchmark so the harness never rots.
# It reuses the debug build of the tests (a release build from clean would double CI's build time); the
# figures it prints say nothing about speed. The full runs are in bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export GONGKAI_BENCH_CONFIG="${GONGKAI_BENCH_CONFIG:-debug}"
python3 bench/parse_bench.py --count 2000 --runs 1 --smoke
python3 bench/suite.py --smoke
python3 bench/store_floor.py --smoke
