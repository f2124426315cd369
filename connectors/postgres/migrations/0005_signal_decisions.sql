-- BotDesk schema 5: the trader's answers to the signals an APPROVE-mode run holds (issue 9 §2). Any BotDesk on the
-- database writes one (`botdesk-cli live approve|reject`, the desk); the host that leases the run takes it (once) and
-- sends or drops the held signal. A signal is answered at most once; an answer that arrives after the signal expired
-- is taken and changes nothing (the run's events say SignalExpired).
CREATE TABLE signal_decisions (
  owner text NOT NULL DEFAULT current_user,
  live_run_id uuid NOT NULL REFERENCES live_runs(id),
  signal_id text NOT NULL CHECK (signal_id <> '' AND length(signal_id) <= 200),
  decision text NOT NULL CHECK (decision IN ('APPROVE','REJECT')),
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  taken_by text NOT NULL DEFAULT '',   -- the host id that applied it
  taken_at timestamptz,                -- NULL until a host took it
  PRIMARY KEY (live_run_id, signal_id)
);
CREATE INDEX signal_decisions_untaken ON signal_decisions (live_run_id) WHERE taken_at IS NULL;

-- Announced on the hosts' channel with the run's id, as a start or stop is.
CREATE FUNCTION signal_decisions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('botdesk_live', NEW.live_run_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER signal_decisions_notify AFTER INSERT ON signal_decisions
  FOR EACH ROW EXECUTE FUNCTION signal_decisions_notify();

ALTER TABLE signal_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE signal_decisions FORCE ROW LEVEL SECURITY;
CREATE POLICY signal_decisions_owner ON signal_decisions
  USING (owner = current_user OR pg_has_role(current_user, 'botdesk_admin', 'MEMBER'))
  WITH CHECK ((owner = current_user OR pg_has_role(current_user, 'botdesk_admin', 'MEMBER'))
              AND EXISTS (SELECT 1 FROM live_runs r WHERE r.id = live_run_id));

GRANT SELECT, INSERT, UPDATE ON signal_decisions TO botdesk_user;
