-- retort:parent 0007
-- retort:message Add users.active and deactivate users without projects

-- retort:up
ALTER TABLE users ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
-- Data: users who never created a project are parked as inactive.
UPDATE users SET active = FALSE
 WHERE NOT EXISTS (SELECT 1 FROM projects WHERE projects.owner_id = users.id);

-- retort:down
ALTER TABLE users DROP COLUMN active;
