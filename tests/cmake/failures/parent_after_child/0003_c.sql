-- retort:message c
-- retort:parent 0001

-- retort:up
CREATE TABLE c (id INTEGER);

-- retort:down
DROP TABLE c;
