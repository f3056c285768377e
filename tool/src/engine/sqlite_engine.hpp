#pragma once

#include <memory>
#include <string>
#include <vector>

#include "retort/engine.hpp"
#include "retort/schema_diff.hpp"

namespace retort {

// The SQLite engine (SQLite3 C API) on the database file `path`. A concurrent
// process waits up to `lock_timeout_s` seconds for the write lock (0: without
// limit) instead of failing with "database is locked".
std::unique_ptr<Engine> open_sqlite_engine(const std::string& path, const VersionTable& table,
                                           OpenMode mode, int lock_timeout_s);

// The schema objects of `engine`, which open_sqlite_engine made, in creation
// order, with their columns and foreign keys; SQLite's own objects and the
// version table left out, as dump_schema() leaves them out.
std::vector<SchemaObject> sqlite_schema_objects(Engine& engine);

}  // namespace retort
