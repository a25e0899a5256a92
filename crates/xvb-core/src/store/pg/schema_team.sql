-- Added after version 1, run at a node's start while `relay_names` (created
-- last here) is missing; the batch runs as one transaction and each statement
-- is idempotent. Whatever is added later goes last and becomes the one
-- `create_schema` checks.

-- The missed-call queue's claims: who is calling back which number.
CREATE TABLE IF NOT EXISTS relay_claims (
    phone_norm text PRIMARY KEY,
    ext        text NOT NULL,
    claimed_at timestamptz NOT NULL
);
-- The team view reads the last day's calls.
CREATE INDEX IF NOT EXISTS relay_calls_last_seen ON relay_calls (last_seen);
-- The names shown beside extensions on the board.
CREATE TABLE IF NOT EXISTS relay_names (
    ext  text PRIMARY KEY,
    name text NOT NULL
);
