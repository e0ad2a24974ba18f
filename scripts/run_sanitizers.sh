#!/usr/bin/env bash
# The instrumented checks CI runs after the tests (docs/RELIABILITY.md):
#   asan  clang build of ember, its tests, tools and fuzz harnesses with AddressSanitizer,
#         UndefinedBehaviorSanitizer and libFuzzer's coverage; the whole ctest suite runs in it
#         (every report stops the process: halt_on_error, -fno-sanitize-recover).
#   fuzz  each harness of tests/fuzz for EMBER_FUZZ_SECONDS (60) on its seed corpus, in that tree.
#   tsan  ThreadSanitizer build of the library and the thread tests (tests/test_threads.cpp).
# Usage: scripts/run_sanitizers.sh [asan] [fuzz] [tsan]   (no argument: all three)
# The example programs' main()s are not built there (the examples' libraries are, and tested).
# Not instrumented, and why: CUDA (nvcc's objects cannot be, and no GPU runs them here), and the
# libtorch parity tests (libtorch is an uninstrumented third-party build; the main tree runs
# them). oneDNN, SLEEF, libzip, libgomp and the C++ runtime are used as Debian ships them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure_deps.sh clang libclang-rt-14-dev libomp-14-dev
jobs=$(nproc)
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(asan fuzz tsan)
export CC=clang CXX=clang++
common=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only"
        -DEMBER_CUDA=OFF -DEMBER_TORCH=OFF -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16)
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Suppressions only for third-party code, each with its reason in the file (LSan's is empty).
export LSAN_OPTIONS=suppressions=$PWD/scripts/sanitizer_suppressions/lsan.supp:print_suppressions=0

ctest_or_rerun() {  # like run_tests.sh: a failure reruns the failing tests alone, for the log
  if ! (cd "$1" && ctest --output-on-failure -j"$jobs" "${@:2}"); then
    (cd "$1" && ctest --rerun-failed --output-on-failure -j1) || true
    echo "sanitizer tests failed in $1"
    exit 1
  fi
}

for step in "${steps[@]}"; do
  case "$step" in
    asan)
      cmake -S . -B build-asan "${common[@]}" -DEMBER_SANITIZE=address,undefined -DEMBER_FUZZ=ON \
        -DEMBER_BUILD_TESTS=ON -DEMBER_BUILD_EXAMPLES=OFF -DEMBER_BUILD_TOOLS=ON > /dev/null
      cmake --build build-asan -j"$jobs"
      # The examples' whole training runs (GPT, CNN, LSTM: 17 minutes under ASan on two cores)
      # are left to the main tree; their ops, modules and compiled steps run here in the
      # examples' model tests, the op, module and compile tests.
      ctest_or_rerun build-asan -E "^Devices/(GptExample|CnnExample|LstmExample)[.](EagerLearns|CompiledLearns|AdamLearns)"
      echo "asan+ubsan: all tests passed (but the examples' training runs)"
      ;;
    fuzz)
      [ -x build-asan/tests/fuzz/fuzz_npy ] || { echo "run the asan step first"; exit 1; }
      bash scripts/run_fuzzers.sh "${EMBER_FUZZ_SECONDS:-60}"
      ;;
    tsan)
      # -O0: the thread tests take seconds, the build is what costs (unoptimised compiles faster).
      cmake -S . -B build-tsan "${common[@]}" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O0 -gline-tables-only" -DEMBER_SANITIZE=thread \
        -DEMBER_BUILD_TESTS=ON -DEMBER_BUILD_EXAMPLES=OFF -DEMBER_BUILD_TOOLS=OFF > /dev/null
      cmake --build build-tsan -j"$jobs" --target ember_thread_tests
      # OpenMP's runtimes are not instrumented, so TSan would report their own barriers: one
      # OpenMP thread per region, and the threads under test are the tests' std::threads.
      OMP_NUM_THREADS=1 TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/sanitizer_suppressions/tsan.supp \
        ctest_or_rerun build-tsan
      echo "tsan: thread tests passed"
      ;;
    *) echo "unknown step '$step' (asan, fuzz, tsan)"; exit 2 ;;
  esac
done
