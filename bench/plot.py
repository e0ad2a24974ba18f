#!/usr/bin/env python3
"""Plots an ember-bench JSON file (schema "ember-bench/1", possibly merged with PyTorch GPU
results by merge_results.py): per workload swept over sizes, time per call and speedup
versus size; for the fixed-size networks, time per call and speedup as grouped bars.

    python3 bench/plot.py bench/results/cpu-2025-01-01.json -o bench/results/cpu-2025-01-01.png

Speedups are over the first baseline present for that workload: libtorch eager, then
PyTorch eager, then ember eager (higher is faster).
"""
import argparse
import json
import sys
from collections import defaultdict

BASELINES = ["libtorch eager", "pytorch eager", "ember eager"]
# Stable colours per implementation/mode so several plots read the same way.
COLOURS = {
    "ember eager": "#1f77b4",
    "ember compiled": "#d62728",
    "ember compiled+cuda_graphs": "#ff7f0e",
    "libtorch eager": "#2ca02c",
    "pytorch eager": "#2ca02c",
    "pytorch torch.compile": "#9467bd",
    "pytorch torch.compile:reduce-overhead": "#8c564b",
}


def label_of(row):
    return row.get("label") or f"{row['impl']} {row['mode']}"


def size_text(n):
    return f"2^{n.bit_length() - 1}" if n > 0 and n & (n - 1) == 0 else str(n)


def load(path):
    with open(path) as f:
        doc = json.load(f)
    if doc.get("schema") != "ember-bench/1":
        sys.exit(f"plot.py: error: {path} is not an ember-bench/1 document")
    return doc


def collect(doc):
    """{workload: {label: [(size, median, p10, p90)]}} for rows that have a time."""
    data = defaultdict(lambda: defaultdict(list))
    kinds = {}
    for row in doc["results"]:
        t = row.get("time_us")
        if row.get("error") or not t:
            continue
        data[row["workload"]][label_of(row)].append((row["size"], t["median"], t["p10"], t["p90"]))
        kinds[row["workload"]] = row.get("size_kind", "elements")
    for per_label in data.values():
        for points in per_label.values():
            points.sort()
    return data, kinds


def baseline_of(per_label):
    for b in BASELINES:
        if b in per_label:
            return b
    return None


def title(doc):
    m = doc.get("machine", {})
    device = m.get("device", "?")
    where = (m.get("cuda") or {}).get("name") if device.startswith("cuda") else m.get("cpu_model")
    parts = [f"ember-bench on {device}: {where}", f"{m.get('threads', '?')} threads"]
    if m.get("libtorch"):
        parts.append(f"libtorch {m['libtorch'].get('version')} ({m['libtorch'].get('blas')})")
    parts.append(str(m.get("date", ""))[:10])
    return ", ".join(parts)


def plot(doc, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data, kinds = collect(doc)
    swept = [w for w in data if kinds[w] == "elements" and max(len(p) for p in data[w].values()) > 1]
    fixed = [w for w in data if w not in swept]
    rows = len(swept) + (1 if fixed else 0)
    if rows == 0:
        sys.exit("plot.py: error: no timed results to plot")
    fig, axes = plt.subplots(rows, 2, figsize=(14, 3.6 * rows), squeeze=False)

    for i, w in enumerate(swept):
        per_label = data[w]
        base = baseline_of(per_label)
        ax_t, ax_s = axes[i]
        for label, pts in per_label.items():
            sizes = [p[0] for p in pts]
            colour = COLOURS.get(label)
            ax_t.plot(sizes, [p[1] for p in pts], "o-", label=label, color=colour, markersize=3)
            ax_t.fill_between(sizes, [p[2] for p in pts], [p[3] for p in pts], alpha=0.15, color=colour)
            if base and label != base:
                ref = dict((p[0], p[1]) for p in per_label[base])
                sp = [(s, ref[s] / m) for s, m, _, _ in pts if s in ref]
                if sp:
                    ax_s.plot([s for s, _ in sp], [v for _, v in sp], "o-", label=label, color=colour, markersize=3)
        ax_t.set(xscale="log", yscale="log", title=f"{w}: time per call", xlabel="elements", ylabel="µs (median, p10-p90)")
        ax_t.set_xscale("log", base=2)
        ax_s.axhline(1.0, color="grey", linewidth=0.8)
        ax_s.set(title=f"{w}: speedup over {base}", xlabel="elements", ylabel="x (higher is faster)")
        ax_s.set_xscale("log", base=2)
        for ax in (ax_t, ax_s):
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)

    if fixed:
        ax_t, ax_s = axes[len(swept)]
        labels = []  # in the order the results list them (ember eager, compiled, ..., libtorch)
        for w in fixed:
            labels += [l for l in data[w] if l not in labels]
        width = 0.8 / max(1, len(labels))
        for j, label in enumerate(labels):
            xs, times, speedups = [], [], []
            for k, w in enumerate(fixed):
                if label in data[w]:
                    median = data[w][label][-1][1]
                    xs.append(k + j * width)
                    times.append(median)
                    base = baseline_of(data[w])
                    speedups.append(data[w][base][-1][1] / median if base else float("nan"))
            ax_t.bar(xs, times, width, label=label, color=COLOURS.get(label))
            ax_s.bar(xs, speedups, width, label=label, color=COLOURS.get(label))
        def case_size(w):
            n = data[w][next(iter(data[w]))][-1][0]
            return f"N={n}" if kinds[w] == "rows" else size_text(n)

        names = [f"{w}\n({case_size(w)})" for w in fixed]
        for ax in (ax_t, ax_s):
            ax.set_xticks([k + 0.4 - width / 2 for k in range(len(fixed))])
            ax.set_xticklabels(names, fontsize=7, rotation=30, ha="right")
            ax.grid(True, axis="y", alpha=0.3)
            ax.legend(fontsize=7)
        ax_t.set(yscale="log", title="networks: time per call", ylabel="µs (median)")
        ax_s.axhline(1.0, color="grey", linewidth=0.8)
        ax_s.set(title="networks: speedup over libtorch/PyTorch eager (else ember eager)", ylabel="x (higher is faster)")

    fig.suptitle(title(doc), fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(out, dpi=90)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", help="ember-bench --json output (or a merged file)")
    ap.add_argument("-o", "--output", required=True, help="PNG file to write")
    args = ap.parse_args()
    try:
        doc = load(args.json)
    except (OSError, ValueError) as e:
        sys.exit(f"plot.py: error: cannot read {args.json}: {e}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        sys.exit("plot.py: error: matplotlib is missing (apt-get install python3-matplotlib)")
    plot(doc, args.output)


if __name__ == "__main__":
    main()
