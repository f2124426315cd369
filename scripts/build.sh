#!/usr/bin/env bash
# Configures and builds BotDesk into ./build (RelWithDebInfo, Ninja, -j2).
# Extra arguments go to the CMake configure step, e.g. scripts/build.sh -DBOTDESK_WITH_GUI=OFF
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BOTDESK_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$BUILD_DIR" -j"${BOTDESK_JOBS:-2}"
