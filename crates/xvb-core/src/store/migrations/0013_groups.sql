-- Call-centre groups on a relay: each answers some of the PBX's lines and has
-- members (extensions); roles say who supervises; the default group takes
-- calls on lines no group claims (no row, or NULL: every agent).
CREATE TABLE relay_groups (
    name        TEXT PRIMARY KEY,
    acw_seconds INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE relay_group_lines (
    line       TEXT PRIMARY KEY,
    group_name TEXT NOT NULL REFERENCES relay_groups(name) ON DELETE CASCADE
);
CREATE TABLE relay_group_members (
    group_name TEXT NOT NULL REFERENCES relay_groups(name) ON DELETE CASCADE,
    ext        TEXT NOT NULL,
    added_ms   INTEGER NOT NULL,
    PRIMARY KEY (group_name, ext)
);
CREATE TABLE relay_group_default (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    group_name TEXT REFERENCES relay_groups(name) ON DELETE SET NULL
);
CREATE TABLE relay_roles (
    ext  TEXT PRIMARY KEY,
    role TEXT NOT NULL
);
