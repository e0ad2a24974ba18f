#!/usr/bin/env bash
# Builds ember with its tests (CUDA backend too when /usr/local/cuda is present; CUDA tests
# skip without a GPU), runs them, installs ember and builds a consumer against the install.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure_deps.sh
jobs=$(nproc)
# Unity batches of 16 library files compile the shared headers once per batch, not per file
# (the tests are never batched: tests/CMakeLists.txt).
# EMBER_CUDA_ARCHITECTURES (environment), when set, replaces the default nvcc architectures.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEMBER_BUILD_TESTS=ON -DEMBER_BUILD_EXAMPLES=ON \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
  ${EMBER_CUDA_ARCHITECTURES:+"-DEMBER_CUDA_ARCHITECTURES=$EMBER_CUDA_ARCHITECTURES"}
cmake --build build -j"$jobs"
# CI shows only the end of the log: on a failure, the failing tests run again, alone, so their
# output (and whether they fail twice) is what the log ends with.
if ! (cd build && ctest --output-on-failure -j"$jobs"); then
  (cd build && ctest --rerun-failed --output-on-failure -j1) || true
  echo "tests failed"
  exit 1
fi
cmake --install build --prefix "$PWD/build/install" > /dev/null
cmake -S tests/consumer -B build/consumer -DCMAKE_PREFIX_PATH="$PWD/build/install"
cmake --build build/consumer -j"$jobs"
build/consumer/consumer
echo "all tests passed"
