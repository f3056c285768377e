#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "retort/config.hpp"
#include "retort/script.hpp"

namespace retort {

// A database that exists for one check and is removed when this object goes
// away: a SQLite file in a new temporary folder, or a PostgreSQL database
// created (from template0) on the server of `server_url` and dropped WITH
// (FORCE). What the round-trip tests and `migrate_snapshot` run on, so that
// they never touch a real database.
class ScratchDatabase {
 public:
  // `label` becomes part of the PostgreSQL database's name, for whoever looks
  // at the server; `server_url` is ignored for SQLite. Throws DiagnosticError
  // (ExitCode::connection) when the database cannot be created.
  // A non-empty `seed` names a database kept by keep_as() to start from: a
  // copy of it rather than an empty one (the SQLite file is copied, the
  // PostgreSQL database is the template of CREATE DATABASE); a seed that is
  // gone fails like a server that is. With `take_seed`, the seed is renamed
  // rather than copied, so it is gone afterwards (a copy costs time in
  // proportion to the schema, a rename does not); it must not be in use. A
  // taken SQLite seed's folder is made beside it rather than in $TMPDIR.
  ScratchDatabase(Dialect dialect, const std::string& server_url, std::string_view label,
                  const std::string& seed = {}, bool take_seed = false);
  ~ScratchDatabase();

  // Keeps the database as `name` (SQLite: a file path; PostgreSQL: a database
  // name) instead of removing it, replacing any database of that name: a
  // rename, or for SQLite across file systems a copy. Every connection to it
  // must be closed first. Throws DiagnosticError on failure.
  void keep_as(const std::string& name);

  // Removes a database kept by keep_as(); no error if it is gone.
  static void discard(Dialect dialect, const std::string& server_url, const std::string& name);
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // The settings that open it (open_engine); the version table is the default one.
  const Config& config() const { return config_; }

 private:
  Config config_;
  std::string server_url_;        // PostgreSQL: where to drop it
  std::string name_;              // PostgreSQL: the database
  std::filesystem::path folder_;  // SQLite: the folder holding the file
};

}  // namespace retort
