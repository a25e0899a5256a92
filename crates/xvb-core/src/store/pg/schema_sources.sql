-- As in SQLite (0019_contact_sources.sql, 0020_source_cards.sql): where
-- caller names come from besides the shared book, in their order (the book
-- is the row `local`), each source's status, its copy of numbers and a
-- CardDAV source's cards. One node syncs at a time (an advisory lock); every
-- node reloads its book when `relay_head.contacts_rev` moves. Run at a
-- node's start while `relay_contact_sources` is missing.
CREATE TABLE IF NOT EXISTS relay_contact_sources (
    name       text PRIMARY KEY,
    position   integer NOT NULL,
    config     text,
    synced_at  timestamptz,
    tried_at   timestamptz,
    entries    integer NOT NULL DEFAULT 0,
    numbers    integer NOT NULL DEFAULT 0,
    error      text,
    digest     bigint,
    sync_token text
);
INSERT INTO relay_contact_sources (name, position) VALUES ('local', 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS relay_source_numbers (
    source      text NOT NULL REFERENCES relay_contact_sources(name) ON DELETE CASCADE,
    phone_norm  text NOT NULL,
    raw         text NOT NULL,
    name        text NOT NULL,
    responsible text
);
CREATE INDEX IF NOT EXISTS relay_source_numbers_by_source ON relay_source_numbers(source);
CREATE INDEX IF NOT EXISTS relay_source_numbers_by_phone ON relay_source_numbers(phone_norm);
CREATE TABLE IF NOT EXISTS relay_source_cards (
    source      text NOT NULL REFERENCES relay_contact_sources(name) ON DELETE CASCADE,
    href        text NOT NULL,
    etag        text NOT NULL,
    name        text,
    numbers     text NOT NULL DEFAULT '',
    responsible text,
    PRIMARY KEY (source, href)
);
