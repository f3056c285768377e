#pragma once

#include <optional>
#include <string>

#include "retort/graph.hpp"
#include "retort/schema_diff.hpp"

namespace retort {

// `retort revision --autogenerate`: the difference between the schema that
// the migrations produce at `base` (every up section of the sqlite dialect
// up to it, run in a scratch in-memory database; nothing when `base` is
// empty) and the snapshot file `snapshot_path` (SQLite DDL, loaded the same
// way). Throws DiagnosticError: ExitCode::config for a missing or unreadable
// snapshot, ExitCode::migration_failed located at the file and line of a
// statement that fails in a script or in the snapshot.
SchemaDiff autogenerate_sqlite(const RevisionGraph& graph, const std::optional<std::string>& base,
                               const std::string& snapshot_path);

}  // namespace retort
