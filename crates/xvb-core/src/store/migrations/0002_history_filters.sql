-- History filters of the desktop app: live calls, names in any letter case.
ALTER TABLE calls ADD COLUMN completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN name_fold TEXT;
UPDATE calls SET completed = json_extract(record, '$.completed'), name_fold = lower(contact_name);
CREATE INDEX calls_live ON calls(completed, first_seen_ms DESC);
