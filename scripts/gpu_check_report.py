#!/usr/bin/env python3
"""Reports for scripts/gpu_check.sh run.

    gpu_check_report.py tests LOGDIR          one line per CUDA test suite, then every failure
    gpu_check_report.py summary OUTDIR SECS   the short table the run prints last

A suite that left no XML (it crashed or ran out of time) counts as failed, with its log's end.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET


def suite_results(xml_path):
    """(passed, failed, skipped, failures) of one gtest XML file; failures: [(name, message)]."""
    passed = failed = skipped = 0
    failures = []
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        name = case.get("classname", "") + "." + case.get("name", "")
        problems = case.findall("failure")
        if problems:
            failed += 1
            failures.append((name, problems[0].get("message", "")))
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def tail(path, chars=1500):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-chars:]
    except OSError:
        return "(no log)"


def tests(logdir):
    totals = [0, 0, 0, 0]  # passed, failed, skipped, suites without a result
    details = []
    for log in sorted(glob.glob(os.path.join(logdir, "suite*.log"))):
        if log.endswith(".rerun.log"):
            continue
        stem = log[: -len(".log")]
        label = os.path.basename(stem)
        if not os.path.exists(stem + ".xml"):
            totals[3] += 1
            print(f"{label}: no result (crashed or timed out)")
            details.append(f"--- {label}: end of its log\n{tail(log)}")
            rerun = stem + ".rerun.log"
            if os.path.exists(rerun):
                details.append(f"--- {label}: end of the rerun's log (CUDA_LAUNCH_BLOCKING=1)\n{tail(rerun)}")
            continue
        passed, failed, skipped, failures = suite_results(stem + ".xml")
        suite = failures[0][0].split(".")[0] if failures else first_suite(stem + ".xml")
        line = f"{label} {suite}: {passed} passed, {failed} failed, {skipped} skipped"
        if failed and os.path.exists(stem + ".rerun.xml"):
            rp, rf, _, _ = suite_results(stem + ".rerun.xml")
            line += f" (rerun with launches blocking: {rp} passed, {rf} failed)"
        print(line)
        for i, v in enumerate((passed, failed, skipped)):
            totals[i] += v
        for name, message in failures:
            details.append(f"--- FAILED {name}\n{message[:2000]}")
    print(f"tests: {totals[0]} passed, {totals[1] + totals[3]} failed, {totals[2]} skipped"
          f" ({totals[3]} suites left no result)")
    for d in details:
        print(d)


def first_suite(xml_path):
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        return case.get("classname", "?")
    return "?"


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def summary(outdir, seconds):
    device = read(os.path.join(outdir, "device.txt")).splitlines()
    csv = next((l for l in device if "," in l and not l.startswith(("name", "LD_"))), "no nvidia-smi")
    commit = next((l for l in device if l.startswith("commit ")), "commit unknown")
    print(f"== ember GPU check, {seconds} s: {csv.strip()} ({commit})")
    probe = read(os.path.join(outdir, "probe.txt")).splitlines()
    for l in probe:
        if re.match(r"^\S.* (ok|FAIL.*)$", l) or "probe checks failed" in l:
            print("probe  " + l)
    tests_lines = read(os.path.join(outdir, "tests.txt")).splitlines()
    print(next((l for l in tests_lines if l.startswith("tests: ")), "tests: no report"))
    for l in tests_lines:
        if l.startswith("--- FAILED") or l.endswith("(crashed or timed out)"):
            print("  " + l.lstrip("- "))
    print((read(os.path.join(outdir, "memcheck.txt")).splitlines() or ["memcheck: not run"])[0])
    bench = read(os.path.join(outdir, "bench.txt")).splitlines()
    print("\n".join(bench[:40]) if bench else "bench: no table (see logs.tar.gz)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "tests":
        tests(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "summary":
        summary(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
