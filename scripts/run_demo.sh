#!/usr/bin/env bash
# Builds ember and runs the demo on the best device available.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DEMBER_BUILD_EXAMPLES=ON > /dev/null
cmake --build build -j"$(nproc)" --target manual_backprop
device=cpu
if build/examples/manual_backprop --help > /dev/null && command -v nvidia-smi > /dev/null && nvidia-smi -L > /dev/null 2>&1; then
  device=cuda
fi
build/examples/manual_backprop --device "$device"
