#!/usr/bin/env python3
"""The ceiling of the end-to-end rate on this machine, from what the two unavoidable parts cost alone:
the engine (decode+hash+parse+validate, one core, in process) and the store's SQLite statements with no
Swift around them (bench/store_floor/store_floor.c, compiled here with gcc against the system SQLite).

In one run it measures:
  1. the engine's µs per report (`gongkai bench parse`, as bench/cluster_bench.py does);
  2. the store floor: the feeder's task inserts and the collector's commit statements replayed for COUNT
     reports in C, on the schema of a real gongkai store and with its real rows, RUNS times each: with
     random content hashes (as real ones are), with sequential ones (what the random index costs), and
     the documents alone without the task ledger (what the durable ledger costs);
  3. gongkai itself, `serve --workers 2` on the same COUNT reports: the rate, and the CPU of its
     gk-feeder and gk-collector threads per report;
  4. the Python multiprocessing.Pool(2) regex baseline on the same files.
Then: ceiling = min(cores × 10^6 / (engine + floor), 10^6 / floor) reports/s, floor = the feeder's and the
collector's SQLite µs per report. The first term is the rate if every core did nothing but parse and
store, with no messaging, no bookkeeping and no Swift in the store path; the second is one SQLite
writer's, since the store's writes run one at a time whatever the cores. The same for each variant.

Usage: bench/store_floor.py [--count 100000] [--runs 3] [--seed 1] [--smoke]
Writes bench/results/store-floor-latest.json (store-floor-smoke.json with --smoke: 2,000 reports, one run,
for CI) and prints a markdown table. Needs a C compiler (gcc, or the clang of the Swift toolchain) and
libsqlite3-dev (scripts/setup.sh installs it).
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_bench  # noqa: E402

ROOT = cluster_bench.ROOT


def thread_us(threads, name, n):
    """CPU µs per report of the thread(s) of a process with this name."""
    return sum((seconds or 0) for _, comm, seconds in threads if comm == name) * 1e6 / n


def main():
    ap = argparse.ArgumentParser(description="The ceiling of the end-to-end rate: engine + store floor (see the module docstring).")
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.count, a.runs = min(a.count, 2000), 1

    binary = cluster_bench.build()
    d = cluster_bench.corpus(binary, a.count, a.seed)
    n = sum(1 for e in os.scandir(d) if e.name.endswith(".txt"))
    with tempfile.TemporaryDirectory(prefix="gkfloor-", dir="/tmp") as tmp:
        floor_bin = os.path.join(tmp, "store_floor")
        compiler = shutil.which("gcc") or shutil.which("clang") or shutil.which("cc")
        if compiler is None:
            sys.exit("store_floor: no C compiler (gcc, clang or cc) on PATH")
        subprocess.run([compiler, "-O2", "-o", floor_bin, os.path.join(ROOT, "bench", "store_floor", "store_floor.c"),
                        "-lsqlite3"], check=True)

        engine_us = 1e6 / cluster_bench.engine_reports_per_s(binary, d)

        # gongkai end to end; its store is the floor's source of schema and rows.
        source = os.path.join(tmp, "source.sqlite")
        run = cluster_bench.run_cluster(binary, d, n, 2, keep_store=source)
        if not run["exactly_once"]:
            sys.exit("store_floor: the gongkai run did not store every report exactly once")
        serve_threads = run["cpu"]["threads"]["serve"]
        gongkai = {"reports_per_s": run["reports_per_s"],
                   "feeder_cpu_us": round(thread_us(serve_threads, "gk-feeder", n), 2),
                   "collector_cpu_us": round(thread_us(serve_threads, "gk-collector", n), 2),
                   "serve_cpu_us": round((run["cpu"]["serve_s"] or 0) * 1e6 / n, 2),
                   "workers_cpu_us": round(sum(s or 0 for s in run["cpu"]["workers_s"]) * 1e6 / n, 2)}

        floors = {"random": [], "sequential": [], "documents": []}
        for _ in range(a.runs):
            for mode in floors:
                out = subprocess.run([floor_bin, source, os.path.join(tmp, "floor.sqlite"), str(a.count), "2000", mode],
                                     check=True, capture_output=True, text=True).stdout
                floors[mode].append(json.loads(out))

        python = cluster_bench.python_pool2_files_per_s(d, n)

    def median(mode, field):
        return round(statistics.median(r[field] for r in floors[mode]), 2)

    def spread(mode, field):
        values = [r[field] for r in floors[mode]]
        return f"{min(values):.1f}–{max(values):.1f}"

    cores = os.cpu_count()

    def ceiling_of(mode):
        floor_us = median(mode, "feeder_cpu_us") + median(mode, "collector_cpu_us")
        return floor_us, min(cores * 1e6 / (engine_us + floor_us), 1e6 / floor_us)

    floor_us, ceiling = ceiling_of("random")
    commit = cluster_bench.git_commit()
    results = {"machine": {"cores": cores, "kernel": platform.release(), "commit": commit,
                           "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sqlite": floors["random"][0]["sqlite"]},
               "count": a.count, "engine_us": round(engine_us, 2), "floor": floors, "gongkai": gongkai,
               "python_pool2_files_per_s": round(python),
               "ceiling_reports_per_s": {mode: round(ceiling_of(mode)[1]) for mode in floors}}
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results",
                           "store-floor-smoke.json" if a.smoke else "store-floor-latest.json"), "w") as f:
        json.dump(results, f, indent=2)

    m = results["machine"]
    print(f"\nstore floor: {a.count} reports, {cores} cores, kernel {m['kernel']}, SQLite {m['sqlite']}, "
          f"commit {commit}, {m['date']}\n")
    labels = {"random": "SQLite alone, random hashes (as real)", "sequential": "SQLite alone, sequential hashes",
              "documents": "SQLite alone, documents only, no task ledger"}
    print(f"| CPU µs per report (median of {a.runs}, range) | feeder (tasks) | collector (commit) | ceiling, reports/s | ceiling / python |")
    print("|---|---:|---:|---:|---:|")
    for mode in floors:
        print(f"| {labels[mode]} | {median(mode, 'feeder_cpu_us')} ({spread(mode, 'feeder_cpu_us')}) | "
              f"{median(mode, 'collector_cpu_us')} ({spread(mode, 'collector_cpu_us')}) | {ceiling_of(mode)[1]:,.0f} | "
              f"{ceiling_of(mode)[1] / python:.2f} |")
    print(f"| gongkai serve, 2 workers (gk-feeder, gk-collector threads) | {gongkai['feeder_cpu_us']} | "
          f"{gongkai['collector_cpu_us']} | {gongkai['reports_per_s']:,} (measured) | {gongkai['reports_per_s'] / python:.2f} |")
    print()
    print(f"- engine, one core: {engine_us:.1f} µs/report")
    print(f"- gongkai end to end: {gongkai['reports_per_s']:,} reports/s; serve {gongkai['serve_cpu_us']} + workers "
          f"{gongkai['workers_cpu_us']} µs CPU per report")
    print(f"- ceiling: min({cores} × 10^6 / ({engine_us:.1f} + {floor_us:.1f}), 10^6 / {floor_us:.1f}) = "
          f"min({cores * 1e6 / (engine_us + floor_us):,.0f}, {1e6 / floor_us:,.0f}) = {ceiling:,.0f} reports/s")
    print(f"- python Pool(2): {python:,.0f} files/s; ceiling / python = {ceiling / python:.2f}; "
          f"gongkai / python = {gongkai['reports_per_s'] / python:.2f}")


if __name__ == "__main__":
    main()
