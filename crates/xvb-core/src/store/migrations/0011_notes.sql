-- Agents' notes on calls, and (on a relay) the team's list of tags.
CREATE TABLE notes (
    id         TEXT PRIMARY KEY,
    callid     TEXT NOT NULL,
    text       TEXT NOT NULL,
    -- JSON array of tag names, and the same in lower case (the tag filter's).
    tags       TEXT NOT NULL,
    tags_fold  TEXT NOT NULL,
    -- The moment of the recording, in seconds.
    at_s       REAL,
    by_ext     TEXT,
    written_ms INTEGER NOT NULL,
    edited_by  TEXT,
    edited_ms  INTEGER
);
CREATE INDEX notes_by_call ON notes(callid, written_ms);
-- A call a relay no longer keeps takes its notes with it.
CREATE TRIGGER notes_with_their_call AFTER DELETE ON calls BEGIN
    DELETE FROM notes WHERE callid = old.callid;
END;
-- A relay's tags, in the order shown.
CREATE TABLE team_tags (
    position INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    color    TEXT NOT NULL
);
-- Search finds notes' text and tags too: each call carries its notes folded
-- to lower case, and the trigram index gains that column. FTS5 tables cannot
-- gain a column, so the index is made again — empty, with every call queued
-- in `calls_unindexed`: the writer refills it in chunks when idle, and
-- searches read queued calls directly meanwhile (nothing is missed).
ALTER TABLE calls ADD COLUMN notes_fold TEXT;
DROP TRIGGER calls_search_update;
DROP TRIGGER calls_search_delete;
DROP TABLE calls_search;
CREATE VIRTUAL TABLE calls_search USING fts5(
    phone_norm,
    name_fold,
    notes_fold,
    first_seen_ms UNINDEXED,
    tokenize = 'trigram'
);
INSERT OR IGNORE INTO calls_unindexed (rowid) SELECT rowid FROM calls;
CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN
    DELETE FROM calls_search WHERE rowid = old.rowid;
    DELETE FROM calls_unindexed WHERE rowid = old.rowid;
END;
CREATE TRIGGER calls_search_update AFTER UPDATE OF phone_norm, name_fold, notes_fold, first_seen_ms ON calls
    WHEN (old.phone_norm IS NOT new.phone_norm OR old.name_fold IS NOT new.name_fold
        OR old.notes_fold IS NOT new.notes_fold OR old.first_seen_ms IS NOT new.first_seen_ms)
        AND NOT EXISTS (SELECT 1 FROM calls_unindexed WHERE rowid = old.rowid)
BEGIN
    DELETE FROM calls_search WHERE rowid = old.rowid;
    INSERT INTO calls_search (rowid, phone_norm, name_fold, notes_fold, first_seen_ms)
        VALUES (new.rowid, new.phone_norm, new.name_fold, new.notes_fold, new.first_seen_ms);
END;
DROP INDEX calls_by_time_search;
CREATE INDEX calls_by_time_search ON calls(first_seen_ms, phone_norm, name_fold, notes_fold);
