-- retort:parnet 0001
-- retort: up
-- retort:up sqlit
SELECT 1;
-- retort:transaction always
-- retort:down
-- retort:down
