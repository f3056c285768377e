-- retort:parent 0008
-- retort:message Track when a task last changed, kept by a trigger

-- retort:up sqlite
ALTER TABLE tasks ADD COLUMN updated_at TIMESTAMP;
CREATE TRIGGER tasks_touch AFTER UPDATE OF title, status, due_on ON tasks
BEGIN
    UPDATE tasks SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

-- retort:down sqlite
DROP TRIGGER tasks_touch;
ALTER TABLE tasks DROP COLUMN updated_at;

-- retort:up postgres
ALTER TABLE tasks ADD COLUMN updated_at TIMESTAMP;
CREATE FUNCTION tasks_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := CURRENT_TIMESTAMP;  -- runs before the row is written
    RETURN NEW;
END;
$$;
CREATE TRIGGER tasks_touch BEFORE UPDATE OF title, status, due_on ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_touch();

-- retort:down postgres
DROP TRIGGER tasks_touch ON tasks;
DROP FUNCTION tasks_touch();
ALTER TABLE tasks DROP COLUMN updated_at;
