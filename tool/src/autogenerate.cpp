#include "retort/autogenerate.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/sqlite_engine.hpp"
#include "retort/plan.hpp"
#include "retort/runner.hpp"

namespace retort {

namespace {

// The scratch database's steps are nobody's business.
class SilentReporter final : public Reporter {
 public:
  void step_done(const Step&, const StepOutcome&) override {}
};

// Every ":memory:" connection is a database of its own that lives as long as
// the engine: nothing to clean up, nothing on disk.
std::unique_ptr<Engine> scratch_engine() {
  return open_sqlite_engine(":memory:", VersionTable{}, OpenMode::read_write, 0);
}

std::string read_snapshot(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    if (!std::filesystem::exists(path))
      fail(ExitCode::config, fmt::format("schema snapshot '{}' does not exist", path),
           {"--autogenerate compares the migrations with this file: the schema they must produce",
            "write it by hand, or capture the schema at head with 'retort upgrade head' and "
            "'retort dump-schema > sql/schema.sqlite.sql'",
            "or name another file with --schema FILE"});
    fail(ExitCode::config, fmt::format("cannot read schema snapshot '{}': {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<SchemaObject> snapshot_objects(const std::string& path, const std::string& ddl) {
  auto engine = scratch_engine();
  StepRequest request;
  request.revision = "snapshot";  // its version row is not part of the schema that is read
  request.sql = ddl;
  try {
    engine->run(request);
  } catch (const StatementError& e) {
    auto pos = locate(Section{ddl, 1, 0}, e.offset);
    throw DiagnosticError(
        ExitCode::invalid_scripts,
        Diagnostic{path, pos.line, pos.column, e.what(), pos.text,
                   {"the schema snapshot must be SQLite DDL that runs on an empty database"}});
  }
  return sqlite_schema_objects(*engine);
}

std::vector<SchemaObject> migrated_objects(const RevisionGraph& graph,
                                           const std::optional<std::string>& base) {
  auto engine = scratch_engine();
  if (base) {
    SilentReporter reporter;
    run_steps(*engine, plan_upgrade(graph, {}, *base), reporter, RunOptions{});
  }
  return sqlite_schema_objects(*engine);
}

}  // namespace

SchemaDiff autogenerate_sqlite(const RevisionGraph& graph, const std::optional<std::string>& base,
                               const std::string& snapshot_path) {
  auto desired = snapshot_objects(snapshot_path, read_snapshot(snapshot_path));
  return diff_schemas(migrated_objects(graph, base), desired);
}

}  // namespace retort
