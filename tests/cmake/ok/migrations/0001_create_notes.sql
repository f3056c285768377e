-- retort:message Create the notes table

-- retort:up
CREATE TABLE notes (
    id   INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);

-- retort:down
DROP TABLE notes;
