-- retort:message b
-- retort:parent 0001

-- retort:up
CREATE TABLE b (id INTEGER);

-- retort:down
DROP TABLE b;
