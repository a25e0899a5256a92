-- History is listed newest first with storage order breaking ties
-- (`first_seen_ms DESC, rowid DESC`): ascending indexes read backwards give
-- exactly that, where DESC ones made SQLite sort every page's ties (a page
-- deep in 100,000 calls took 20× longer).
DROP INDEX calls_by_time;
CREATE INDEX calls_by_time ON calls(first_seen_ms);
DROP INDEX calls_live;
CREATE INDEX calls_live ON calls(completed, first_seen_ms);
