#!/usr/bin/env bash
# Installs packages, builds, and runs BotDesk's main job on the bundled real data:
#  1. bots in BotDesk's database (its private local PostgreSQL cluster, started on demand; --db/BOTDESK_DB_URL for a
#     server): eurusd_ema from the ema_crossover template and xauusd_box from box_breakout (created once);
#  2. botdesk-cli backtests each bot's latest version (EURUSD M1 2024, XAUUSD M1 2023), printing the MT5-style
#     report, writing JSON reports to out/ and saving the runs; lists the stored runs and reruns the EURUSD one,
#     which must give identical trades and statistics; then the Python bot eurusd_ema_py (made once from the
#     ema_crossover_v1.py template, its code stored as a version) is backtested on EURUSD 2024 through the embedded
#     Python host, printing its report;
#  3. the botdesk window runs the EURUSD backtest: on screen when a display is available, otherwise
#     offscreen, saving screenshots of the Strategy Tester (out/botdesk.png) and the Bots page (out/botdesk_bots.png).
#  4. the MetaTrader 5 bridge: botdesk-mt5sim (the simulator, a demo account replaying EURUSD M1 2024 at 600x on
#     127.0.0.1) and `botdesk-mt5 check` through the connector the live engine uses: terminal, account, symbol
#     resolution (EURUSD -> EURUSD.sim), history and live bars, one 0.01-lot order opened and closed with its latency.
#  5. a live run of eurusd_ema's saved version against that simulator through `botdesk-cli live` (start, serve,
#     stop --close), then its trades, last heartbeat, latency percentiles and first events from the database, and
#     `live parity`: the bars the run received, replayed through the backtester, must give the run's entries (the job
#     fails when they do not).
# Data folder: $BOTDESK_DATA_DIR or ../shared/data next to this repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

BUILD_DIR=${BOTDESK_BUILD_DIR:-build}
DATA_DIR=${BOTDESK_DATA_DIR:-../shared/data}
mkdir -p out

CLI="$BUILD_DIR/app/botdesk-cli"
"$CLI" bots versions eurusd_ema >/dev/null 2>&1 || "$CLI" bots create eurusd_ema --template ema_crossover
"$CLI" bots versions xauusd_box >/dev/null 2>&1 || "$CLI" bots create xauusd_box --template box_breakout
echo
"$CLI" backtest --bot eurusd_ema --data "$DATA_DIR/EURUSD_M1_2024.csv.gz" --symbol EURUSD \
  --json out/EURUSD_ema_crossover.json | tee out/EURUSD_ema_crossover.txt
echo
"$CLI" backtest --bot xauusd_box --data "$DATA_DIR/XAUUSD_M1_2023.csv.gz" --symbol XAUUSD \
  --json out/XAUUSD_box_breakout.json
echo
"$CLI" backtests list
echo
RUN_ID=$(sed -n 's/^saved as backtest run \([0-9a-f-]*\).*/\1/p' out/EURUSD_ema_crossover.txt)
"$CLI" backtests rerun "$RUN_ID"
echo
"$CLI" bots versions eurusd_ema_py >/dev/null 2>&1 || "$CLI" bots create eurusd_ema_py --template ema_crossover_v1.py
"$CLI" backtest --bot eurusd_ema_py --data "$DATA_DIR/EURUSD_M1_2024.csv.gz" --symbol EURUSD \
  | tee out/EURUSD_ema_crossover_py.txt
echo

if [ -x "$BUILD_DIR/app/botdesk" ]; then
  GUI_ARGS=(--data "$DATA_DIR/EURUSD_M1_2024.csv.gz" --symbol EURUSD --strategy ema_crossover --run)
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${CI:-}" ]; then
    "$BUILD_DIR/app/botdesk" "${GUI_ARGS[@]}"
  else
    QT_QPA_PLATFORM=offscreen "$BUILD_DIR/app/botdesk" "${GUI_ARGS[@]}" --screenshot out/botdesk.png
    QT_QPA_PLATFORM=offscreen "$BUILD_DIR/app/botdesk" --bots --screenshot out/botdesk_bots.png
    echo "No display: ran the window offscreen and saved out/botdesk.png and out/botdesk_bots.png"
  fi
fi

# 4. The MT5 bridge against the simulator. The token travels in environment variables, never on a command line.
export BOTDESK_MT5SIM_TOKEN BOTDESK_BRIDGE_TOKEN
BOTDESK_MT5SIM_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
BOTDESK_BRIDGE_TOKEN=$BOTDESK_MT5SIM_TOKEN
SIM_OUT=$(mktemp)
"$BUILD_DIR/app/botdesk-mt5sim" --data "$DATA_DIR/EURUSD_M1_2024.csv.gz" --symbol EURUSD --port 0 --speed 600 \
  --suffix .sim >"$SIM_OUT" 2>out/botdesk-mt5sim.log &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true; rm -f "$SIM_OUT"' EXIT
for _ in $(seq 1 100); do grep -q '^listening ' "$SIM_OUT" && break; sleep 0.1; done
SIM_URL=$(sed -n 's/^listening \(ws:[^ ]*\).*/\1/p' "$SIM_OUT")
[ -n "$SIM_URL" ] || { echo "botdesk-mt5sim did not start; see out/botdesk-mt5sim.log" >&2; exit 1; }
echo
"$BUILD_DIR/app/botdesk-mt5" check --url "$SIM_URL" --symbol EURUSD --history-bars 5 --live-bars 2 --trade 0.01 \
  2>out/botdesk-mt5.log

# 5. A live run of the saved eurusd_ema version against the simulator: the account (its token in an environment
#    variable), the run stored with `live start`, hosted by `live serve` for 40 s, stopped with its positions closed,
#    then its trades, last heartbeat and latency percentiles read back from the database, and the parity check: the
#    bars the run recorded, backtested with the same version, give the same entries (exit 1 fails the job).
echo
"$CLI" accounts remove sim-demo >/dev/null 2>&1 || true
"$CLI" accounts add sim-demo --bridge "$SIM_URL" --token-env BOTDESK_BRIDGE_TOKEN --magic 4711
RUN_OUT=$("$CLI" live start --bot eurusd_ema --account sim-demo --symbol EURUSD)
echo "$RUN_OUT"
LIVE_ID=$(echo "$RUN_OUT" | sed -n 's/^live run \([0-9a-f-]*\) stored.*/\1/p')
"$CLI" live serve --for 45 2>out/botdesk-live.log &
SERVE_PID=$!
sleep 35
"$CLI" live stop "$LIVE_ID" --close
wait $SERVE_PID
echo
"$CLI" live status "$LIVE_ID"
echo
"$CLI" live events "$LIVE_ID" --limit 12
echo
"$CLI" live parity "$LIVE_ID"
kill $SIM_PID; wait $SIM_PID 2>/dev/null || true
