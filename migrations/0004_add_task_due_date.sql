-- retort:parent 0003
-- retort:message Add a due date to tasks

-- retort:up
ALTER TABLE tasks ADD COLUMN due_on DATE;
CREATE INDEX tasks_due_on_idx ON tasks (due_on);

-- retort:down
DROP INDEX tasks_due_on_idx;
ALTER TABLE tasks DROP COLUMN due_on;
