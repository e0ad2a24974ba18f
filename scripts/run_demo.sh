#!/usr/bin/env bash
# Builds ember and runs the demo: the notes' network trained eagerly and compiled on the
# best device available, its fused graph (text and SVG), and an eager-vs-compiled table;
# then the same network and a pointwise chain side by side with libtorch; then a LeNet-style
# CNN trained eagerly and compiled on images the example draws itself; then a character GPT
# trained eagerly and compiled on the repository's own text, sampled from its reloaded state.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure_deps.sh graphviz libtorch-dev libopenblas0-openmp
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" --target ember-demo ember-bench cnn gpt
build/tools/ember-demo --svg build/ember_demo_graph.svg
echo
echo "=== ember vs libtorch (ember-bench) ==="
build/tools/ember-bench --quick --filter 'two_layer_net|chain:add,mul,clamp,pow$' --sizes 2^24
echo
echo "=== a CNN (examples/cnn): LeNet on drawn shapes, eager and compiled ==="
build/examples/cnn --epochs 3 --train 1536 --test 384
echo
echo "=== a character GPT (examples/gpt): the repository's docs and headers, eager and compiled ==="
build/examples/gpt --steps 150 --sample 200
