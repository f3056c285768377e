-- retort:parent 0002
-- retort:message Index book titles

-- retort:up
CREATE INDEX books_title_idx ON books (title);

-- retort:down
DROP INDEX books_title_idx;
