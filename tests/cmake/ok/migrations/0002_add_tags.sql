-- retort:parent 0001
-- retort:message Add tags

-- retort:up
CREATE TABLE tags (note_id INTEGER NOT NULL REFERENCES notes (id), tag TEXT NOT NULL);
CREATE INDEX tags_tag_idx ON tags (tag);

-- retort:down
DROP INDEX tags_tag_idx;
DROP TABLE tags;
