-- Migration 4: the bars each live run's strategy was fed (issue 9 §1: "the bars a live run received, replayed through
-- the backtester, give the same decisions"). LiveRunExecutor records every bar its StrategyRunner handled — warm-up
-- (history, or a run not trading) flagged — in batches; `botdesk-cli live parity ID` replays them through the
-- backtester and compares the run's entries with the backtest's.
-- Times are timestamptz as in migration 3 (the bar's OPEN time, UTC); BotDesk's C++ side speaks UTC epoch
-- milliseconds (PgTradeStore). Prices are bid prices in quote currency, spread in points.

CREATE TABLE live_run_bars (
  live_run_id uuid NOT NULL REFERENCES live_runs(id),
  bar_time timestamptz NOT NULL,                  -- the bar's open time
  owner text NOT NULL DEFAULT current_user,
  open double precision NOT NULL,
  high double precision NOT NULL,
  low double precision NOT NULL,
  close double precision NOT NULL,
  tick_volume bigint NOT NULL DEFAULT 0 CHECK (tick_volume >= 0),
  spread int NOT NULL DEFAULT -1,                 -- points; -1 = the feed gave none
  warmup boolean NOT NULL,                        -- the strategy saw it, its actions were dropped
  PRIMARY KEY (live_run_id, bar_time)
);

-- Row-level security as in migration 3: a login sees and writes only its own rows unless it holds botdesk_admin, and
-- writes bars only under runs it can see.
ALTER TABLE live_run_bars ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_run_bars FORCE ROW LEVEL SECURITY;
CREATE POLICY live_run_bars_owner ON live_run_bars
  USING (owner = current_user OR pg_has_role(current_user, 'botdesk_admin', 'MEMBER'))
  WITH CHECK ((owner = current_user OR pg_has_role(current_user, 'botdesk_admin', 'MEMBER'))
              AND EXISTS (SELECT 1 FROM live_runs r WHERE r.id = live_run_id));

GRANT SELECT, INSERT ON live_run_bars TO botdesk_user;
