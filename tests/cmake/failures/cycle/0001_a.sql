-- retort:message a
-- retort:parent 0002

-- retort:up
CREATE TABLE a (id INTEGER);

-- retort:down
DROP TABLE a;
