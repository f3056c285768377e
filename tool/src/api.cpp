#include <algorithm>
#include <exception>
#include <future>

#include "retort/migrations.hpp"

#include "checksum.hpp"
#include "thread_placement.hpp"

namespace retort {

namespace {

// A graph from parsed scripts; every problem thrown at once.
RevisionGraph strict_graph(std::vector<Script> scripts, std::vector<Diagnostic> problems) {
  auto graph = RevisionGraph::build(std::move(scripts), problems);
  if (!problems.empty()) throw DiagnosticError(ExitCode::invalid_scripts, std::move(problems));
  return graph;
}

// For a Migrator without a reporter.
class SilentReporter final : public Reporter {
 public:
  void step_done(const Step&, const StepOutcome&) override {}
};

}  // namespace

CheckedScripts check_scripts(const std::string& directory, const ScriptCache* cache) {
  ScriptSet set = load_scripts(directory, cache);
  auto problems = std::move(set.diagnostics);
  auto graph = RevisionGraph::build(std::move(set.scripts), problems);
  auto heads = graph.single_head_diagnostics();
  problems.insert(problems.end(), heads.begin(), heads.end());
  return {std::move(graph), std::move(problems)};
}

RevisionGraph load_graph(const std::string& directory, const ScriptCache* cache) {
  ScriptSet set = load_scripts(directory, cache);
  return strict_graph(std::move(set.scripts), std::move(set.diagnostics));
}

RevisionGraph load_graph(std::span<const EmbeddedScript> scripts) {
  std::vector<Script> parsed;
  std::vector<Diagnostic> problems;
  parsed.reserve(scripts.size());
  for (const auto& embedded : scripts) {
    auto result = parse_script(embedded.file_name, embedded.content);
    std::move(result.diagnostics.begin(), result.diagnostics.end(), std::back_inserter(problems));
    if (!result.script) continue;
    for (auto dialect : {Dialect::sqlite, Dialect::postgres}) {
      // Anything but a digest (none, or not one of ours) is computed when asked.
      if (auto digest = parse_sha256_hex(embedded.up_checksums[static_cast<std::size_t>(dialect)]))
        result.script->remember_up_checksum(dialect, *digest);
    }
    parsed.push_back(std::move(*result.script));
  }
  return strict_graph(std::move(parsed), std::move(problems));
}

std::vector<Step> plan_migration(const RevisionGraph& graph, const std::vector<AppliedRevision>& rows,
                                 Dialect dialect, Direction direction, std::string_view target) {
  verify_applied(graph, rows, dialect);
  return plan_steps(graph, applied_positions(graph, rows), direction, target);
}

std::vector<Step> plan_migration(const RevisionGraph& graph, Engine& engine, Direction direction,
                                 std::string_view target) {
  return plan_migration(graph, engine.applied(RowFields::planning), engine.dialect(), direction,
                        target);
}

Migrator::Migrator(RevisionGraph graph, const Config& config)
    : graph_(std::move(graph)),
      engine_(open_engine(config, OpenMode::read_write)),
      version_table_(config.version_table) {}

Migrator::Migrator(std::span<const EmbeddedScript> scripts, const Config& config)
    : version_table_(config.version_table) {
  if (config.engine != Dialect::postgres) {
    // A SQLite file opens without waiting for anything: a thread only cost
    // time (no-op of 1000, 40 interleaved runs: 8.99 -> 9.40 ms).
    graph_ = load_graph(scripts);
    engine_ = open_engine(config, OpenMode::read_write);
    return;
  }
  // One after the other, parsing a set of 1000 (9.9 M instructions) and
  // opening a PostgreSQL database made a no-op upgrade 1.5x a `psql` spawn.
  // The client library loads first, as the CLI's does (bench/notes.md, fix 23):
  // beside the parsing, in one process, the two slowed each other down.
  load_client_library(config);
  std::packaged_task<RevisionGraph()> parse([scripts] { return load_graph(scripts); });
  auto parsed = parse.get_future();
  std::thread parser = start_apart(std::move(parse));
  std::exception_ptr open_error;
  try {
    engine_ = open_engine(config, OpenMode::read_write);
  } catch (...) {
    open_error = std::current_exception();
  }
  parser.join();
  graph_ = parsed.get();
  if (open_error) std::rethrow_exception(open_error);
}

std::vector<Step> Migrator::upgrade(std::string_view target) { return migrate(Direction::up, target); }

std::vector<Step> Migrator::downgrade(std::string_view target) {
  return migrate(Direction::down, target);
}

std::vector<std::string> Migrator::current() {
  return applied_heads(graph_, applied_positions(graph_, applied()));
}

std::vector<Step> Migrator::migrate(Direction direction, std::string_view target) {
  auto steps = plan_migration(graph_, applied(), engine_->dialect(), direction, target);
  SilentReporter silent;
  run_steps(*engine_, steps, reporter_ != nullptr ? *reporter_ : silent, RunOptions{});
  return steps;
}

std::vector<AppliedRevision> Migrator::applied() {
  return read_applied(*engine_, version_table_, record_cache_ ? &*record_cache_ : nullptr,
                      RowFields::planning);
}

}  // namespace retort
