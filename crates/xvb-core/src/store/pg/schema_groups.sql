-- Added for call-centre groups, run at a node's start while `relay_roles`
-- (created last here) is missing; one transaction, each statement idempotent.
-- As in SQLite (0013_groups.sql): groups, their lines and members, the
-- default group (no row, or NULL: every agent) and the agents' roles.
CREATE TABLE IF NOT EXISTS relay_groups (
    name        text PRIMARY KEY,
    acw_seconds integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS relay_group_lines (
    line       text PRIMARY KEY,
    group_name text NOT NULL REFERENCES relay_groups(name) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS relay_group_members (
    group_name text NOT NULL REFERENCES relay_groups(name) ON DELETE CASCADE,
    ext        text NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_name, ext)
);
CREATE TABLE IF NOT EXISTS relay_group_default (
    id         integer PRIMARY KEY CHECK (id = 1),
    group_name text REFERENCES relay_groups(name) ON DELETE SET NULL
);
CREATE TABLE IF NOT EXISTS relay_roles (
    ext  text PRIMARY KEY,
    role text NOT NULL
);
