#pragma once

#include <string>
#include <vector>

#include "retort/engine.hpp"

namespace retort {

// One row of sqlite_schema that dump_schema() shows.
struct SqliteSchemaRow {
  std::string type;
  std::string name;
  std::string sql;
  bool operator==(const SqliteSchemaRow&) const = default;
};

// The rows dump_schema() is made of, in rowid order, from `engine` (an
// SQLite one; others throw ExitCode::internal). Reading them costs a
// fraction of a dump (no sort, no text built), so that a caller comparing
// two states can build the dumps only when the rows differ. Equal rows give
// equal dumps; different rows may still give equal dumps (an object dropped
// and created again moves to the end; trailing white space).
std::vector<SqliteSchemaRow> sqlite_schema_rows(Engine& engine);

// Whether sqlite_schema_rows(engine) would return `rows`, without copying them.
bool sqlite_schema_is(Engine& engine, const std::vector<SqliteSchemaRow>& rows);

// What dump_schema() returns for `rows`.
std::string sqlite_schema_dump(std::vector<SqliteSchemaRow> rows);

}  // namespace retort
