#!/usr/bin/env bash
# Runs every libFuzzer harness of tests/fuzz for SECONDS each (default 60), two at a time, on
# its committed seed corpus (tests/fuzz/corpus/<name>, plus tests/data for the NumPy readers).
# New inputs go to a scratch corpus, not into the repository. A crash, leak, timeout or
# sanitizer report fails the run and leaves the input as build-asan/fuzz/<name>/crash-*.
# Usage: scripts/run_fuzzers.sh [SECONDS] [harness...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(safetensors npy npz graph_json artifact compile)
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
run_one() {
  local name=$1 out=build-asan/fuzz/$1
  rm -rf "$out" && mkdir -p "$out/corpus"
  local seeds=(tests/fuzz/corpus/"$name")
  case $name in
    npy) seeds+=(tests/data/numpy) ;;
    safetensors) seeds+=(tests/data/safetensors) ;;
  esac
  # -seed=1: a CI run explores the same inputs in the same order every time.
  if "build-asan/tests/fuzz/fuzz_$name" -seed=1 -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 \
      -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus" "${seeds[@]}" > "$out/log" 2>&1; then
    echo "fuzz_$name: $(grep -E '^stat::number_of_executed_units' "$out/log" | awk '{print $2}') executions, \
$(grep -oE 'cov: [0-9]+' "$out/log" | tail -1), no finding"
  else
    echo "fuzz_$name FAILED:"; tail -60 "$out/log"; return 1
  fi
}
status=0
for ((k = 0; k < ${#names[@]}; k += 2)); do
  run_one "${names[k]}" & a=$!
  b=""
  if [ $((k + 1)) -lt ${#names[@]} ]; then run_one "${names[k + 1]}" & b=$!; fi
  wait $a || status=1
  [ -n "$b" ] && { wait $b || status=1; }
done
exit $status
