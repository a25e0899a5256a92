-- Added for notes, run at a node's start while `relay_tags` (created last
-- here) is missing; one transaction, each statement idempotent.

-- The stream carries notes too: `cmd` says which (`event` or `note`).
ALTER TABLE relay_events ADD COLUMN IF NOT EXISTS cmd text NOT NULL DEFAULT 'event';
-- Agents' notes on calls, the latest version of each (every version is a
-- row of relay_events, which is what agents receive).
CREATE TABLE IF NOT EXISTS relay_notes (
    id     text PRIMARY KEY,
    callid text NOT NULL,
    note   jsonb NOT NULL
);
-- The team's tags, in the order shown.
CREATE TABLE IF NOT EXISTS relay_tags (
    position integer PRIMARY KEY,
    name     text NOT NULL UNIQUE,
    color    text NOT NULL
);
