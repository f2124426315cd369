#!/usr/bin/env bash
# Installs every Debian 12 package BotDesk needs to build, test and run (see shared/docs/TOOLCHAIN.md).
# Idempotent: skips apt-get when everything is already installed. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config
  qt6-base-dev libgl-dev libqcustomplot-dev libspdlog-dev zlib1g-dev
  fonts-dejavu-core xvfb xauth
  postgresql-15 libqt6sql6-psql libpq-dev
  qtkeychain-qt6-dev
  qt6-websockets-dev libsimdjson-dev
  python3 python3-websockets python3-jsonschema
  python3-dev pybind11-dev python3-numpy libqscintilla2-qt6-dev libdtl-dev patch
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
