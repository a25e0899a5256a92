-- Notes a relay's admin asked to remove (`xvb relay note remove ID`): the
-- running relay takes each, removes the note through its writer and streams
-- the removal to every agent.
CREATE TABLE note_removals (
    id       TEXT PRIMARY KEY,
    asked_ms INTEGER NOT NULL
);
