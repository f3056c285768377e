-- retort:up postgres
SELECT 1;
-- retort:down sqlite
