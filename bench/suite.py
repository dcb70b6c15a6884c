#!/usr/bin/env python3
"""The benchmark suite that sizes a deployment (see bench/README.md).

For each corpus size (default 10k, 100k, 1M generated reports, reused when present, keyed by size and seed):
  * the engine in process on one core (gongkai bench parse: the per-core upper bound);
  * the cluster end to end (submit → committed in the store) for N = 1 … cores+1 workers, each --repeat
    times (median and spread), with task latency percentiles (an HDR histogram in the coordinator), peak RSS
    and CPU of the serve process (coordinator + collector) and of the workers, and store size per 1,000 reports;
  * two baselines a user would otherwise pick, on the same files: a Python multiprocessing.Pool regex
    script and GNU parallel over a per-file awk command (both extract table-3/table-4 rows and store nothing).
The 1M corpus runs the cluster at the best N only (it is there to show cost growth: throughput and flat memory).

Outputs in --out (default bench/results/suite-latest/): results.json, results.csv, results.md and SVG plots
(throughput against N, latency percentiles against N, peak RSS against corpus size).

Usage: bench/suite.py [--sizes 10000,100000,1000000] [--workers 1,2,3] [--repeat 3] [--seed 1] [--smoke]
--smoke: 2,000 reports, N = 1,2, one repetition: checks the harness end to end in about a minute (CI).
"""
import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_bench  # noqa: E402
import plots  # noqa: E402

ROOT = cluster_bench.ROOT


def timed(cmd, **kw):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t


def machine():
    mem = 0
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) * 1024
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {"cores": os.cpu_count(), "memory_bytes": mem, "kernel": platform.release(), "python": platform.python_version(),
            "commit": commit + ("+dirty" if dirty else ""), "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--workers", default=None, help="comma-separated N values (default 1 … cores+1)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "suite-latest"))
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    sizes = [int(x) for x in a.sizes.split(",")]
    workers = [int(x) for x in a.workers.split(",")] if a.workers else list(range(1, cores + 2))
    repeat = a.repeat
    if a.smoke:
        sizes, workers, repeat = [2000], [1, 2], 1
        a.out = os.path.join(ROOT, "bench", "results", "suite-smoke")
    os.makedirs(a.out, exist_ok=True)

    binary = cluster_bench.build()
    results = {"machine": machine(), "sizes": []}
    for size in sizes:
        d = cluster_bench.corpus(binary, size, a.seed)
        n = size
        corpus_bytes = sum(e.stat().st_size for e in os.scandir(d) if e.name.endswith(".txt"))
        entry = {"reports": n, "corpus_bytes": corpus_bytes, "cluster": [], "baselines": {}}
        print(f"== {n} reports ({corpus_bytes / 1e6:.0f} MB) in {os.path.relpath(d, ROOT)}", file=sys.stderr)

        engine = subprocess.run([binary, "bench", "parse", d, "--runs", str(max(3, repeat)), "--limit", "20000"],
                                check=True, capture_output=True, text=True).stdout.splitlines()
        entry["engine"] = [json.loads(x) for x in engine]

        ns = workers if n <= 200_000 else [max(workers, key=lambda w: w if w <= cores else 0)]
        for w in ns:
            runs = [cluster_bench.run_cluster(binary, d, n, w) for _ in range(repeat if n <= 200_000 else 1)]
            rates = [r["reports_per_s"] for r in runs]
            best = max(runs, key=lambda r: r["reports_per_s"])
            entry["cluster"].append({
                "workers": w, "reports_per_s": spread(rates), "mb_per_s": round(statistics.median(rates) * corpus_bytes / n / 1e6, 1),
                "exactly_once": all(r["exactly_once"] for r in runs), "latency_ms": best.get("latency_ms"),
                "peak_rss_kib": best["peak_rss"], "cpu_s": best["cpu"], "store_kib_per_1000": best["store_kib_per_1000"],
            })
            print(f"   cluster N={w}: {statistics.median(rates):,.0f} reports/s {rates}", file=sys.stderr)

        if n <= 200_000:
            t = [timed([sys.executable, os.path.join(ROOT, "bench", "baselines", "regex_tables.py"), "--pool", str(cores),
                        "--chunksize", "256", d]) for _ in range(repeat)]
            entry["baselines"][f"python multiprocessing.Pool({cores}) regex"] = spread([round(n / x) for x in t])
            t = [timed([os.path.join(ROOT, "bench", "baselines", "parallel_awk.sh"), str(cores), d]) for _ in range(repeat)]
            entry["baselines"][f"GNU parallel -j{cores} awk per file"] = spread([round(n / x) for x in t])
        results["sizes"].append(entry)

    # Cost growth: throughput and memory of the largest corpus against the smallest, at the same N.
    if len(results["sizes"]) > 1:
        small, large = results["sizes"][0], results["sizes"][-1]
        w = large["cluster"][0]["workers"]
        s = next((c for c in small["cluster"] if c["workers"] == w), None)
        if s:
            results["growth"] = {
                "workers": w, "from": small["reports"], "to": large["reports"],
                "throughput_ratio": round(large["cluster"][0]["reports_per_s"]["median"] / s["reports_per_s"]["median"], 2),
                "serve_peak_rss_ratio": round((large["cluster"][0]["peak_rss_kib"]["serve_kib"] or 0) / max(1, s["peak_rss_kib"]["serve_kib"] or 1), 2),
            }

    write_outputs(results, a.out)
    print(open(os.path.join(a.out, "results.md")).read())


def write_outputs(results, out):
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
    rows = []
    for e in results["sizes"]:
        for st in e["engine"]:
            rows.append({"reports": e["reports"], "what": "engine in process: " + st["stage"], "workers": 1,
                         "reports_per_s": st["reports_per_s"], "min": st["min"], "max": st["max"]})
        for c in e["cluster"]:
            lat = c.get("latency_ms") or {}
            rows.append({"reports": e["reports"], "what": "cluster end to end", "workers": c["workers"],
                         "reports_per_s": round(c["reports_per_s"]["median"]), "min": c["reports_per_s"]["min"],
                         "max": c["reports_per_s"]["max"], "p50_ms": lat.get("p50"), "p95_ms": lat.get("p95"),
                         "p99_ms": lat.get("p99"), "max_ms": lat.get("max"),
                         "serve_peak_rss_mib": round((c["peak_rss_kib"]["serve_kib"] or 0) / 1024, 1),
                         "worker_peak_rss_mib": round(max([x or 0 for x in c["peak_rss_kib"]["workers_kib"]] or [0]) / 1024, 1),
                         "store_kib_per_1000": c["store_kib_per_1000"], "exactly_once": c["exactly_once"]})
        for name, b in e["baselines"].items():
            rows.append({"reports": e["reports"], "what": name, "workers": None, "reports_per_s": round(b["median"]),
                         "min": b["min"], "max": b["max"]})
    fields = ["reports", "what", "workers", "reports_per_s", "min", "max", "p50_ms", "p95_ms", "p99_ms", "max_ms",
              "serve_peak_rss_mib", "worker_peak_rss_mib", "store_kib_per_1000", "exactly_once"]
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    m = results["machine"]
    md = [f"Suite run {m['date']} on {m['cores']} cores, {m['memory_bytes'] / 2**30:.0f} GiB, kernel {m['kernel']}, commit {m['commit']}.", "",
          "| reports | what | N | reports/s (median) | min–max | p50 / p95 / p99 / max ms | serve RSS MiB | worker RSS MiB | store KiB/1000 |",
          "|---:|---|---:|---:|---|---|---:|---:|---:|"]
    for r in rows:
        lat = "" if r.get("p50_ms") is None else f"{r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} / {r['max_ms']}"
        md.append(f"| {r['reports']:,} | {r['what']} | {r['workers'] or ''} | {r['reports_per_s']:,} | {r['min']:,}–{r['max']:,} | {lat} | "
                  f"{r.get('serve_peak_rss_mib', '')} | {r.get('worker_peak_rss_mib', '')} | {r.get('store_kib_per_1000', '')} |")
    for e in results["sizes"]:
        best = max(e["cluster"], key=lambda c: c["reports_per_s"]["median"])
        for name, b in e["baselines"].items():
            md.append(f"\n{e['reports']:,} reports: gongkai end to end (N={best['workers']}) / {name} = "
                      f"{best['reports_per_s']['median'] / b['median']:.2f}")
    if "growth" in results:
        g = results["growth"]
        md.append(f"\nCost growth {g['from']:,} → {g['to']:,} reports at N={g['workers']}: throughput ×{g['throughput_ratio']}, "
                  f"serve peak RSS ×{g['serve_peak_rss_ratio']}")
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    plots.write_all(results, out)


if __name__ == "__main__":
    main()
