CREATE TABLE authors (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE books (
    id    INTEGER PRIMARY KEY,
    title TEXT NOT NULL
, author_id INTEGER REFERENCES authors (id));
CREATE INDEX books_title_idx ON books (title);
