#!/usr/bin/env bash
# Installs packages, builds, and runs BotDesk's main job on the bundled real data:
#  1. botdesk-cli backtests ema_crossover on EURUSD M1 2024 and box_breakout on XAUUSD M1 2023,
#     printing the MT5-style report and writing JSON reports to out/;
#  2. the botdesk window runs the EURUSD backtest: on screen when a display is available, otherwise
#     offscreen, saving a screenshot to out/botdesk.png.
# Data folder: $BOTDESK_DATA_DIR or ../shared/data next to this repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

BUILD_DIR=${BOTDESK_BUILD_DIR:-build}
DATA_DIR=${BOTDESK_DATA_DIR:-../shared/data}
mkdir -p out

"$BUILD_DIR/app/botdesk-cli" backtest --data "$DATA_DIR/EURUSD_M1_2024.csv.gz" --symbol EURUSD \
  --strategy ema_crossover --params '{"fast": 12, "slow": 26, "atr_period": 14, "sl_atr_mult": 2, "rr": 2, "risk_percent": 1}' \
  --json out/EURUSD_ema_crossover.json
echo
"$BUILD_DIR/app/botdesk-cli" backtest --data "$DATA_DIR/XAUUSD_M1_2023.csv.gz" --symbol XAUUSD \
  --strategy box_breakout --json out/XAUUSD_box_breakout.json
echo

if [ -x "$BUILD_DIR/app/botdesk" ]; then
  GUI_ARGS=(--data "$DATA_DIR/EURUSD_M1_2024.csv.gz" --symbol EURUSD --strategy ema_crossover --run)
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${CI:-}" ]; then
    "$BUILD_DIR/app/botdesk" "${GUI_ARGS[@]}"
  else
    QT_QPA_PLATFORM=offscreen "$BUILD_DIR/app/botdesk" "${GUI_ARGS[@]}" --screenshot out/botdesk.png
    echo "No display: ran the window offscreen and saved out/botdesk.png"
  fi
fi
