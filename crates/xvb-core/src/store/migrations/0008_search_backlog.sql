-- New calls reach the trigram index in chunks, off the webhook's transaction:
-- FTS5 writes a segment per commit, so indexing a call inside each small
-- group commit cost the writer ≈ 40 % of its speed, while a chunk of 512 costs
-- about a third of that per call. Until indexed, a call's rowid waits in
-- `calls_unindexed`, and a search reads those calls directly; a call is in
-- exactly one of the two.
CREATE TABLE calls_unindexed (rowid INTEGER PRIMARY KEY);
DROP TRIGGER calls_search_insert;
CREATE TRIGGER calls_search_backlog AFTER INSERT ON calls BEGIN
    INSERT INTO calls_unindexed (rowid) VALUES (new.rowid);
END;
DROP TRIGGER calls_search_delete;
CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN
    DELETE FROM calls_search WHERE rowid = old.rowid;
    DELETE FROM calls_unindexed WHERE rowid = old.rowid;
END;
-- A call still waiting is indexed with its latest values when its turn comes.
DROP TRIGGER calls_search_update;
CREATE TRIGGER calls_search_update AFTER UPDATE OF phone_norm, name_fold, first_seen_ms ON calls
    WHEN (old.phone_norm IS NOT new.phone_norm OR old.name_fold IS NOT new.name_fold
        OR old.first_seen_ms IS NOT new.first_seen_ms)
        AND NOT EXISTS (SELECT 1 FROM calls_unindexed WHERE rowid = old.rowid)
BEGIN
    DELETE FROM calls_search WHERE rowid = old.rowid;
    INSERT INTO calls_search (rowid, phone_norm, name_fold, first_seen_ms)
        VALUES (new.rowid, new.phone_norm, new.name_fold, new.first_seen_ms);
END;
