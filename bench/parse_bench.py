#!/usr/bin/env python3
"""Single-core parse+validate benchmark of the report engine, beside a plain Python regex baseline.

Measures, on one generated corpus of seed-sized UTF-8 reports, in one run:
  1. in-process parse+validate on one core (`gongkai bench parse`: files loaded into memory first),
     also with decoding+hashing and with JSON rendering;
  2. `gongkai parse --format ndjson DIR/*.txt` as one process (its default: a thread per core);
  3. the same with --jobs 1 (one core);
  4. bench/baselines/regex_tables.py, which only regex-extracts table-3 and table-4 rows.
Each timed command runs --runs times; the median is reported with min and max.

Usage: bench/parse_bench.py [--count 20000] [--runs 5] [--seed 1] [--smoke] [--binary PATH] [--out NAME]
--binary measures an already built gongkai (e.g. a copy of an older build, for before/after figures on the
same corpus and the same machine state) instead of building this checkout.
Writes bench/results/parse-latest.json and prints a markdown table.
"""
import argparse
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build():
    """Builds gongkai (release; GONGKAI_BENCH_CONFIG=debug reuses the test build, for smoke runs in CI)."""
    config = os.environ.get("GONGKAI_BENCH_CONFIG", "release")
    sh(["swift", "build", "-c", config, "--product", "gongkai"], cwd=ROOT, stdout=subprocess.DEVNULL)
    out = subprocess.run(["swift", "build", "-c", config, "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return os.path.join(out, "gongkai")


def corpus(binary, count, seed):
    d = os.path.join(ROOT, "bench", "corpus", f"parse-{count}-s{seed}")
    manifest = os.path.join(d, "manifest.jsonl")
    if os.path.exists(manifest) and sum(1 for _ in open(manifest)) == count:
        return d
    sh([binary, "corpus", "generate", "--count", str(count), "--out", d, "--seed", str(seed),
        "--error-rate", "0.05", "--utf8-only"], stderr=subprocess.DEVNULL)
    return d


def timed(cmd, runs, stdout=subprocess.DEVNULL):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sh(cmd, stdout=stdout)
        times.append(time.perf_counter() - t)
    return times


def machine():
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {"cores": os.cpu_count(), "memory_bytes": mem, "kernel": platform.release(), "python": platform.python_version(),
            "commit": commit, "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true", help="small and quick: checks the harness works, not the speed")
    ap.add_argument("--binary", help="a gongkai executable to measure instead of building this checkout")
    ap.add_argument("--out", help="results file name under bench/results/ (default parse-latest.json)")
    a = ap.parse_args()

    binary = os.path.abspath(a.binary) if a.binary else build()
    d = corpus(binary, a.count, a.seed)
    files = sorted(glob.glob(os.path.join(d, "*.txt")))
    total_bytes = sum(os.path.getsize(f) for f in files)
    n = len(files)
    measured = dict(machine(), binary=binary if a.binary else "built from this checkout")
    results = {"machine": measured, "corpus": {"dir": os.path.relpath(d, ROOT), "files": n, "bytes": total_bytes,
                                               "mean_bytes": total_bytes // max(1, n)}, "stages": []}

    # 1. In-process, one core.
    out = subprocess.run([binary, "bench", "parse", d, "--runs", str(max(1, a.runs))], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        s = json.loads(line)
        results["stages"].append({"name": "gongkai in-process " + s["stage"].replace("read_decode_hash", "decode_hash").replace("_", "+"), "processes": 1, "threads": 1,
                                  "reports_per_s": s["reports_per_s"], "mb_per_s": s["mb_per_s"],
                                  "min": s["min"], "max": s["max"]})

    # Sanity: the CLI really parses every file.
    lines = subprocess.run([binary, "parse", "--format", "ndjson"] + files, check=True, capture_output=True).stdout.count(b"\n")
    assert lines == n, f"gongkai parse printed {lines} lines for {n} files"

    def add(name, cmd, threads):
        t = timed(cmd, max(1, a.runs))
        med = statistics.median(t)
        results["stages"].append({"name": name, "processes": 1, "threads": threads, "seconds_median": round(med, 4),
                                  "reports_per_s": round(n / med), "mb_per_s": round(total_bytes / med / 1e6),
                                  "min": round(n / max(t)), "max": round(n / min(t)), "command": " ".join(cmd[:4]) + " DIR/*.txt"})
        return n / med

    cores = os.cpu_count() or 1
    cli = add("gongkai parse --format ndjson DIR/*.txt", [binary, "parse", "--format", "ndjson"] + files, cores)
    cli1 = add("gongkai parse --jobs 1 --format ndjson DIR/*.txt", [binary, "parse", "--jobs", "1", "--format", "ndjson"] + files, 1)
    py = add("python3 bench/baselines/regex_tables.py DIR/*.txt",
             [sys.executable, os.path.join(ROOT, "bench", "baselines", "regex_tables.py")] + files, 1)
    results["ratios"] = {"cli_vs_python": round(cli / py, 2), "cli_one_thread_vs_python": round(cli1 / py, 2)}

    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    name = a.out or ("parse-smoke.json" if a.smoke else "parse-latest.json")
    with open(os.path.join(ROOT, "bench", "results", name), "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)

    m = results["machine"]
    print(f"\nparse benchmark: {n} reports, mean {results['corpus']['mean_bytes']} bytes, "
          f"{m['cores']} cores, kernel {m['kernel']}, commit {m['commit']}, {m['date']}\n")
    print("| stage | threads | reports/s (median) | MB/s | min–max |")
    print("|---|---:|---:|---:|---|")
    for s in results["stages"]:
        print(f"| {s['name']} | {s['threads']} | {s['reports_per_s']:,} | {s['mb_per_s']} | {s['min']:,}–{s['max']:,} |")
    print(f"\nratio gongkai parse (one process) / python regex baseline: {results['ratios']['cli_vs_python']}x "
          f"(one thread: {results['ratios']['cli_one_thread_vs_python']}x)")
    if a.smoke:
        print("smoke: ok (speed figures from a smoke run are not meaningful)")


if __name__ == "__main__":
    main()
