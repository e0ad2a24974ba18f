#!/usr/bin/env python3
"""Merges result files of the ember-bench/1 schema (bench/pytorch_gpu.py output, another
ember-bench run) into one ember-bench JSON, so one table and one plot show ember next to
PyTorch eager and torch.compile:

    python3 bench/merge_results.py ember-gpu.json pytorch-gpu.json -o gpu.json --table

The first file is the base: its machine description, settings and targets are kept. Rows
of the other files are added unless the base already has that (workload, size, label,
device) (--replace: theirs win). Rows without bytes per call get the base's bytes for the
same case, then GB/s and the fraction of their own file's copy bandwidth. Each merged file
is listed under "merged" with its machine, and a warning is printed when the devices differ
(times from different GPUs do not compare).
"""
import argparse
import json
import sys

SCHEMA = "ember-bench/1"


def load(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"merge_results.py: error: cannot read {path}: {e}")
    if doc.get("schema") != SCHEMA:
        sys.exit(f"merge_results.py: error: {path} is not an {SCHEMA} document")
    return doc


def device_name(doc):
    m = doc.get("machine", {})
    return (m.get("cuda") or {}).get("name") if str(m.get("device", "")).startswith("cuda") else m.get("cpu_model")


def key(row):
    return (row["workload"], row["size"], row.get("label") or f"{row['impl']} {row['mode']}", row.get("device"))


def fill_bytes(row, base_bytes, copy_gbps):
    if row.get("bytes_per_call") or not row.get("time_us"):
        return
    found = base_bytes.get((row["workload"], row["size"]))
    if not found:
        return
    row["bytes_per_call"], row["bytes_source"] = found
    row["gbps"] = row["bytes_per_call"] / (row["time_us"]["median"] * 1e3)
    if copy_gbps:
        row["copy_fraction"] = row["gbps"] / copy_gbps


def merge(base, others, replace):
    rows = {key(r): r for r in base["results"]}
    order = [key(r) for r in base["results"]]
    base_bytes = {(r["workload"], r["size"]): (r["bytes_per_call"], r.get("bytes_source"))
                  for r in base["results"] if r.get("bytes_per_call")}
    base["merged"] = base.get("merged", [])
    for path, doc in others:
        if device_name(doc) != device_name(base):
            print(f"merge_results.py: warning: {path} ran on {device_name(doc)!r}, the base on "
                  f"{device_name(base)!r}; their times do not compare", file=sys.stderr)
        copy_gbps = (doc.get("copy_bandwidth") or {}).get("gbps")
        added = 0
        for r in doc["results"]:
            k = key(r)
            if k in rows and not replace:
                continue
            fill_bytes(r, base_bytes, copy_gbps)
            if k not in rows:
                order.append(k)
            rows[k] = r
            added += 1
        base["merged"].append({"file": path, "tool": doc.get("tool"), "machine": doc.get("machine"),
                               "settings": doc.get("settings"), "copy_bandwidth": doc.get("copy_bandwidth"),
                               "rows": added})
    # Cases stay together, in the base's order, new cases at the end.
    cases = []
    for k in order:
        if (k[0], k[1]) not in cases:
            cases.append((k[0], k[1]))
    base["results"] = [rows[k] for c in cases for k in order if (k[0], k[1]) == c]
    return base


def table(doc):
    """A Markdown table: one line per case, the median time per call of every label."""
    labels = []
    for r in doc["results"]:
        lab = r.get("label") or f"{r['impl']} {r['mode']}"
        if lab not in labels:
            labels.append(lab)
    lines = ["| workload | size | " + " | ".join(labels) + " |", "|---|---:|" + "---:|" * len(labels)]
    cases = {}
    for r in doc["results"]:
        cases.setdefault((r["workload"], r["size"], r.get("size_kind")), {})[r.get("label") or f"{r['impl']} {r['mode']}"] = r
    for (w, size, kind), per in cases.items():
        cells = []
        for lab in labels:
            r = per.get(lab)
            if r is None:
                cells.append("")
            elif r.get("error") or not r.get("time_us"):
                cells.append("error")
            else:
                us = r["time_us"]["median"]
                cells.append(f"{us:.1f} us" if us < 1000 else f"{us / 1000:.2f} ms")
        size_txt = f"N={size}" if kind == "rows" else (f"2^{size.bit_length() - 1}" if size & (size - 1) == 0 else str(size))
        lines.append(f"| {w} | {size_txt} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base", help="an ember-bench --json file")
    ap.add_argument("others", nargs="+", help="files to merge into it (pytorch_gpu.py output, ...)")
    ap.add_argument("-o", "--output", required=True, help="the merged JSON to write")
    ap.add_argument("--replace", action="store_true", help="rows of later files replace the base's")
    ap.add_argument("--table", action="store_true", help="print a Markdown table of median times")
    args = ap.parse_args()
    base = load(args.base)
    merged = merge(base, [(p, load(p)) for p in args.others], args.replace)
    try:
        with open(args.output, "w") as f:
            json.dump(merged, f, indent=2)
    except OSError as e:
        sys.exit(f"merge_results.py: error: cannot write {args.output}: {e.strerror}")
    print(f"merged {len(args.others)} file(s) into {args.output}: {len(merged['results'])} rows", file=sys.stderr)
    if args.table:
        print(table(merged))


if __name__ == "__main__":
    main()
