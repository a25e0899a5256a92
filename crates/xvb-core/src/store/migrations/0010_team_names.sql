-- A relay's names for its extensions, shown on the team board ("101 Анна").
CREATE TABLE team_names (
    ext  TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
