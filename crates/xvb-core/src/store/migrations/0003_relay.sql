-- Team relay: its agents (on a relay), and how far an agent's app has read a relay's stream.
CREATE TABLE relay_agents (
    id INTEGER PRIMARY KEY,
    ext TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_seen_at TEXT,
    connected INTEGER NOT NULL DEFAULT 0
);
INSERT INTO meta VALUES ('relay_seq', 0);
