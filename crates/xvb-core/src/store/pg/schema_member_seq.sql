-- As in SQLite (0015_member_seq.sql): where the stream stood when an agent
-- joined a group. Run at a node's start while the column is missing.
ALTER TABLE relay_group_members ADD COLUMN IF NOT EXISTS added_seq bigint NOT NULL DEFAULT 0;
