-- retort:irreversible please
-- retort:irreversible
-- retort:up
SELECT 1;
-- retort:down
SELECT 2;
-- retort:message
