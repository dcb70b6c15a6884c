#!/usr/bin/env python3
"""End-to-end cluster benchmark: submit to committed in the store, for N = 1, 2, … workers, beside the
engine's single-core parse figure and a Python multiprocessing.Pool(2) regex baseline, in one run.

For each N: a fresh run directory and store; `gongkai serve --workers N`; time from `gongkai submit --wait`
until the job is done (every result committed); then the store is checked (every file stored exactly once)
and the peak RSS of the serve process and of its workers is read from /proc before shutdown.

Usage: bench/cluster_bench.py [--count 100000] [--workers 1,2] [--seed 1] [--smoke]
Writes bench/results/cluster-latest.json (or cluster-smoke.json) and prints a markdown table.
"""
import argparse
import glob
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build():
    """Builds gongkai (release; GONGKAI_BENCH_CONFIG=debug reuses the test build, for smoke runs in CI)."""
    config = os.environ.get("GONGKAI_BENCH_CONFIG", "release")
    subprocess.run(["swift", "build", "-c", config, "--product", "gongkai"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(["swift", "build", "-c", config, "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return os.path.join(out, "gongkai")


def corpus(binary, count, seed):
    d = os.path.join(ROOT, "bench", "corpus", f"cluster-{count}-s{seed}")
    manifest = os.path.join(d, "manifest.jsonl")
    if not (os.path.exists(manifest) and sum(1 for _ in open(manifest)) == count):
        shutil.rmtree(d, ignore_errors=True)
        subprocess.run([binary, "corpus", "generate", "--count", str(count), "--out", d, "--seed", str(seed),
                        "--error-rate", "0.05", "--utf8-only"], check=True, stderr=subprocess.DEVNULL)
    warm(d, count)
    return d


def warm(d, count, limit=200_000):
    """Reads every file once, so that the first measured run does not read from disk while the later
    ones (and the baselines) read from the page cache. Skipped above `limit` reports: on this VM the page
    cache holds ~4 GB, less than the 1M corpus, whose runs therefore read from disk whatever is done."""
    if count > limit:
        return
    for entry in os.scandir(d):
        if entry.name.endswith(".txt"):
            with open(entry.path, "rb") as f:
                f.read()


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def peak_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pid, tid=None):
    """User + system CPU time of a process (all its threads), or of one of its threads."""
    path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def thread_cpu(pid):
    """[thread id, name, CPU seconds] of each thread of a process."""
    threads = []
    try:
        tids = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return threads
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        threads.append([tid, name, cpu_seconds(pid, tid)])
    return threads


def run_cluster(binary, d, n, workers, serve_args=(), keep_store=None):
    """One end-to-end run on a fresh store. `keep_store`: a path to copy the store to before it is removed."""
    tmp = tempfile.mkdtemp(prefix="gkb-", dir="/tmp")
    run, store = os.path.join(tmp, "run"), os.path.join(tmp, "store.sqlite")
    server = subprocess.Popen([binary, "serve", "--workers", str(workers), "--run-dir", run, "--store", store,
                               "--log-level", "warning", *serve_args], stderr=open(os.path.join(tmp, "serve.log"), "w"))
    try:
        for _ in range(200):
            if os.path.exists(os.path.join(run, "control.sock")):
                break
            time.sleep(0.05)
        time.sleep(0.5)  # let the workers connect and announce their credit
        t = time.perf_counter()
        subprocess.run([binary, "submit", "--run-dir", run, "--wait", "--json", "--glob", "*.txt", d], check=False,
                       stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - t
        status = subprocess.run([binary, "status", "--run-dir", run, "--json"], capture_output=True, text=True)
        latency = None
        try:
            latency = (json.loads(status.stdout).get("stats") or {}).get("latency_ms")
        except ValueError:
            pass
        pids = children(server.pid)
        rss = {"serve_kib": peak_rss_kib(server.pid), "workers_kib": [peak_rss_kib(p) for p in pids]}
        cpu = {"serve_s": cpu_seconds(server.pid), "workers_s": [cpu_seconds(p) for p in pids],
               "threads": {"serve": thread_cpu(server.pid), "workers": [thread_cpu(p) for p in pids]}}
        subprocess.run([binary, "shutdown", "--run-dir", run], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server.wait(timeout=120)
        db = sqlite3.connect(store)
        documents = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        tasks_done = db.execute("SELECT count(*) FROM tasks WHERE state = 'done'").fetchone()[0]
        size = os.path.getsize(store)
        db.close()
        if keep_store:
            shutil.copyfile(store, keep_store)
        return {"workers": workers, "seconds": round(elapsed, 3), "reports_per_s": round(n / elapsed),
                "documents": documents, "tasks_done": tasks_done, "exactly_once": documents == n and tasks_done == n,
                "store_bytes": size, "latency_ms": latency, "store_kib_per_1000": round(size / 1024 / (n / 1000), 1), "peak_rss": rss, "cpu": cpu}
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def engine_reports_per_s(binary, d):
    """The engine in process on one core (decode+hash+parse+validate), median of 3 passes over ≤20,000 files."""
    out = subprocess.run([binary, "bench", "parse", d, "--runs", "3", "--limit", "20000"], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    return json.loads(out[1])["reports_per_s"]


def python_pool2_files_per_s(d, n):
    """bench/baselines/regex_tables.py with multiprocessing.Pool(2), chunksize 256, over the n files of d."""
    t = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "baselines", "regex_tables.py"), "--pool", "2",
                    "--chunksize", "256", d], check=True, stdout=subprocess.DEVNULL)
    return n / (time.perf_counter() - t)


def git_commit():
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.count = min(a.count, 2000)

    binary = build()
    d = corpus(binary, a.count, a.seed)
    files = sorted(glob.glob(os.path.join(d, "*.txt")))
    n = len(files)
    results = {"machine": {"cores": os.cpu_count(), "kernel": platform.release(), "commit": git_commit(),
                           "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
               "corpus": {"dir": os.path.relpath(d, ROOT), "files": n}, "runs": []}

    single = engine_reports_per_s(binary, d)
    results["engine_single_core_reports_per_s"] = single

    for w in [int(x) for x in a.workers.split(",")]:
        r = run_cluster(binary, d, n, w)
        results["runs"].append(r)

    py = python_pool2_files_per_s(d, n)
    results["python_pool2_files_per_s"] = round(py)

    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "cluster-smoke.json" if a.smoke else "cluster-latest.json"), "w") as f:
        json.dump(results, f, indent=2)

    m = results["machine"]
    print(f"\ncluster benchmark: {n} reports, {m['cores']} cores, kernel {m['kernel']}, commit {m['commit']}, {m['date']}\n")
    print("| what | reports/s | vs engine 1 core | vs python Pool(2) | exactly once | serve peak RSS | store KiB/1000 |")
    print("|---|---:|---:|---:|---|---:|---:|")
    print(f"| engine in process, 1 core (decode+hash+parse+validate) | {single:,} | 1.00 | | | | |")
    for r in results["runs"]:
        print(f"| gongkai cluster, {r['workers']} worker(s), submit → committed | {r['reports_per_s']:,} | "
              f"{r['reports_per_s'] / single:.2f} | {r['reports_per_s'] / py:.2f} | {r['exactly_once']} | "
              f"{(r['peak_rss']['serve_kib'] or 0) // 1024} MiB | {r['store_kib_per_1000']} |")
    print(f"| python multiprocessing.Pool(2), regex tables 3+4 only, stores nothing | {round(py):,} | | 1.00 | | | |")
    bad = [r for r in results["runs"] if not r["exactly_once"]]
    if bad:
        print("ERROR: a run did not store every report exactly once", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
