-- retort:parent 0001
-- retort:message Add an index on users.email

-- retort:up
CREATE INDEX users_email_idx ON users (email);

-- retort:down
DROP INDEX users_email_idx;
