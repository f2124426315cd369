#!/usr/bin/env bash
# Installs packages, builds, and runs every test with CTest. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir "${BOTDESK_BUILD_DIR:-build}" --output-on-failure -j2
