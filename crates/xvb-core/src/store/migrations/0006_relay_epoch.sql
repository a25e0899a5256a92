-- A relay's stream epoch: made once with its database, sent to agents, who
-- send it back when they resume. An agent holding another epoch's position
-- (its relay's database was replaced) is reset instead of resumed.
INSERT INTO meta VALUES ('relay_epoch', abs(random() % 9000000000000000) + 1);
-- On an agent: the epoch of the relay stream its position belongs to (0: none yet).
INSERT INTO meta VALUES ('relay_epoch_seen', 0);
