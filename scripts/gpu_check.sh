#!/usr/bin/env bash
# The prepared GPU check (docs/GPU.md). GPU time is scarce and its machine has no -dev packages
# and no network, so the build happens here and one bundle travels:
#   scripts/gpu_check.sh pack         here (no GPU): builds the CUDA backend in build-gpu/ and
#                                     packs the binaries and the libraries they need into .gpu/
#   scripts/gpu_check.sh verify       here: checks that the unpacked bundle needs nothing but
#                                     itself, the C library and the CUDA toolkit, runs CPU tests
#                                     from it in an emptied environment, and dry-runs `run`
#   scripts/gpu_check.sh run OUTDIR   on the GPU machine, from the repository root (at most
#                                     8 minutes): probe, every CUDA test suite, memcheck,
#                                     benchmarks beside PyTorch; at most 8 files in OUTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bundle=.gpu/ember-gpu.tar.xz
build=build-gpu
max_bundle_mib=48  # the device tool carries 64 MiB with the working tree
binaries=(tests/ember_tests tests/ember_compat_tests tools/ember-bench tools/ember-dump tools/ember-run tools/ember-gpu-probe)

die() { echo "gpu_check: $*" >&2; exit 2; }

# The libraries every Linux machine has; everything else a binary needs travels, except CUDA's.
base_library() { [[ $1 =~ ^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libutil)[.-] ]]; }
cuda_library() { [[ $1 =~ ^lib(cuda|cudart|cublas|cublasLt|nvrtc|nvrtc-builtins|cudnn.*|nvJitLink)\.so ]]; }

# Test names that need a GPU say cuda or gpu (tests/test_expect_gpu.cpp enforces it): prints
# one line per suite: the binary's name and a gtest filter "Suite.A:Suite.B".
cuda_test_filters() {
  "$1" --gtest_list_tests | python3 -c '
import re, sys
suites = {}
suite = None
for line in sys.stdin:
    if not line.startswith(" "):
        suite = line.split()[0].rstrip(".")
        continue
    name, _, param = line.strip().partition("#")
    full = suite + "." + name.strip()
    if re.search("cuda|gpu", full + param, re.I) and "DISABLED_" not in full:
        suites.setdefault(suite, []).append(full)
for tests in suites.values():
    print(sys.argv[1], ":".join(tests))' "$(basename "$1")"
}

pack() {
  scripts/ensure_deps.sh
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DEMBER_CUDA=ON -DEMBER_TORCH=OFF \
    -DEMBER_BUILD_TESTS=ON -DEMBER_BUILD_EXAMPLES=ON -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 > /dev/null
  cmake --build "$build" -j"$(nproc)" --target ember_tests ember_compat_tests ember-bench ember-dump ember-run ember-gpu-probe
  local stage=.gpu/stage
  rm -rf "$stage" && mkdir -p "$stage/bin" "$stage/lib" "$stage/compat"
  for b in "${binaries[@]}"; do cp "$build/$b" "$stage/bin/"; done
  cp -L "$build/libember.so" "$stage/lib/"
  local name path
  while read -r name path; do
    if base_library "$name" || cuda_library "$name"; then continue; fi
    case $name in
      libstdc++.so.*|libgcc_s.so.*) cp -L "$path" "$stage/compat/" ;;  # used only if the GPU machine's are older
      *) cp -L "$path" "$stage/lib/" ;;
    esac
  done < <(for b in "$stage"/bin/* "$stage/lib/libember.so"; do ldd "$b"; done |
           awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u)
  local n_filters
  n_filters=$(for t in ember_tests ember_compat_tests; do cuda_test_filters "$stage/bin/$t"; done |
              tee "$stage/cuda_tests.txt" | wc -l)
  {
    echo "commit $(git rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "dirty $(git status --porcelain --untracked-files=no 2>/dev/null | wc -l) tracked files changed"
    echo "packed $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
    echo "nvcc $(/usr/local/cuda/bin/nvcc --version | tail -1)"
    echo "cuda_architectures $(grep -m1 '^EMBER_CUDA_ARCHITECTURES' "$build/CMakeCache.txt" | cut -d= -f2)"
    echo "cuda_test_suites $n_filters"
  } > "$stage/manifest.txt"
  tar -cf - -C "$stage" . | xz -T"$(nproc)" -6 > "$bundle"
  local mib=$(( $(stat -c %s "$bundle") / 1048576 ))
  (( mib <= max_bundle_mib )) || die "$bundle is $mib MiB, more than $max_bundle_mib"
  echo "gpu_check: packed $bundle ($mib MiB; $(ls "$stage/lib" | wc -l) libraries, $n_filters CUDA test suites)"
  echo "gpu_check: on the GPU machine: device run, carry [\".gpu/ember-gpu.tar.xz\"], command: bash scripts/gpu_check.sh run \$OUT"
}

unpack() {
  [[ -f $bundle ]] || die "no $bundle: run 'scripts/gpu_check.sh pack' on a build machine first"
  dir=$1
  rm -rf "$dir" && mkdir -p "$dir"
  if command -v xz > /dev/null; then xz -dc "$bundle" | tar -xf - -C "$dir"
  else python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$bundle" "$dir"; fi
}

# CUDA's libraries on the GPU machine: the toolkit's, then the pip packages' of its PyTorch
# (cuDNN comes from there).
cuda_library_path() {
  local dirs=() d
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda/lib; do
    [[ -d $d ]] && dirs+=("$d")
  done
  local site
  site=$(python3 -c 'import nvidia, os; print(os.path.dirname(list(nvidia.__path__)[0]))' 2>/dev/null || true)
  if [[ -n $site ]]; then
    for d in "$site"/nvidia/*/lib; do [[ -d $d ]] && dirs+=("$d"); done
  fi
  (IFS=:; echo "${dirs[*]}")
}

library_path() {
  local path="$1/lib:$(cuda_library_path)"
  # The build machine's libstdc++ travels in compat/; it is used only when the GPU machine's is older.
  if ! LD_LIBRARY_PATH=$path "$1/bin/ember_tests" --gtest_list_tests > /dev/null 2>&1; then
    path="$1/lib:$1/compat:$(cuda_library_path)"
  fi
  echo "$path"
}

verify() {
  local dir=/tmp/ember-gpu-verify
  unpack "$dir"
  local path="$dir/lib:$dir/compat:$(cuda_library_path)" outside
  outside=$(for b in "$dir"/bin/* "$dir"/lib/*.so*; do LD_LIBRARY_PATH=$path ldd "$b"; done |
            awk '$2 == "=>" {print $1, $3}' | sort -u | while read -r name where; do
              base_library "$name" && continue
              [[ $where == "$dir"/* || $where == /usr/local/cuda* ]] && continue
              echo "  $name => $where"
            done)
  [[ -z $outside ]] || die "the bundle needs libraries from outside it:"$'\n'"$outside"
  echo "gpu_check: every library resolves into the bundle, the C library or the CUDA toolkit"
  env -i PATH=/usr/bin:/bin HOME="$dir" LD_LIBRARY_PATH="$path" EMBER_SOURCE_DIR="$root" \
    EMBER_DUMP_TOOL="$dir/bin/ember-dump" EMBER_RUN_TOOL="$dir/bin/ember-run" EMBER_BENCH_TOOL="$dir/bin/ember-bench" \
    "$dir/bin/ember_tests" --gtest_brief=1 \
    --gtest_filter='Codegen.*:EmberDump.*:Autograd.*:CompileCudaGraphs.*:ExpectGpu.*:GptExample.Eager*'
  echo "gpu_check: CPU tests ran from the unpacked bundle"
  local rc=0 out=/tmp/ember-gpu-verify-out
  bash "$root/scripts/gpu_check.sh" run "$out" || rc=$?
  [[ $rc == 2 ]] && grep -q "CUDA not visible" "$out/probe.txt" ||
    die "'run' without a GPU should stop at once with 'CUDA not visible' (exit 2), got exit $rc"
  echo "gpu_check: verified (the dry run of 'run' stopped with: $(head -1 "$out/probe.txt"))"
}

# compute-sanitizer memcheck on the reduction, index and matmul-epilogue tests, where the GPU
# machine's runtime supports it (it refused the device under gVisor).
run_memcheck() {
  local dir=$1 work=$2 out=$3
  if ! command -v compute-sanitizer > /dev/null; then
    echo "memcheck: compute-sanitizer not found" > "$out/memcheck.txt"
    return
  fi
  local filter='CudaReduce.*:IndexCheckCuda.*:CudaFusedMm.*:CudaBackend.ReductionsMatchCpu:CudaBackend.ProdAndNaN*'
  local rc=0
  timeout -k 5 150 compute-sanitizer --tool memcheck --error-exitcode 9 "$dir/bin/ember_tests" \
    --gtest_filter="$filter" > "$work/memcheck.log" 2>&1 || rc=$?
  case $rc in
    0) echo "memcheck: clean ($filter)" ;;
    9) echo "memcheck: ERRORS found ($filter)" ;;
    124|137) echo "memcheck: timed out after 150 s ($filter)" ;;
    *) echo "memcheck: exit $rc ($filter)" ;;
  esac > "$out/memcheck.txt"
  tail -c 200000 "$work/memcheck.log" >> "$out/memcheck.txt"
}

# Run on the GPU machine.
run() {
  local out=${1:?usage: scripts/gpu_check.sh run OUTDIR}
  local started=$SECONDS dir=/tmp/ember-gpu work=/tmp/ember-gpu-work
  mkdir -p "$out" && rm -rf "$work" && mkdir -p "$work/logs"
  unpack "$dir"
  local path
  path=$(library_path "$dir")
  export LD_LIBRARY_PATH=$path HOME=$work EMBER_CACHE_DIR=$work/cache EMBER_SOURCE_DIR=$root
  export EMBER_DUMP_TOOL=$dir/bin/ember-dump EMBER_RUN_TOOL=$dir/bin/ember-run EMBER_BENCH_TOOL=$dir/bin/ember-bench EMBER_EXPECT_GPU=1
  {
    echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    cat "$dir/manifest.txt"
    echo "LD_LIBRARY_PATH $LD_LIBRARY_PATH"
    nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total,clocks.max.sm --format=csv 2>&1 || true
    nvidia-smi 2>&1 || true
  } > "$out/device.txt"

  local rc=0
  timeout -k 5 60 "$dir/bin/ember-gpu-probe" > "$out/probe.txt" 2>&1 || rc=$?
  cat "$out/probe.txt"
  if [[ $rc == 2 ]]; then echo "gpu_check: CUDA not visible; nothing else was run"; exit 2; fi

  # Every CUDA test suite in its own process, 6 at a time, all done by a deadline; a failing
  # suite again with launches blocking and EMBER_CUDA_SYNC=1 (the fault names its kernel).
  # memcheck runs beside them (it is slow, and the GPU has room for both).
  local filters=$dir/cuda_tests.txt
  export GPU_CHECK_DEADLINE=$(( $(date +%s) + 240 ))
  run_memcheck "$dir" "$work" "$out" &
  local memcheck_pid=$!
  cat -n "$filters" | OMP_NUM_THREADS=2 xargs -P 6 -L 1 bash -c '
    i=$0; binary='"$dir"'/bin/$1; filter=$2; log='"$work"'/logs/suite$i
    left() { echo $(( GPU_CHECK_DEADLINE - $(date +%s) )); }
    if (( $(left) < 20 )); then echo "not started: the tests ran out of time" > $log.log; exit 0; fi
    t=$(left); (( t > 240 )) && t=240
    if ! timeout -k 5 $t $binary --gtest_filter="$filter" --gtest_output=xml:$log.xml > $log.log 2>&1; then
      t=$(left); (( t > 120 )) && t=120
      (( t >= 20 )) && CUDA_LAUNCH_BLOCKING=1 EMBER_CUDA_SYNC=1 timeout -k 5 $t $binary --gtest_filter="$filter" \
        --gtest_output=xml:$log.rerun.xml > $log.rerun.log 2>&1
    fi
    exit 0'
  python3 scripts/gpu_check_report.py tests "$work/logs" > "$out/tests.txt" || true
  wait "$memcheck_pid" || true

  # Benchmarks: ember (eager, compiled, compiled + CUDA graphs) and PyTorch on the same workloads.
  local workloads=(chain:add,mul,clamp,pow loss two_layer_net mlp)
  local wflags=() w
  for w in "${workloads[@]}"; do wflags+=(--workload "$w"); done
  timeout -k 5 60 "$dir/bin/ember-bench" --device cuda --no-torch "${wflags[@]}" --sizes 2^24 \
    --repeat 200 --budget-ms 300 --json "$work/ember-bench.json" > "$work/logs/bench.log" 2>&1 || true
  PYTHONUNBUFFERED=1 timeout -k 5 120 python3 bench/pytorch_gpu.py "${wflags[@]}" --sizes 2^24 \
    --repeat 200 --budget-ms 300 --json "$work/pytorch-gpu.json" > "$work/logs/pytorch.log" 2>&1 || true
  if [[ -f $work/ember-bench.json && -f $work/pytorch-gpu.json ]]; then
    python3 bench/merge_results.py "$work/ember-bench.json" "$work/pytorch-gpu.json" -o "$out/gpu-bench.json" \
      --table > "$out/bench.txt" 2>&1 || true
  elif [[ -f $work/ember-bench.json ]]; then
    cp "$work/ember-bench.json" "$out/gpu-bench.json"
  fi
  tar -czf "$out/logs.tar.gz" -C "$work" logs
  python3 scripts/gpu_check_report.py summary "$out" $((SECONDS - started)) | tee "$out/summary.txt"
  grep -Eq "^tests: [0-9]+ passed, 0 failed" "$out/summary.txt" && grep -q "0 of .* probe checks failed" "$out/probe.txt"
}

case ${1:-} in
  pack) pack ;;
  verify) verify ;;
  run) run "${2:-}" ;;
  *) die "usage: scripts/gpu_check.sh pack | verify | run OUTDIR" ;;
esac
