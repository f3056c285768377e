#include "roundtrip.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "line_diff.hpp"
#include "retort/migrations.hpp"
#include "retort/scratch_database.hpp"

namespace retort::testing {

namespace {

class SilentReporter final : public Reporter {
 public:
  void step_done(const Step&, const StepOutcome&) override {}
};

// A scratch database with an engine on it, for one check of `graph`.
class Session {
 public:
  Session(const RevisionGraph& graph, const CheckTarget& target, std::string_view label)
      : graph_(graph), database_(target.engine, target.server_url, label) {
    Config config = database_.config();
    config.version_table = target.version_table;
    engine_ = open_engine(config, OpenMode::read_write);
  }

  // Runs `steps` as `retort upgrade`/`downgrade` would, each in its transaction.
  void run(const std::vector<Step>& steps) {
    SilentReporter silent;
    run_steps(*engine_, steps, silent, RunOptions{});
  }

  // Plans and runs a migration to `target`.
  void migrate(Direction direction, std::string_view target) {
    run(plan_migration(graph_, *engine_, direction, target));
  }

  std::string dump() { return engine_->dump_schema(); }

 private:
  const RevisionGraph& graph_;
  ScratchDatabase database_;
  std::unique_ptr<Engine> engine_;
};

// Fails with both states' names and the diff when `actual` differs from `expected`.
void expect_same(std::string_view expected, std::string_view actual, std::string_view expected_name,
                 std::string_view actual_name, std::string_view what) {
  if (expected == actual) return;
  throw CheckFailure(fmt::format("{}\n{}", what, line_diff(expected, actual, expected_name, actual_name)));
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void check_revision(const RevisionGraph& graph, const Script& revision, const CheckTarget& target) {
  Session session(graph, target, revision.id);
  for (const auto& parent : revision.parents) session.migrate(Direction::up, parent);
  const auto before = session.dump();
  const auto parents = revision.parents.empty() ? std::string("base")
                                                : fmt::format("{}", fmt::join(revision.parents, "+"));
  session.run({Step{&revision, Direction::up}});
  const auto after = session.dump();
  if (revision.irreversible) {
    fmt::print("{}: irreversible, so only the upgrade ran\n", revision.id);
    return;
  }
  session.run({Step{&revision, Direction::down}});
  expect_same(before, session.dump(), fmt::format("schema at {} (before upgrading)", parents),
              fmt::format("schema after downgrading {}", revision.id),
              fmt::format("downgrading {} ({}) does not restore the schema of {}:", revision.id,
                          revision.path, parents));
  session.run({Step{&revision, Direction::up}});
  expect_same(after, session.dump(), fmt::format("schema after the first upgrade to {}", revision.id),
              fmt::format("schema after upgrading {} again", revision.id),
              fmt::format("upgrading {} ({}) again, after its downgrade, gives another schema than "
                          "the first upgrade:",
                          revision.id, revision.path));
  fmt::print("{}: up, down, up on {}: the schemas match\n", revision.id, dialect_name(target.engine));
}

void check_head(const RevisionGraph& graph, const CheckTarget& target,
                const std::filesystem::path& snapshot, std::string_view snapshot_command) {
  Session session(graph, target, "head");
  const auto base = session.dump();
  session.migrate(Direction::up, "head");
  const auto head = session.dump();
  auto irreversible = std::find_if(graph.scripts().begin(), graph.scripts().end(),
                                   [](const Script& s) { return s.irreversible; });
  if (irreversible != graph.scripts().end()) {
    fmt::print("{} is irreversible, so the way back to base is not checked\n", irreversible->id);
  } else {
    session.migrate(Direction::down, "base");
    expect_same(base, session.dump(), "schema of the empty database", "schema after downgrading to base",
                "downgrading from head to base leaves something behind:");
    session.migrate(Direction::up, "head");
    expect_same(head, session.dump(), "schema at head (first upgrade)",
                "schema at head (second upgrade)",
                "upgrading from base to head a second time gives another schema than the first:");
  }
  std::error_code ec;
  if (!std::filesystem::exists(snapshot, ec))
    throw CheckFailure(fmt::format("the schema snapshot {} does not exist; create it with `{}` and "
                                   "commit it",
                                   snapshot.string(), snapshot_command));
  expect_same(read_file(snapshot), head, snapshot.string(), "schema at head",
              fmt::format("the schema at head differs from the snapshot {}; if the migrations are "
                          "right, run `{}` and commit the new snapshot:",
                          snapshot.string(), snapshot_command));
  fmt::print("head on {}: base, head, base, head; the schema matches {}\n", dialect_name(target.engine),
             snapshot.string());
}

std::string head_schema(const RevisionGraph& graph, const CheckTarget& target) {
  Session session(graph, target, "snapshot");
  session.migrate(Direction::up, "head");
  return session.dump();
}

}  // namespace retort::testing
