-- The journal of every accepted request (append-only), merged calls, the contact book, counters.
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    cmd TEXT NOT NULL,
    callid TEXT,
    fields TEXT NOT NULL
);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TABLE calls (
    callid TEXT PRIMARY KEY,
    direction TEXT,
    phone_norm TEXT,
    contact_name TEXT,
    status TEXT NOT NULL,
    missed INTEGER NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    log TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX calls_by_time ON calls(first_seen_ms DESC);
CREATE INDEX calls_by_phone ON calls(phone_norm);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    responsible TEXT,
    crm_url TEXT,
    note TEXT
);
CREATE TABLE contact_phones (
    phone_norm TEXT PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    raw TEXT NOT NULL
);
CREATE INDEX contact_phones_by_contact ON contact_phones(contact_id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta VALUES ('contacts_rev', 0);
