#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "retort/config.hpp"
#include "retort/diagnostic.hpp"
#include "retort/engine.hpp"
#include "retort/graph.hpp"
#include "retort/plan.hpp"
#include "retort/record_cache.hpp"
#include "retort/runner.hpp"
#include "retort/script_cache.hpp"

// The library API for programs that migrate their own database: load a
// script set (compiled in, or a folder), open a database, upgrade, downgrade,
// read where it is. The `retort` CLI and the round-trip checker are built on
// the same functions. docs/cmake.md shows it with retort_add_migrations.

namespace retort {

// One script compiled into a program by `retort embed` (which the CMake
// function retort_add_migrations runs), so no file is needed at run time.
struct EmbeddedScript {
  std::string_view file_name;  // "0001_create_users.sql": the id, slug and diagnostics' path
  std::string_view content;    // the file's bytes
  // Script::checksum(up, dialect) by Dialect, as `retort embed` computed it,
  // so that a program does not hash every script at each start; empty, or
  // anything but 64 lowercase hex digits: hash then.
  std::array<std::string_view, 2> up_checksums{};
};

// A script set as `retort check` sees it: the graph, and every problem found.
struct CheckedScripts {
  RevisionGraph graph;
  std::vector<Diagnostic> problems;  // script and graph problems, then several heads
};

// Reads every *.sql file of `directory` (or what `cache` kept of them) and
// validates them as `retort check` does; a missing folder is a problem, not
// an exception.
CheckedScripts check_scripts(const std::string& directory, const ScriptCache* cache = nullptr);

// The graph of `directory`'s scripts. Throws DiagnosticError
// (ExitCode::invalid_scripts) with every problem; several heads are not one
// here, since targets such as `heads` work with them. With a `cache`, see
// load_scripts().
RevisionGraph load_graph(const std::string& directory, const ScriptCache* cache = nullptr);

// The graph of compiled-in scripts; throws as load_graph(directory) does.
RevisionGraph load_graph(std::span<const EmbeddedScript> scripts);

// The steps that bring a database whose version table holds `rows` to
// `target` (plan_upgrade's or plan_downgrade's grammar), once verify_applied
// has accepted the rows for `dialect`.
std::vector<Step> plan_migration(const RevisionGraph& graph, const std::vector<AppliedRevision>& rows,
                                 Dialect dialect, Direction direction, std::string_view target);

// The same, reading the rows from `engine`.
std::vector<Step> plan_migration(const RevisionGraph& graph, Engine& engine,
                                 Direction direction, std::string_view target);

// A script set bound to one database: what an application calls at start-up.
//
//   retort::Migrator db(app_migrations(), retort::config_from_url("sqlite:///app.db"));
//   db.upgrade();
class Migrator {
 public:
  // Opens (creating if needed) the database of `config`. Throws
  // DiagnosticError (ExitCode::connection or config) when that fails.
  Migrator(RevisionGraph graph, const Config& config);

  // The same for a compiled-in set, load_graph(scripts). On PostgreSQL it runs
  // on a thread of its own while the server starts a backend for the
  // connection, and that thread has ended when this returns. When both fail,
  // the scripts' DiagnosticError (ExitCode::invalid_scripts) is thrown.
  Migrator(std::span<const EmbeddedScript> scripts, const Config& config);

  // Applies every revision up to `target`; returns the steps that ran, in order.
  std::vector<Step> upgrade(std::string_view target = "head");

  // Reverts revisions until exactly `target` and its ancestors remain applied.
  std::vector<Step> downgrade(std::string_view target);

  // Where the database is (applied_heads); empty at base.
  std::vector<std::string> current();

  // Told about each step as it completes; null (the default) tells nobody.
  void set_reporter(Reporter* reporter) { reporter_ = reporter; }

  // Keeps the version table's rows in `folder`, as the CLI does in the
  // user's cache folder (docs/configuration.md, "The record cache"): then
  // upgrade() with nothing to do and current() do not read a SQLite
  // database's schema while the file is unchanged. Off until called, as it
  // writes a file there.
  void keep_record_in(std::filesystem::path folder) { record_cache_.emplace(std::move(folder)); }

  const RevisionGraph& graph() const { return graph_; }
  Engine& engine() { return *engine_; }

 private:
  std::vector<Step> migrate(Direction direction, std::string_view target);
  // What planning reads of the version table.
  std::vector<AppliedRevision> applied();

  RevisionGraph graph_;
  std::unique_ptr<Engine> engine_;
  VersionTable version_table_;
  std::optional<RecordCache> record_cache_;
  Reporter* reporter_ = nullptr;
};

}  // namespace retort
