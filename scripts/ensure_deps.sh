#!/usr/bin/env bash
# Installs the Debian packages ember needs that are missing (apt-get update runs once, only
# when something is missing). Usage: scripts/ensure_deps.sh [extra packages...]
set -euo pipefail
packages=(cmake g++ make ccache libdnnl-dev nlohmann-json3-dev libgtest-dev libcli11-dev libsleef-dev libdlpack-dev libzip-dev python3-numpy "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
