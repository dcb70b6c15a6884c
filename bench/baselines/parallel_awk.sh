#!/usr/bin/env bash
# Baseline: GNU parallel over a per-file command (awk extracting the table-3 and table-4 rows).
# usage: parallel_awk.sh JOBS DIR   — prints how many rows were found; time it from outside.
set -euo pipefail
jobs="$1"; dir="$2"
here="$(cd "$(dirname "$0")" && pwd)"
find "$dir" -name '*.txt' -print0 | parallel -0 -j "$jobs" -X -n 500 awk -f "$here/extract_tables.awk" {} | wc -l
