-- retort:up
SELECT 1;
-- retort:down
SELECT 2;
