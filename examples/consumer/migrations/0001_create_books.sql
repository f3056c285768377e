-- retort:message Create the books table

-- retort:up
CREATE TABLE books (
    id    INTEGER PRIMARY KEY,
    title TEXT NOT NULL
);

-- retort:down
DROP TABLE books;
