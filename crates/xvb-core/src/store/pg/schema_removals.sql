-- Added for notes an admin removes, run at a node's start while missing.
-- Notes a relay's admin asked to remove (`xvb relay note remove ID`): one
-- node takes each (DELETE … RETURNING), removes the note and streams it.
CREATE TABLE IF NOT EXISTS relay_note_removals (
    id       text PRIMARY KEY,
    asked_at timestamptz NOT NULL DEFAULT now()
);
