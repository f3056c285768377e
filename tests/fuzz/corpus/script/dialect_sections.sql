-- retort:up
CREATE TABLE t (id integer PRIMARY KEY);
-- retort:up postgres
CREATE TABLE t (id serial PRIMARY KEY);
-- retort:down sqlite
DROP TABLE t;
-- retort:down postgres
DROP TABLE t CASCADE;
