#!/usr/bin/env bash
# Smoke mode of the benchmark harness (CI): a small corpus through every benchmark so the harness never rots.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 bench/parse_bench.py --count 2000 --runs 1 --smoke
