-- As in SQLite (0015_member_seq.sql, 0016_group_service_level.sql): where the
-- stream stood when an agent joined a group, and each group's service-level
-- threshold. Run at a node's start while the newest column is missing.
ALTER TABLE relay_group_members ADD COLUMN IF NOT EXISTS added_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE relay_groups ADD COLUMN IF NOT EXISTS sl_seconds integer NOT NULL DEFAULT 20;
