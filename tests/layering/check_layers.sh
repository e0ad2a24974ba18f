#!/usr/bin/env bash
# ctest `layering`: the arrows between ember's layers point down only,
#   runtime (0) <- kernels (1) <- compiler (2) <- frontend (3).
# 1. Includes: no file of a layer includes a header of a layer above it. A public header
#    under include/ember/ belongs to the layer that implements it (public_layer below).
# 2. Calls: no object of a layer needs a symbol that only a layer above defines (the public
#    Tensor API is declared in ember/tensor.h but its ops are defined in frontend/, so a
#    runtime file calling x.add(y) fails here even though its includes are fine).
# 3. Examples include only the public headers (<ember/...>) and their own.
# Usage: check_layers.sh <source root> <nm> <runtime objects> <kernels objects>
#        <compiler objects> <frontend objects>   (each a ;-separated list)
set -euo pipefail
root=$1 nm=$2
shift 2
layers=(runtime kernels compiler frontend)

public_layer() {  # the layer of include/ember/<path>
  case "$1" in
    compile_options.h) echo 2 ;;
    functional.h|serialize.h|numpy_io.h|dlpack.h|repro.h|export.h|export_options.h|compile.h|ember.h|torch.h|autograd/engine.h|autograd/function.h|\
    autograd/gradcheck.h|nn/*|optim/*) echo 3 ;;
    *) echo 0 ;;
  esac
}

layer_of() {  # the layer of a repository path, or -1 for anything else
  case "$1" in
    runtime/*) echo 0 ;; kernels/*) echo 1 ;; compiler/*) echo 2 ;; frontend/*) echo 3 ;;
    include/ember/*) public_layer "${1#include/ember/}" ;;
    ember/*) public_layer "${1#ember/}" ;;
    *) echo -1 ;;
  esac
}

status=0
cd "$root"
while IFS= read -r file; do
  own=$(layer_of "$file")
  while IFS= read -r inc; do
    [ -n "$inc" ] || continue
    [ -e "$inc" ] || [ -e "include/$inc" ] || inc="$(dirname "$file")/$inc"
    dep=$(layer_of "$inc")
    if [ "$dep" -gt "$own" ]; then
      echo "layering: $file (${layers[$own]}) includes $inc (${layers[$dep]})"
      status=1
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$file")
done < <(find runtime kernels compiler frontend include/ember -type f \
           \( -name '*.h' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh' \) | sort)

# Examples are written as a user would: the public API only.
while IFS= read -r hit; do
  echo "layering: an example includes an internal header: $hit"
  status=1
done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\(runtime\|kernels\|compiler\|frontend\)/' \
           $(find examples -type f \( -name '*.h' -o -name '*.cpp' \)) || true)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in 0 1 2 3; do
  IFS=';' read -r -a objs <<< "$1"
  shift
  "$nm" -P --defined-only "${objs[@]}" 2>/dev/null | awk 'NF >= 2 && $1 !~ /:$/ && $2 != "U" {print $1}' | sort -u > "$tmp/def$i"
  "$nm" -P -u "${objs[@]}" 2>/dev/null | awk 'NF >= 2 && $1 !~ /:$/ {print $1}' | sort -u > "$tmp/undef$i"
  [ -s "$tmp/def$i" ] || { echo "layering: no symbols read for ${layers[$i]}"; exit 1; }
done
for i in 0 1 2; do
  cat $(seq -f "$tmp/def%g" 0 "$i") | sort -u > "$tmp/below"
  cat $(seq -f "$tmp/def%g" $((i + 1)) 3) | sort -u > "$tmp/above"
  comm -23 "$tmp/undef$i" "$tmp/below" | comm -12 - "$tmp/above" > "$tmp/bad"
  if [ -s "$tmp/bad" ]; then
    echo "layering: ${layers[$i]} calls what only a layer above defines:"
    if command -v c++filt > /dev/null; then c++filt < "$tmp/bad"; else cat "$tmp/bad"; fi | sed 's/^/  /'
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "layering: includes and calls point down only"
exit "$status"
