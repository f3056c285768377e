-- retort:parent 0001
-- retort:message Create authors and link books to them

-- retort:up
CREATE TABLE authors (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
ALTER TABLE books ADD COLUMN author_id INTEGER REFERENCES authors (id);

-- retort:down
ALTER TABLE books DROP COLUMN author_id;
DROP TABLE authors;
