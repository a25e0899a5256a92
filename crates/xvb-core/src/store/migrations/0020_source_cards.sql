-- A CardDAV source's cards as its last sync left them (href, ETag, what
-- each gives), and the server's token the next sync starts from: a sync
-- reads only the cards that changed, and the copy is built from these.
ALTER TABLE contact_sources ADD COLUMN sync_token TEXT;
CREATE TABLE source_cards (
    source TEXT NOT NULL REFERENCES contact_sources(name) ON DELETE CASCADE,
    href TEXT NOT NULL,
    etag TEXT NOT NULL,
    -- NULL: a card without a name or a number.
    name TEXT,
    -- Its numbers, one per line, as the card spells them.
    numbers TEXT NOT NULL DEFAULT '',
    responsible TEXT,
    PRIMARY KEY (source, href)
) WITHOUT ROWID;
