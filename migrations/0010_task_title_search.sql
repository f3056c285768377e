-- retort:parent 0009
-- retort:message Index task titles for case-insensitive search

-- retort:up sqlite
CREATE INDEX tasks_title_search_idx ON tasks (lower(title));

-- retort:up postgres
CREATE INDEX tasks_title_search_idx ON tasks USING gin (to_tsvector('simple', title));

-- retort:down
DROP INDEX tasks_title_search_idx;
