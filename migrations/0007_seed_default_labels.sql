-- retort:parent 0006
-- retort:message Seed the default labels (a data migration)

-- retort:up
INSERT INTO labels (name) VALUES ('bug'), ('feature'), ('chore');

-- retort:down
-- Only the seeded rows go; labels users created stay.
DELETE FROM labels WHERE name IN ('bug', 'feature', 'chore');
