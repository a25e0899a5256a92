-- Added after version 1, run at every node's start (each statement idempotent).

-- The missed-call queue's claims: who is calling back which number.
CREATE TABLE IF NOT EXISTS relay_claims (
    phone_norm text PRIMARY KEY,
    ext        text NOT NULL,
    claimed_at timestamptz NOT NULL
);
-- The names shown beside extensions on the board.
CREATE TABLE IF NOT EXISTS relay_names (
    ext  text PRIMARY KEY,
    name text NOT NULL
);
-- The team view reads the last day's calls.
CREATE INDEX IF NOT EXISTS relay_calls_last_seen ON relay_calls (last_seen);
