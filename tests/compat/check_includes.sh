#!/usr/bin/env bash
# The compatibility suite may include <ember/torch.h>, gtest and the standard library only.
set -euo pipefail
bad=$(grep -Hn '^\s*#\s*include' "$1"/*.cpp "$1"/*.h 2>/dev/null |
  grep -v -E '#\s*include\s*<(ember/torch\.h|gtest/gtest\.h|[a-z_]+)>|#\s*include\s*"compat_util\.h"' || true)
if [ -n "$bad" ]; then
  echo "compat tests must include only <ember/torch.h>:"; echo "$bad"; exit 1
fi
echo "compat includes ok"
