-- retort:parent 0002
-- retort:message Text that is hard to embed: quotes, backslashes, delimiters

-- Comments the embedding must keep byte for byte: )" )xyz" R"(raw)" ??= ??/ \ \\n "\"" '
-- a tab:	; UTF-8: été ✓; a CRLF line follows
-- retort:up
INSERT INTO notes (body) VALUES ('he said "hi" \ )" é');

-- retort:down
DELETE FROM notes WHERE body LIKE 'he said%';
