-- The relay's wallboards: each a read-only code (its hash kept) for the
-- office TV, for the whole team or one group, with the thresholds at which
-- its tiles turn amber and red.
CREATE TABLE relay_wallboards (
    id         INTEGER PRIMARY KEY,
    code_hash  TEXT NOT NULL UNIQUE,
    group_name TEXT,
    wait_amber INTEGER NOT NULL,
    wait_red   INTEGER NOT NULL,
    sl_amber   INTEGER NOT NULL,
    sl_red     INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);
