-- A typed search finds its calls through a trigram index (SQLite's FTS5) of
-- the client's number and the contact's name, instead of reading every call:
-- a substring of three characters or more ("1119", "вася") is matched
-- exactly, in any letter case (Cyrillic too). The index keeps each call's
-- time, so a page of matches is sorted without reading the calls themselves.
-- Kept current by triggers on `calls`; the rowid joins the two (so `calls`
-- must never be VACUUMed without rebuilding this index: VACUUM may renumber).
CREATE VIRTUAL TABLE calls_search USING fts5(
    phone_norm,
    name_fold,
    first_seen_ms UNINDEXED,
    tokenize = 'trigram'
);
INSERT INTO calls_search (rowid, phone_norm, name_fold, first_seen_ms)
    SELECT rowid, phone_norm, name_fold, first_seen_ms FROM calls;
CREATE TRIGGER calls_search_insert AFTER INSERT ON calls BEGIN
    INSERT INTO calls_search (rowid, phone_norm, name_fold, first_seen_ms)
        VALUES (new.rowid, new.phone_norm, new.name_fold, new.first_seen_ms);
END;
CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN
    DELETE FROM calls_search WHERE rowid = old.rowid;
END;
-- Every event of a call updates its row; only a changed number, name or
-- first time touches the index.
CREATE TRIGGER calls_search_update AFTER UPDATE OF phone_norm, name_fold, first_seen_ms ON calls
    WHEN old.phone_norm IS NOT new.phone_norm OR old.name_fold IS NOT new.name_fold
        OR old.first_seen_ms IS NOT new.first_seen_ms
BEGIN
    DELETE FROM calls_search WHERE rowid = old.rowid;
    INSERT INTO calls_search (rowid, phone_norm, name_fold, first_seen_ms)
        VALUES (new.rowid, new.phone_norm, new.name_fold, new.first_seen_ms);
END;
-- A search matching many calls walks history newest first instead (a page
-- comes sooner than sorting every match); this index carries what the search
-- compares, so the walk reads a call's row only for the calls it shows.
CREATE INDEX calls_by_time_search ON calls(first_seen_ms, phone_norm, name_fold);
