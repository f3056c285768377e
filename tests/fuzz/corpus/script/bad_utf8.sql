-- retort:up
SELECT 'Ã( í € ô€€';
-- retort:down
