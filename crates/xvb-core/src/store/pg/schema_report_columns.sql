-- As in SQLite (0018_report_columns.sql): what a report reads of each call,
-- as columns, filled from the records stored before. Run at a node's start
-- while the index (made last) is missing.
ALTER TABLE relay_calls
    ADD COLUMN IF NOT EXISTS first_seen timestamptz,
    ADD COLUMN IF NOT EXISTS answered_at timestamptz,
    ADD COLUMN IF NOT EXISTS direction text,
    ADD COLUMN IF NOT EXISTS phone_norm text,
    ADD COLUMN IF NOT EXISTS line_number text,
    ADD COLUMN IF NOT EXISTS ext text,
    ADD COLUMN IF NOT EXISTS answered_by text,
    ADD COLUMN IF NOT EXISTS status text,
    ADD COLUMN IF NOT EXISTS duration bigint,
    ADD COLUMN IF NOT EXISTS test boolean NOT NULL DEFAULT false;
UPDATE relay_calls SET
    first_seen = (record->>'first_seen')::timestamptz,
    answered_at = (record->>'answered_at')::timestamptz,
    direction = record->>'direction',
    phone_norm = record->>'phone_normalized',
    line_number = record->>'line_number',
    ext = record->>'ext',
    answered_by = record->>'answered_by',
    status = record->>'status',
    duration = (record->>'duration')::bigint,
    test = coalesce((record->>'test')::boolean, false)
WHERE first_seen IS NULL;
-- A report reads the index alone where the table is vacuumed (index-only scan).
CREATE INDEX IF NOT EXISTS relay_calls_first_seen ON relay_calls (first_seen)
    INCLUDE (direction, phone_norm, line_number, ext, answered_by, status, completed,
        last_seen, answered_at, duration, test);
