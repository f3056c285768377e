-- retort:message b

-- retort:up
CREATE TABLE b (id INTEGER);

-- retort:down
DROP TABLE b;
