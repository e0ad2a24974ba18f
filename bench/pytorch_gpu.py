#!/usr/bin/env python3
"""The ember-bench workloads in PyTorch (eager, torch.compile, torch.compile with
mode="reduce-overhead"), timed like ember-bench and written as JSON in its schema
("ember-bench/1"), for a GPU machine. Merge the result into an ember-bench run with
bench/merge_results.py to see ember vs PyTorch eager vs torch.compile side by side:

    build/tools/ember-bench --device cuda --json ember-gpu.json
    python3 bench/pytorch_gpu.py --json pytorch-gpu.json
    python3 bench/merge_results.py ember-gpu.json pytorch-gpu.json -o gpu.json --table
    python3 bench/plot.py gpu.json -o gpu.png

Timing: warm-up calls, then timed calls (at most --repeat, stopping after --budget-ms, at
least 5), each between two CUDA events after a synchronize (CPU: perf_counter), as
ember-bench times a call. Unlike ember-bench, which interleaves the modes of a case in rounds
to cancel a shared CPU host's drift, the modes here are timed one after the other.
Compile latency: first call minus a steady call, cold with a fresh
TORCHINDUCTOR_CACHE_DIR, warm after torch._dynamo.reset() with that cache filled.

--dry-run runs everything on the CPU at tiny sizes (to check the script without a GPU);
modes this PyTorch lacks (torch.compile needs 2.x) become rows with an error.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

# Keep in sync with bench/suite.cpp (the default list) and bench/workloads.cpp (the shapes).
POINTWISE = [
    "chain:add",
    "chain:add,mul",
    "chain:add,mul,clamp,pow",
    "chain:add,mul,clamp,pow,exp,sigmoid,sub,tanh",
    "chain_broadcast:add,mul,clamp,pow",
    "loss",
]
NETWORKS = ["two_layer_net", "mlp", "dynamic_net:1", "dynamic_net:2", "dynamic_net:3", "regression",
            "transformer_mlp", "transformer_mlp_train"]
QUICK = ["chain:add,mul,clamp,pow", "chain_broadcast:add,mul", "loss", "two_layer_net", "dynamic_net:1"]
MODES = ["eager", "torch.compile", "torch.compile:reduce-overhead"]


class UsageError(Exception):
    pass


def parse_sizes(text):
    sizes = []
    for item in text.split(","):
        item = item.strip()
        m = re.fullmatch(r"(?:2\^(\d{1,2})|(\d{1,12}))", item)
        if not m:
            raise UsageError(f"bad size '{item}' in --sizes (use element counts or powers like 2^20)")
        v = 1 << int(m.group(1)) if m.group(1) else int(m.group(2))
        if v < 1 or v > 1 << 30:
            raise UsageError(f"bad size '{item}' in --sizes: between 1 and 2^30")
        sizes.append(v)
    return sizes


def default_rows(spec):
    kind = spec.split(":")[0]
    return 100 if kind == "regression" else 512 if kind.startswith("transformer_mlp") else 64


def is_pointwise(spec):
    return spec.split(":")[0] in ("chain", "chain_broadcast", "loss")


# ----- the workloads (mirrors of bench/workloads.cpp)

def make_workload(torch, spec, size, device, seed):
    """Returns (step function, min_bytes or None). The step owns its tensors and modules."""
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(seed)
    kind, _, arg = spec.partition(":")
    opts = dict(device=device)

    def chain_op(op, x, b):
        table = {
            "add": lambda: x + b, "sub": lambda: x - b, "mul": lambda: x * b, "div": lambda: x / (b.abs() + 1),
            "clamp": lambda: x.clamp(-1, 1), "pow": lambda: x.pow(2), "exp": lambda: x.exp(),
            "sigmoid": lambda: x.sigmoid(), "tanh": lambda: x.tanh(), "relu": lambda: x.relu(),
            "neg": lambda: x.neg(), "abs": lambda: x.abs(), "sqrt": lambda: x.abs().sqrt(),
            "log": lambda: (x.abs() + 1).log(), "gelu": lambda: F.gelu(x),
        }
        if op not in table:
            raise UsageError(f"unknown chain op '{op}'")
        return table[op]()

    if kind in ("chain", "chain_broadcast"):
        ops = [o for o in arg.split(",") if o]
        if not ops:
            raise UsageError(f"workload {spec}: give the ops, e.g. chain:add,clamp,pow")
        if kind == "chain_broadcast":
            cols = 1024
            rows = max(1, size // cols)
            a, b = torch.randn(rows, cols, **opts), torch.randn(cols, **opts)
            min_bytes = (rows * cols * 2 + cols) * 4
        else:
            a, b = torch.randn(size, **opts), torch.randn(size, **opts)
            min_bytes = size * 3 * 4
        for op in ops:
            chain_op(op, a[:1], b[:1])

        def fn(x, y):
            for op in ops:
                x = chain_op(op, x, y)
            return x

        return (lambda f: f(a, b)), fn, min_bytes
    if kind == "loss":
        a, b = torch.randn(size, **opts), torch.randn(size, **opts)
        return (lambda f: f(a, b)), (lambda x, y: (x - y).pow(2).sum()), size * 2 * 4
    if kind == "two_layer_net":
        x, y = torch.randn(size, 1000, **opts), torch.randn(size, 10, **opts)
        w1 = torch.randn(1000, 100, **opts, requires_grad=True)
        w2 = torch.randn(100, 10, **opts, requires_grad=True)

        def step(x, y):
            loss = (x.mm(w1).clamp(0).mm(w2) - y).pow(2).sum()
            loss.backward()
            with torch.no_grad():
                w1.sub_(1e-6 * w1.grad)
                w2.sub_(1e-6 * w2.grad)
                w1.grad.zero_()
                w2.grad.zero_()
            return loss.detach()

        return (lambda f: f(x, y)), step, (size * 1010 + 2 * (1000 * 100 + 100 * 10)) * 4

    def trainer(model, opt, x, y, reduction):
        def step(x, y):
            opt.zero_grad()
            loss = F.mse_loss(model(x), y, reduction=reduction)
            loss.backward()
            opt.step()
            return loss.detach()

        return (lambda f: f(x, y)), step, None

    if kind == "mlp":
        model = nn.Sequential(nn.Linear(1000, 100), nn.ReLU(), nn.Linear(100, 10)).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        return trainer(model, opt, torch.randn(size, 1000, **opts), torch.randn(size, 10, **opts), "sum")
    if kind == "dynamic_net":
        k = int(arg or 1)
        if not 0 <= k <= 8:
            raise UsageError(f"dynamic_net:<k> takes k in 0..8 (got {k})")
        lin_in, mid, out = nn.Linear(1000, 100).to(device), nn.Linear(100, 100).to(device), nn.Linear(100, 10).to(device)
        params = [*lin_in.parameters(), *mid.parameters(), *out.parameters()]
        opt = torch.optim.SGD(params, lr=1e-4, momentum=0.9)

        def forward(x):
            h = lin_in(x).clamp(0)
            for _ in range(k):
                h = mid(h).clamp(0)
            return out(h)

        return trainer(forward, opt, torch.randn(size, 1000, **opts), torch.randn(size, 10, **opts), "sum")
    if kind == "regression":
        model = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=0.2)
        x = torch.linspace(-1, 1, size, **opts).unsqueeze(1)
        return trainer(model, opt, x, x.pow(2) + 0.2 * torch.rand(x.shape, **opts), "mean")
    if kind in ("transformer_mlp", "transformer_mlp_train"):
        d = 768
        model = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d)).to(device)
        x = torch.randn(size, d, **opts)
        if kind == "transformer_mlp":
            return (lambda f: f(x)), (lambda x: model(x)), None
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        return trainer(model, opt, x, torch.randn(size, d, **opts), "mean")
    raise UsageError(f"unknown workload '{spec}'")


# ----- timing

def mark_cudagraph_steps(torch, compiled):
    """reduce-overhead replays CUDA graphs into static buffers: each call starts a new step (so
    the previous call's outputs and gradients may be overwritten) and hands back copies, as
    PyTorch's documentation asks of a training loop that keeps results across calls."""
    def call(*args):
        mark = getattr(getattr(torch, "compiler", None), "cudagraph_mark_step_begin", None)
        if mark is not None:
            mark()
        out = compiled(*args)
        return out.clone() if isinstance(out, torch.Tensor) else out

    return call


def summarize(samples):
    s = sorted(samples)

    def pct(q):
        pos = q * (len(s) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(s) - 1)
        return s[lo] + (pos - lo) * (s[hi] - s[lo])

    return {"median": pct(0.5), "p10": pct(0.1), "p90": pct(0.9), "min": s[0], "max": s[-1],
            "mean": sum(s) / len(s), "repeats": len(s)}


def make_timer(torch, device):
    if device.startswith("cuda"):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)

        def timer(call):
            torch.cuda.synchronize()
            start.record()
            call()
            stop.record()
            stop.synchronize()
            torch.cuda.synchronize()
            return start.elapsed_time(stop) * 1000.0

        return timer

    def timer(call):
        t0 = time.perf_counter()
        call()
        return (time.perf_counter() - t0) * 1e6

    return timer


def time_calls(call, timer, warmup, repeat, budget_ms):
    for _ in range(warmup):
        timer(call)
    samples, spent = [], 0.0
    while len(samples) < max(1, repeat):
        us = timer(call)
        samples.append(us)
        spent += us
        if len(samples) >= min(5, repeat) and spent >= budget_ms * 1000:
            break
    return summarize(samples)


def sync(torch, device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def count_launches(torch, call, device):
    """Kernels one call launches, from the profiler (None where it cannot tell)."""
    if not device.startswith("cuda"):
        return None
    try:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            call()
            torch.cuda.synchronize()
        return sum(1 for e in prof.events() if str(getattr(e, "device_type", "")).endswith("CUDA"))
    except Exception:  # noqa: BLE001 - best effort only
        return None


# ----- one measurement

def measure(torch, spec, size, mode, args, copy_gbps):
    row = {"workload": spec, "size": size, "size_kind": "elements" if is_pointwise(spec) else "rows",
           "impl": "pytorch", "mode": mode, "label": f"pytorch {mode}", "device": args.device,
           "time_us": None, "launches_per_call": None, "bytes_per_call": None, "bytes_source": None,
           "gbps": None, "copy_fraction": None, "peak_bytes": None, "peak_extra_bytes": None,
           "program_bytes": None, "compile": None, "error": None}
    try:
        run, fn, min_bytes = make_workload(torch, spec, size, args.device, args.seed)
        timer = make_timer(torch, args.device)
        compile_info = None
        if mode == "eager":
            call = lambda: run(fn)  # noqa: E731
        else:
            if not hasattr(torch, "compile"):
                raise RuntimeError(f"torch.compile needs PyTorch >= 2.0 (this is {torch.__version__})")
            kwargs = {"mode": "reduce-overhead"} if mode.endswith("reduce-overhead") else {}
            os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="inductor-cold-")
            torch._dynamo.reset()
            compiled = torch.compile(fn, **kwargs)
            if kwargs:
                compiled = mark_cudagraph_steps(torch, compiled)
            t0 = time.perf_counter()
            run(compiled)
            sync(torch, args.device)
            cold_first = (time.perf_counter() - t0) * 1e3
            call = lambda: run(compiled)  # noqa: E731
            compile_info = {"cold_first_call_ms": cold_first}
        row["time_us"] = time_calls(call, timer, args.warmup, args.repeat, args.budget_ms)
        row["launches_per_call"] = count_launches(torch, call, args.device)
        if args.device.startswith("cuda"):
            sync(torch, args.device)
            before = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()
            call()
            sync(torch, args.device)
            row["peak_bytes"] = torch.cuda.max_memory_allocated()
            row["peak_extra_bytes"] = row["peak_bytes"] - before
        if compile_info is not None:
            steady_ms = row["time_us"]["median"] / 1e3
            torch._dynamo.reset()  # a new compile of the same function; the inductor cache stays
            again = torch.compile(fn, **kwargs)
            if kwargs:
                again = mark_cudagraph_steps(torch, again)
            t0 = time.perf_counter()
            run(again)
            sync(torch, args.device)
            warm_first = (time.perf_counter() - t0) * 1e3
            compile_info.update({"cold_ms": max(0.0, compile_info["cold_first_call_ms"] - steady_ms),
                                 "warm_first_call_ms": warm_first, "warm_ms": max(0.0, warm_first - steady_ms),
                                 "program_ms": None, "fused_kernels": None, "ops": None, "cold_ms_per_kernel": None})
            row["compile"] = compile_info
        if min_bytes:
            row["bytes_per_call"], row["bytes_source"] = min_bytes, "min_bytes"
            row["gbps"] = min_bytes / (row["time_us"]["median"] * 1e3)
            if copy_gbps:
                row["copy_fraction"] = row["gbps"] / copy_gbps
    except UsageError:
        raise
    except Exception as e:  # noqa: BLE001 - a failing mode is a row with an error
        row = {k: (None if k not in ("workload", "size", "size_kind", "impl", "mode", "label", "device") else v)
               for k, v in row.items()}
        row["error"] = str(e).splitlines()[0] if str(e) else type(e).__name__
    return row


def copy_bandwidth(torch, args):
    n = 1 << (26 if args.device.startswith("cuda") else (16 if args.dry_run else 24))
    src, dst = torch.randn(n, device=args.device), torch.empty(n, device=args.device)
    t = time_calls(lambda: dst.copy_(src), make_timer(torch, args.device), args.warmup, args.repeat, args.budget_ms)
    return {"elements": n, "bytes_per_call": 8 * n, "time_us": t, "gbps": 8 * n / (t["median"] * 1e3)}


def machine_info(torch, args):
    def cmd(c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:  # noqa: BLE001
            return ""

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    except OSError:
        pass
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    info = {"cpu_model": cpu, "cpu_cores": os.cpu_count(), "threads": torch.get_num_threads(),
            "load_average_1min": os.getloadavg()[0], "hostname": platform.node(),
            "git_commit": cmd(["git", "-C", repo, "rev-parse", "HEAD"]) or "unknown",
            "git_commit_source": "git rev-parse HEAD at run time",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "device": args.device, "cuda": None,
            "versions": {"pytorch": torch.__version__, "python": platform.python_version()}}
    try:
        import triton  # noqa: F401

        info["versions"]["triton"] = triton.__version__
    except Exception:  # noqa: BLE001
        pass
    if args.device.startswith("cuda"):
        p = torch.cuda.get_device_properties(torch.device(args.device))
        info["cuda"] = {"name": p.name, "compute_capability": f"{p.major}.{p.minor}",
                        "memory_bytes": p.total_memory, "multiprocessors": p.multi_processor_count,
                        "driver_version": cmd(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"]).split("\n")[0],
                        "runtime_version": torch.version.cuda, "cudnn_version": torch.backends.cudnn.version()}
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", help="write the results here (ember-bench/1 schema)")
    ap.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu (default cuda)")
    ap.add_argument("--filter", default="", help="only workloads whose name matches this regex")
    ap.add_argument("-w", "--workload", action="append", default=[], help="run these workloads instead of the default list")
    ap.add_argument("--sizes", help="elements for pointwise workloads, e.g. 2^10,2^20 (default 2^10..2^26 on CUDA)")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated subset of " + ",".join(MODES))
    ap.add_argument("--repeat", type=int, default=200, help="timed calls per measurement at most")
    ap.add_argument("--warmup", type=int, default=3, help="untimed calls before timing")
    ap.add_argument("--budget-ms", type=float, default=1000, help="stop timing a measurement after this long")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="a fast subset with few repeats")
    ap.add_argument("--dry-run", action="store_true", help="CPU, tiny sizes, 2 repeats: checks the script without a GPU")
    args = ap.parse_args()
    try:
        return run(args)
    except UsageError as e:
        print(f"pytorch_gpu.py: error: {e}", file=sys.stderr)
        return 2


def run(args):
    if args.repeat < 1:
        raise UsageError("--repeat must be at least 1")
    if args.json:
        try:
            open(args.json, "a").close()
        except OSError as e:
            raise UsageError(f"cannot write --json file '{args.json}': {e.strerror}")
    modes = [m for m in args.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            raise UsageError(f"unknown mode '{m}' (known: {', '.join(MODES)})")
    try:
        import torch
    except ImportError:
        raise UsageError("PyTorch is not installed (pip install torch, or apt-get install python3-torch for a CPU dry run)")
    if args.dry_run:
        args.device = "cpu"
        args.repeat, args.warmup, args.budget_ms = min(args.repeat, 2), 1, 10
    elif args.quick:
        args.repeat, args.warmup, args.budget_ms = min(args.repeat, 10), 1, 50
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError("no CUDA device is available to PyTorch (use --dry-run, or --device cpu)")
    if not (args.device == "cpu" or re.fullmatch(r"cuda(:\d+)?", args.device)):
        raise UsageError(f"unknown device '{args.device}' (use cpu, cuda or cuda:N)")

    names = args.workload or (QUICK if args.quick or args.dry_run else POINTWISE + NETWORKS)
    if args.sizes:
        sizes = parse_sizes(args.sizes)
    elif args.dry_run:
        sizes = [1 << 10]
    elif args.quick:
        sizes = [1 << 10, 1 << 14]
    else:
        sizes = [1 << e for e in ((10, 14, 18, 22, 24, 26) if args.device.startswith("cuda") else (10, 14, 18, 22, 24))]
    try:
        pattern = re.compile(args.filter)
    except re.error as e:
        raise UsageError(f"bad --filter regex '{args.filter}': {e}")
    cases = []
    for n in names:
        if not pattern.search(n):
            continue
        if is_pointwise(n):
            cases += [(n, s) for s in sizes]
        else:
            cases.append((n, 8 if args.dry_run else default_rows(n)))
    if not cases:
        raise UsageError(f"no workload matches --filter '{args.filter}'")
    for n in {c[0] for c in cases}:  # unknown names fail before anything runs
        make_workload(torch, n, 16 if is_pointwise(n) else 2, "cpu", 0)

    doc = {"schema": "ember-bench/1", "tool": "bench/pytorch_gpu.py", "machine": machine_info(torch, args),
           "settings": {"device": args.device, "quick": args.quick, "dry_run": args.dry_run, "filter": args.filter,
                        "repeat": args.repeat, "warmup": args.warmup, "budget_ms": args.budget_ms, "seed": args.seed,
                        "timer": "cuda events" if args.device.startswith("cuda") else "perf_counter"},
           "copy_bandwidth": copy_bandwidth(torch, args), "results": [], "targets": []}
    copy_gbps = doc["copy_bandwidth"]["gbps"]
    print(f"PyTorch {torch.__version__} on {args.device}; copy bandwidth {copy_gbps:.1f} GB/s", file=sys.stderr)
    for i, (spec, size) in enumerate(cases):
        t0 = time.perf_counter()
        print(f"[{i + 1}/{len(cases)}] {spec} {size} ...", end="", file=sys.stderr, flush=True)
        for mode in modes:
            row = measure(torch, spec, size, mode, args, copy_gbps)
            doc["results"].append(row)
            if row["error"]:
                print(f" [{row['label']} failed: {row['error']}]", end="", file=sys.stderr)
            else:
                print(f" {mode} {row['time_us']['median']:.1f} us", end="", file=sys.stderr)
        print(f" ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    doc["machine"]["load_average_1min_end"] = os.getloadavg()[0]
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
        print(f"results written to {args.json}", file=sys.stderr)
    else:
        json.dump(doc, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
