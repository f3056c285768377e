#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

// One statement of a PostgreSQL script: bytes [offset, offset + length) of the
// script, from its first token up to (not including) its terminating ';'.
struct SqlStatement {
  std::size_t offset = 0;
  std::size_t length = 0;
};

// A statement that PostgreSQL refuses to run inside a transaction block.
struct NonTransactionalStatement {
  std::size_t offset = 0;  // byte offset of its first token in the script
  std::string what;        // e.g. "CREATE INDEX CONCURRENTLY", for the message
};

// Splits `sql` into statements with PostgreSQL's own parser (libpg_query), or
// with its scanner when the script does not parse (so that the server reports
// the syntax error at the right place). Comments and blanks between statements
// are dropped; a script of only comments has no statements.
std::vector<SqlStatement> split_postgres(std::string_view sql);

// True when libpg_query's parser (PostgreSQL 15's grammar) accepts `sql`.
bool parses_as_postgres(std::string_view sql);

// The first statement of `sql` that cannot run inside a transaction block
// (CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, ...), judged from the parse
// tree; nothing when there is none or when `sql` does not parse.
std::optional<NonTransactionalStatement> find_non_transactional_statement(std::string_view sql);

// The first statement of `sql` that ends or opens a transaction (BEGIN, COMMIT,
// ROLLBACK, ...), which would break the migration's own transaction.
std::optional<NonTransactionalStatement> find_transaction_control_statement(std::string_view sql);

// The byte offset in `text` of the 1-based character position `position`
// (PostgreSQL reports positions in characters); clamped to text.size().
std::size_t character_position_to_offset(std::string_view text, std::size_t position);

}  // namespace retort
