-- Where the relay's stream stood when an agent joined a group: an agent whose
-- position is not past it was offline then, and gets the group's recent calls
-- as history when it next connects (0: joined before this was kept).
ALTER TABLE relay_group_members ADD COLUMN added_seq INTEGER NOT NULL DEFAULT 0;
