-- Each group's service-level threshold for reports: a call answered within
-- this many seconds of INCOMING counts as answered in time.
ALTER TABLE relay_groups ADD COLUMN sl_seconds INTEGER NOT NULL DEFAULT 20;
