-- retort:message a

-- retort:up
CREATE TABLE a (id INTEGER);

-- retort:down
DROP TABLE a;
