#pragma once

#include <memory>
#include <string>

#include "retort/engine.hpp"

namespace retort {

// The SQLite engine (SQLite3 C API) on the database file `path`. A concurrent
// process waits up to `lock_timeout_s` seconds for the write lock (0: without
// limit) instead of failing with "database is locked".
std::unique_ptr<Engine> open_sqlite_engine(const std::string& path, const VersionTable& table,
                                           OpenMode mode, int lock_timeout_s);

}  // namespace retort
