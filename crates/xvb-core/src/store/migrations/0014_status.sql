-- Agents' status on a relay: the break reasons the admin allows, each
-- agent's current status, and every change with its time (for reports).
CREATE TABLE relay_breaks (
    position INTEGER PRIMARY KEY,
    reason   TEXT NOT NULL
);
CREATE TABLE relay_status (
    ext      TEXT PRIMARY KEY,
    state    TEXT NOT NULL,
    reason   TEXT,
    since_ms INTEGER NOT NULL,
    until_ms INTEGER
);
CREATE TABLE relay_status_log (
    id       INTEGER PRIMARY KEY,
    ext      TEXT NOT NULL,
    state    TEXT NOT NULL,
    reason   TEXT,
    at_ms    INTEGER NOT NULL,
    until_ms INTEGER
);
CREATE INDEX relay_status_log_at ON relay_status_log (at_ms);
