CREATE TABLE t (id int);
-- retort:up
-- retort:down
-- retort:parent x1, 0002, 0002
