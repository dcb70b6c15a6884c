"""SVG line charts for the benchmark suite, written by hand (no plotting library needed on the server)."""
import math
import os

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def nice_max(v):
    if v <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


def chart(title, xlabel, ylabel, series, hlines=(), xlog=False, xticks=None, width=720, height=420):
    """series: [(name, [(x, y, ymin, ymax)])]; hlines: [(name, y)]."""
    left, right, top, bottom = 80, 220, 40, 60
    pw, ph = width - left - right, height - top - bottom
    xs = [p[0] for _, pts in series for p in pts] or [1]
    ys = [p[3] if p[3] is not None else p[1] for _, pts in series for p in pts] + [y for _, y in hlines] or [1]
    xmin, xmax = min(xs), max(xs)
    if xlog:
        xmin, xmax = math.log10(xmin), math.log10(xmax)
    if xmax == xmin:
        xmin, xmax = xmin - 1, xmax + 1
    ymax = nice_max(max(ys) * 1.05)

    def X(x):
        v = math.log10(x) if xlog else x
        return left + (v - xmin) / (xmax - xmin) * pw

    def Y(y):
        return top + ph - (y / ymax) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="24" font-size="15" font-weight="bold">{title}</text>',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>']
    for i in range(6):
        y = ymax * i / 5
        out.append(f'<line x1="{left - 4}" y1="{Y(y):.1f}" x2="{left + pw}" y2="{Y(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{Y(y) + 4:.1f}" text-anchor="end">{y:,.0f}</text>')
    for x in (xticks or sorted(set(xs))):
        out.append(f'<line x1="{X(x):.1f}" y1="{top + ph}" x2="{X(x):.1f}" y2="{top + ph + 4}" stroke="black"/>')
        out.append(f'<text x="{X(x):.1f}" y="{top + ph + 18}" text-anchor="middle">{x:,}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 16}" text-anchor="middle">{xlabel}</text>')
    out.append(f'<text x="18" y="{top + ph / 2}" transform="rotate(-90 18 {top + ph / 2})" text-anchor="middle">{ylabel}</text>')
    legend_y = top + 10
    for i, (name, pts) in enumerate(series):
        c = COLORS[i % len(COLORS)]
        pts = sorted(pts)
        if len(pts) > 1:
            out.append('<polyline fill="none" stroke-width="2" stroke="%s" points="%s"/>' % (c, " ".join(f"{X(p[0]):.1f},{Y(p[1]):.1f}" for p in pts)))
        for x, y, lo, hi in pts:
            if lo is not None and hi is not None:
                out.append(f'<line x1="{X(x):.1f}" y1="{Y(lo):.1f}" x2="{X(x):.1f}" y2="{Y(hi):.1f}" stroke="{c}"/>')
            out.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="3.5" fill="{c}"/>')
        out.append(f'<rect x="{left + pw + 16}" y="{legend_y - 9}" width="12" height="12" fill="{c}"/>')
        out.append(f'<text x="{left + pw + 34}" y="{legend_y + 1}">{name}</text>')
        legend_y += 20
    for j, (name, y) in enumerate(hlines):
        c = COLORS[(len(series) + j) % len(COLORS)]
        out.append(f'<line x1="{left}" y1="{Y(y):.1f}" x2="{left + pw}" y2="{Y(y):.1f}" stroke="{c}" stroke-dasharray="6 4"/>')
        out.append(f'<line x1="{left + pw + 16}" y1="{legend_y - 3}" x2="{left + pw + 28}" y2="{legend_y - 3}" stroke="{c}" stroke-dasharray="4 2" stroke-width="2"/>')
        for k, part in enumerate(wrap(name, 26)):
            out.append(f'<text x="{left + pw + 34}" y="{legend_y + 1 + 14 * k}">{part}</text>')
        legend_y += 20 + 14 * (len(wrap(name, 26)) - 1)
    out.append("</svg>")
    return "\n".join(out)


def wrap(text, n):
    words, lines, cur = text.split(), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > n and cur:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w).strip()
    return lines + [cur] if cur else lines


def write_all(results, out):
    sizes = results["sizes"]
    series = []
    for e in sizes:
        pts = [(c["workers"], c["reports_per_s"]["median"], c["reports_per_s"]["min"], c["reports_per_s"]["max"]) for c in e["cluster"]]
        if pts:
            series.append((f"cluster, {e['reports']:,} reports", pts))
    hlines = []
    if sizes:
        e0 = sizes[0]
        for name, b in e0["baselines"].items():
            hlines.append((name, b["median"]))
        single = next((s for s in e0["engine"] if s["stage"].startswith("decode")), None)
        if single:
            hlines.append(("engine, 1 core, in process", single["reports_per_s"]))
    with open(os.path.join(out, "throughput.svg"), "w") as f:
        f.write(chart("End-to-end throughput against workers (submit → committed)", "workers (N)", "reports/s", series, hlines))

    lat_series = []
    pick = max(sizes, key=lambda e: len(e["cluster"])) if sizes else None
    if pick:
        for key in ("p50", "p95", "p99", "max"):
            pts = [(c["workers"], c["latency_ms"][key], None, None) for c in pick["cluster"] if c.get("latency_ms")]
            if pts:
                lat_series.append((f"{key} ({pick['reports']:,} reports)", pts))
    with open(os.path.join(out, "latency.svg"), "w") as f:
        f.write(chart("Task latency (dispatch → committed) against workers", "workers (N)", "milliseconds", lat_series))

    rss_serve, rss_worker = [], []
    for e in sizes:
        for c in e["cluster"]:
            if c["workers"] == sizes[-1]["cluster"][0]["workers"]:
                rss_serve.append((e["reports"], (c["peak_rss_kib"]["serve_kib"] or 0) / 1024, None, None))
                rss_worker.append((e["reports"], max([x or 0 for x in c["peak_rss_kib"]["workers_kib"]] or [0]) / 1024, None, None))
    with open(os.path.join(out, "rss.svg"), "w") as f:
        f.write(chart("Peak RSS against corpus size", "reports in the corpus", "MiB",
                      [("serve (coordinator + collector)", rss_serve), ("largest worker", rss_worker)],
                      xlog=len(rss_serve) > 1, xticks=[p[0] for p in rss_serve]))
