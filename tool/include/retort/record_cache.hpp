#pragma once

#include <filesystem>
#include <utility>
#include <vector>

#include "retort/engine.hpp"

namespace retort {

// The version table's rows as last read, one file per database in the user's
// cache folder (the script cache's), so that a command with nothing to do
// (`upgrade` at head, `current`) need not read the database's schema to learn
// it: SQLite parses every table and index of the schema before its first
// query. The rows are used only while the engine's content stamp is the one
// they were read under. An engine without stamps (PostgreSQL) is read every
// time, and the cache keeps only whether its table had rows, an empty file
// per database: the next read then asks for the rows with the table's
// existence (TableHint::seen). Only for reading: every step reads its row
// again under the lock.
class RecordCache {
 public:
  explicit RecordCache(std::filesystem::path folder) : folder_(std::move(folder)) {}

  // engine.applied(fields), from the cache when the stamp proves it current;
  // what is read is kept, every field of it, whatever `fields` asks for.
  // Failing to keep it is silent, as it only costs time.
  std::vector<AppliedRevision> applied(Engine& engine, const VersionTable& table,
                                       RowFields fields = RowFields::all) const;

 private:
  // engine.applied(fields) for an engine without content stamps whose reads
  // are faster with a TableHint.
  std::vector<AppliedRevision> applied_with_hint(Engine& engine, const VersionTable& table,
                                                 RowFields fields) const;

  std::filesystem::path folder_;
};

// engine.applied(fields), through `cache` when there is one.
std::vector<AppliedRevision> read_applied(Engine& engine, const VersionTable& table,
                                          const RecordCache* cache, RowFields fields);

}  // namespace retort
