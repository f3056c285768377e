-- retort:irreversible
-- retort:up
DROP TABLE t;
