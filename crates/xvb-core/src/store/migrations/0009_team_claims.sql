-- A relay's missed-call queue: who is calling back which number ("claims").
-- The queue itself is derived from calls; only the claims are stored.
CREATE TABLE team_claims (
    phone_norm    TEXT PRIMARY KEY,
    ext           TEXT NOT NULL,
    claimed_at_ms INTEGER NOT NULL
);
