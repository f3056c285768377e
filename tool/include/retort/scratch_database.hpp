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
  ScratchDatabase(Dialect dialect, const std::string& server_url, std::string_view label);
  ~ScratchDatabase();
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
