-- retort:parent 0004 0005
-- retort:message Merge the due-date and labels branches

-- retort:up

-- retort:down
