#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

// One column of a table, as SQLite's pragma_table_xinfo reports it.
struct SchemaColumn {
  std::string name;
  std::string type;                          // as declared; may be empty
  bool not_null = false;
  std::optional<std::string> default_value;  // the DEFAULT's SQL text
  int primary_key = 0;                       // position in the primary key; 0 when not in it
};

// One object of an SQLite schema: a table, index, view or trigger.
struct SchemaObject {
  std::string type;   // "table", "index", "view" or "trigger"
  std::string name;
  std::string table;  // the table an index or trigger belongs to; the object's own name otherwise
  std::string sql;    // its CREATE statement as SQLite stores it, without the ';'
  std::vector<SchemaColumn> columns;    // tables: in declared order
  std::vector<std::string> references;  // tables: the tables its foreign keys name
};

// What it takes to go from one schema to another (`revision --autogenerate`).
struct SchemaDiff {
  std::string up;    // statements, each ending in ";\n", separated by blank lines
  std::string down;  // the inverse of `up`, in exactly the reverse order
  std::vector<std::string> changes;   // "added table 'users'", in the order of `up`
  std::vector<std::string> warnings;  // changes left as `-- TODO` comments in the sections
};

// The migration from `current` to `desired` (objects in creation order, as
// read from SQLite). Objects are matched by type and case-insensitive name
// and compared by their SQL with white space normalised. A table change that
// ALTER TABLE cannot express becomes a TODO comment and a warning. Pure.
SchemaDiff diff_schemas(const std::vector<SchemaObject>& current,
                        const std::vector<SchemaObject>& desired);

// `sql` with comments kept, runs of white space outside quotes made one
// space, and none left next to '(', ')', ',' or at the ends: two statements
// that differ only in layout normalise to the same text.
std::string normalize_sql(std::string_view sql);

}  // namespace retort
