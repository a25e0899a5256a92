-- As in SQLite (0017_wallboards.sql): the relay's wallboards. Run at a node's
-- start while `relay_wallboards` is missing.
CREATE TABLE IF NOT EXISTS relay_wallboards (
    id         bigserial PRIMARY KEY,
    code_hash  text NOT NULL UNIQUE,
    group_name text,
    wait_amber integer NOT NULL,
    wait_red   integer NOT NULL,
    sl_amber   integer NOT NULL,
    sl_red     integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
