#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retort/diagnostic.hpp"
#include "retort/engine.hpp"
#include "retort/script.hpp"

namespace retort {

// One KEY=VALUE of a .env file.
struct DotEnvEntry {
  std::string value;
  int line = 0;
};

// A parsed .env file (python-dotenv syntax: `export KEY=`, single and double
// quotes, `# comments` on their own line or after an unquoted or quoted value).
struct DotEnv {
  std::string path;
  std::map<std::string, DotEnvEntry, std::less<>> entries;
  std::vector<Diagnostic> diagnostics;  // malformed lines; values of secret keys never shown
};

// Parses `content` as the .env file at `path`. Pure.
DotEnv parse_dotenv(std::string_view path, std::string_view content);

// True for keys whose values must never be printed (POSTGRES_PASSWORD, PGPASSWORD, ...).
bool is_secret_key(std::string_view key);

// `url` with any password replaced by "***" ("postgresql://app:***@db/app").
std::string mask_url(std::string_view url);

// What the command line says; unset members leave the decision to the
// environment, the .env file, then the defaults.
struct ConfigFlags {
  std::optional<std::string> env_file;       // --env-file (must exist)
  std::optional<std::string> directory;      // --directory
  std::optional<std::string> database_url;   // --url
  std::optional<std::string> version_table;  // --version-table
  std::optional<std::string> version_schema; // --version-schema
  std::optional<int> lock_timeout_s;         // --lock-timeout
  std::optional<int> wait_s;                 // --wait
};

// The settings every command runs with.
struct Config {
  Dialect engine = Dialect::sqlite;
  std::string sqlite_path;  // for Dialect::sqlite

  // For Dialect::postgres: libpq keyword/value pairs (host, port, user,
  // password, dbname), from the POSTGRES_* keys; or, when DATABASE_URL is a
  // postgres URL, that URL for libpq to parse (`postgres_url`).
  std::vector<std::pair<std::string, std::string>> postgres;
  std::string postgres_url;

  VersionTable version_table;
  std::string migrations_dir;  // where the scripts are
  std::string env_file;        // the .env that was read; empty when none
  std::string project_dir;     // the .env's folder, or the working directory
  int lock_timeout_s = 0;      // 0: wait as long as it takes
  int wait_s = 0;              // how long to retry connecting to a starting server
  std::vector<std::string> warnings;  // what the user should fix but that does not stop a command
};

// Resolves the configuration: flags > environment > .env > defaults. The .env
// file is `flags.env_file`, or the nearest `.env` in `cwd` or its parents; a
// .env that holds a secret and that other users may read adds a warning.
// Throws DiagnosticError (ExitCode::config) naming the key, the file and the
// line of a bad value; never with a secret in the text.
Config load_config(const ConfigFlags& flags,
                   const std::map<std::string, std::string, std::less<>>& environment,
                   const std::string& cwd);

// The settings for the database at `url` (DATABASE_URL's forms: sqlite:///app.db,
// postgresql://user@host/db), defaults for the rest; no .env or environment is
// read. A relative SQLite path is relative to `cwd`. Throws as load_config does.
Config config_from_url(std::string_view url, const std::string& cwd = ".");

// The environment of this process, as load_config takes it.
std::map<std::string, std::string, std::less<>> process_environment();

}  // namespace retort
