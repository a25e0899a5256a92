-- Retention (a relay's journal): rows up to `journal_pruned_through` may be deleted, no others.
INSERT INTO meta VALUES ('journal_pruned_through', 0);
INSERT INTO meta VALUES ('journal_pruned_event', 0);
INSERT INTO meta VALUES ('journal_pruned_before_ms', 0);
DROP TRIGGER journal_no_delete;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
WHEN old.seq > (SELECT value FROM meta WHERE key = 'journal_pruned_through')
BEGIN SELECT RAISE(ABORT, 'the journal is append-only (only rows past the retention cut go)'); END;
