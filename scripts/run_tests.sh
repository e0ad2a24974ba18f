#!/usr/bin/env bash
# Builds ember with its tests (CUDA backend too when /usr/local/cuda is present; CUDA tests
# skip without a GPU), runs them, installs ember and builds a consumer against the install.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure_deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEMBER_BUILD_TESTS=ON -DEMBER_BUILD_EXAMPLES=ON
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
