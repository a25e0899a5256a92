-- Added for agents' status, run at a node's start while `relay_status_log`
-- (created last here) is missing; one transaction, each statement idempotent.
-- As in SQLite (0014_status.sql).
CREATE TABLE IF NOT EXISTS relay_breaks (
    position integer PRIMARY KEY,
    reason   text NOT NULL
);
CREATE TABLE IF NOT EXISTS relay_status (
    ext    text PRIMARY KEY,
    state  text NOT NULL,
    reason text,
    since  timestamptz NOT NULL,
    until  timestamptz
);
CREATE TABLE IF NOT EXISTS relay_status_log (
    id     bigserial PRIMARY KEY,
    ext    text NOT NULL,
    state  text NOT NULL,
    reason text,
    at     timestamptz NOT NULL,
    until  timestamptz
);
CREATE INDEX IF NOT EXISTS relay_status_log_at ON relay_status_log (at);
