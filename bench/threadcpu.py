#!/usr/bin/env python3
"""Where the CPU goes in one end-to-end run: `gongkai serve --workers N` on a fresh store, the corpus
submitted and waited for (bench/cluster_bench.py's run), then each thread's CPU time (user + system, from
/proc/PID/task/TID/stat) in µs per report of the job, for serve and for each worker.

Usage: bench/threadcpu.py CORPUS_DIR [--workers 2] [-- extra serve flags, e.g. --worker-nice 0]

A worker's figure is per report of the whole job, so each of N workers shows about 1/N of what it spends
per report it handles. Uses the release build. Compare only runs made back to back: this VM's wall-clock
rate drifts by ~10% within an hour, CPU per report much less.
"""
import argparse
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1])
    ap.add_argument("corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("serve_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    serve_args = a.serve_args[1:] if a.serve_args[:1] == ["--"] else a.serve_args
    corpus = os.path.abspath(a.corpus)
    n = len(glob.glob(os.path.join(corpus, "*.txt")))
    if n == 0:
        sys.exit(f"threadcpu: no *.txt files in {corpus}")
    binary = cluster_bench.build()
    cluster_bench.warm(corpus, n)
    r = cluster_bench.run_cluster(binary, corpus, n, a.workers, serve_args)
    print(f"{n} reports in {r['seconds']:.2f} s: {r['reports_per_s']:,} reports/s, stored exactly once: {r['exactly_once']}")
    processes = [("serve", r["cpu"]["threads"]["serve"])]
    processes += [(f"worker {i + 1}", threads) for i, threads in enumerate(r["cpu"]["threads"]["workers"])]
    for label, threads in processes:
        total = 0.0
        for tid, name, seconds in threads:
            us = (seconds or 0) * 1e6 / n
            total += us
            print(f"  {label:<9} {tid:>7} {name:<14} {us:6.1f} µs/report")
        print(f"  {label:<9} {'total':>7} {'':<14} {total:6.1f} µs/report")
    print(f"  serve peak RSS {(r['peak_rss']['serve_kib'] or 0) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
