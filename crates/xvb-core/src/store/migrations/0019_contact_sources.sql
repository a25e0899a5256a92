-- Where caller names come from besides the local book (LDAP now): each
-- source's settings (JSON, no secrets: passwords are in the keyring), its
-- place in the order (first match wins; the local book is the row `local`),
-- what its last sync did, and the copy of its numbers the book is loaded from.
CREATE TABLE contact_sources (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    config TEXT,
    synced_ms INTEGER,
    tried_ms INTEGER,
    entries INTEGER NOT NULL DEFAULT 0,
    numbers INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    -- Of the copy's sorted numbers: a sync that finds the same copy reloads nothing.
    digest INTEGER
);
INSERT INTO contact_sources (name, position) VALUES ('local', 0);
CREATE TABLE source_numbers (
    source TEXT NOT NULL REFERENCES contact_sources(name) ON DELETE CASCADE,
    phone_norm TEXT NOT NULL,
    raw TEXT NOT NULL,
    name TEXT NOT NULL,
    responsible TEXT
);
CREATE INDEX source_numbers_by_source ON source_numbers(source);
CREATE INDEX source_numbers_by_phone ON source_numbers(phone_norm);
