-- retort:parent 0003
-- retort:message Seed an unknown author (a data migration)

-- retort:up
INSERT INTO authors (name) VALUES ('Unknown');

-- retort:down
DELETE FROM authors WHERE name = 'Unknown';
