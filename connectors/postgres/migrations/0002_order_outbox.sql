-- Migration 2: the order outbox of the MetaTrader 5 connector (issue 8; docs/mt5-connector.md). Every order the
-- connector sends is written here BEFORE its frame leaves the process, and marked final when the bridge's
-- order.result arrives; after a crash the unfinished ones are asked about (order.status), never sent under a new id.

CREATE TABLE order_outbox (
  client_req_id text PRIMARY KEY CHECK (client_req_id ~ '^[A-Za-z0-9_-]{1,36}$'),
  owner text NOT NULL DEFAULT current_user,
  account text NOT NULL CHECK (account <> ''),      -- the bridge/account the order went to
  run_id text,                                      -- the live run that sent it; NULL for a manual order
  request jsonb NOT NULL,                           -- the mt5b `request` object as sent
  request_json text NOT NULL,                       -- ... byte for byte (what request_hash covers)
  request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),  -- sha256 hex of request_json
  state text NOT NULL DEFAULT 'inflight' CHECK (state IN ('inflight','final')),
  result jsonb,                                     -- the final order.result frame; NULL while in flight
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((state = 'final') = (result IS NOT NULL))
);
-- What a (re)connect reads: the unfinished orders of one account, oldest first.
CREATE INDEX order_outbox_unfinished ON order_outbox (account, created_at) WHERE state = 'inflight';

-- Row-level security as in migration 1: a login sees and writes only its own rows unless it holds botdesk_admin.
ALTER TABLE order_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY order_outbox_owner ON order_outbox
  USING (owner = current_user OR pg_has_role(current_user, 'botdesk_admin', 'MEMBER'))
  WITH CHECK (owner = current_user OR pg_has_role(current_user, 'botdesk_admin', 'MEMBER'));

GRANT SELECT, INSERT, UPDATE ON order_outbox TO botdesk_user;
