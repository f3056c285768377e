// retort_roundtrip: the checks that retort_add_migration_tests registers with
// CTest (see docs/cmake.md), and the snapshot writer behind migrate_snapshot.
// It links the library rather than running the retort CLI per step, so a
// round trip costs a few milliseconds on SQLite.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "retort/libpq_process.hpp"
#include "retort/migrations.hpp"
#include "retort/sqlite_process.hpp"
#include "roundtrip.hpp"

namespace fs = std::filesystem;
using namespace retort;
using namespace retort::testing;

namespace {

// CTest's SKIP_RETURN_CODE, which retort_add_migration_tests sets.
constexpr int skipped = 77;
constexpr int failed = 1;

struct Options {
  std::string directory;
  std::string engine = "sqlite";
  VersionTable version_table;
  std::string postgres_url;
  std::string postgres_url_file;
  std::string revision;
  std::string snapshot_dir;
  std::string cache_dir;
  std::string snapshot_command = "cmake --build <build dir> --target migrate_snapshot";
  std::vector<std::string> snapshot_engines;
};

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The PostgreSQL server: --postgres-url, RETORT_TEST_POSTGRES_URL, then the
// file the CTest fixture writes; empty when there is none.
std::string server_url(const Options& options) {
  if (!options.postgres_url.empty()) return options.postgres_url;
  if (auto url = env("RETORT_TEST_POSTGRES_URL"); !url.empty()) return url;
  if (options.postgres_url_file.empty()) return {};
  std::ifstream in(options.postgres_url_file);
  std::string url;
  std::getline(in, url);
  return url;
}

CheckTarget check_target(const Options& options, std::string_view engine) {
  CheckTarget target;
  target.engine = *parse_dialect(engine);
  target.version_table = options.version_table;
  if (target.engine == Dialect::postgres) target.server_url = server_url(options);
  target.cache_dir = options.cache_dir;
  return target;
}

// For tests: a missing server fails, unless RETORT_SKIP_POSTGRES=1 asks to skip.
std::optional<int> missing_server(const CheckTarget& target) {
  if (target.engine != Dialect::postgres || !target.server_url.empty()) return std::nullopt;
  bool skip = env("RETORT_SKIP_POSTGRES") == "1";
  fmt::print(stderr,
             "{}: no PostgreSQL server: set RETORT_TEST_POSTGRES_URL to one (the user needs "
             "CREATEDB), or run the test through ctest with the 'postgres' fixture; "
             "RETORT_SKIP_POSTGRES=1 skips these tests\n",
             skip ? "skipped" : "error");
  return skip ? skipped : failed;
}

fs::path snapshot_path(const Options& options, std::string_view engine) {
  return fs::path(options.snapshot_dir) / fmt::format("schema.{}.sql", engine);
}

// The scripts as parsed by the previous check of the same build: each
// revision's test is a process of its own, and would otherwise read, parse and
// hash every script again.
RevisionGraph load_checked_graph(const Options& options) {
  if (options.cache_dir.empty()) return load_graph(options.directory);
  ScriptCache cache(fs::path(options.cache_dir) / "scripts");
  return load_graph(options.directory, &cache);
}

int run_graph(const Options& options) {
  auto checked = check_scripts(options.directory);
  for (const auto& d : checked.problems) fmt::print(stderr, "{}", format_diagnostic(d));
  if (!checked.problems.empty()) {
    fmt::print(stderr, "{} problem(s) in {}\n", checked.problems.size(), options.directory);
    return static_cast<int>(ExitCode::invalid_scripts);
  }
  fmt::print("{}: {} revisions, one head, no problems\n", options.directory,
             checked.graph.scripts().size());
  return 0;
}

int run_revision(const Options& options) {
  auto target = check_target(options, options.engine);
  if (auto code = missing_server(target)) return *code;
  auto graph = load_checked_graph(options);
  check_revision(graph, *graph.find(graph.resolve_id(options.revision)), target);
  return 0;
}

int run_head(const Options& options) {
  auto target = check_target(options, options.engine);
  if (auto code = missing_server(target)) return *code;
  check_head(load_checked_graph(options), target, snapshot_path(options, options.engine),
             options.snapshot_command);
  return 0;
}

// Writes one snapshot, only when it changes; without a server the PostgreSQL
// one is left as it is, with a note (migrate_snapshot still succeeds).
void write_snapshot(const Options& options, const RevisionGraph& graph, std::string_view engine) {
  auto target = check_target(options, engine);
  auto path = snapshot_path(options, engine);
  if (target.engine == Dialect::postgres && target.server_url.empty()) {
    fmt::print("{} not written: set RETORT_TEST_POSTGRES_URL to a PostgreSQL server (a user with "
               "CREATEDB) to write it\n",
               path.string());
    return;
  }
  auto schema = head_schema(graph, target);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream old;
  old << in.rdbuf();
  if (in && old.str() == schema) {
    fmt::print("{} is up to date\n", path.string());
    return;
  }
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << schema;
  out.close();
  if (!out) fail(ExitCode::internal, fmt::format("cannot write '{}'", path.string()));
  fmt::print("wrote {}\n", path.string());
}

int run_snapshot(const Options& options) {
  auto graph = load_checked_graph(options);
  for (const auto& engine : options.snapshot_engines) write_snapshot(options, graph, engine);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sqlite_without_memory_statistics();  // nothing here asks for them
  libpq_without_gnutls_init();
  Options options;
  CLI::App app{"Round-trip checks of migration scripts on scratch databases (docs/cmake.md)",
               "retort_roundtrip"};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("-d,--directory", options.directory, "The migrations folder")->required();
  app.add_option("--engine", options.engine, "sqlite or postgres")
      ->check(CLI::IsMember({"sqlite", "postgres"}));
  app.add_option("--version-table", options.version_table.name, "Table recording applied revisions");
  app.add_option("--version-schema", options.version_table.schema, "Its PostgreSQL schema");
  app.add_option("--postgres-url", options.postgres_url,
                 "PostgreSQL server for scratch databases (else RETORT_TEST_POSTGRES_URL)");
  app.add_option("--postgres-url-file", options.postgres_url_file,
                 "A file holding that URL (the CTest fixture's), read when set and present");
  app.add_option("--snapshot-dir", options.snapshot_dir, "Folder of schema.<engine>.sql");
  app.add_option("--cache-dir", options.cache_dir,
                 "Keep each checked revision's database here, so that its children's checks "
                 "start from it");
  app.add_option("--snapshot-command", options.snapshot_command,
                 "The command that rewrites the snapshots, for messages");

  std::function<int()> action;
  auto* revision = app.add_subcommand("revision", "Up, down, up one revision; compare the schemas");
  revision->add_option("id", options.revision, "The revision")->required();
  revision->callback([&] { action = [&] { return run_revision(options); }; });
  app.add_subcommand("head", "base, head, base, head; compare head with the snapshot")
      ->callback([&] { action = [&] { return run_head(options); }; });
  app.add_subcommand("graph", "Validate the scripts as `retort check` does")
      ->callback([&] { action = [&] { return run_graph(options); }; });
  auto* snapshot = app.add_subcommand("snapshot", "Write schema.<engine>.sql from a fresh database at head");
  snapshot->add_option("engines", options.snapshot_engines, "sqlite and/or postgres")
      ->check(CLI::IsMember({"sqlite", "postgres"}))
      ->required();
  snapshot->callback([&] { action = [&] { return run_snapshot(options); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }
  try {
    return action();
  } catch (const CheckFailure& e) {
    fmt::print(stderr, "FAILED: {}", e.what());
    return failed;
  } catch (const DiagnosticError& e) {
    for (const auto& d : e.diagnostics()) fmt::print(stderr, "{}", format_diagnostic(d));
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "retort_roundtrip: internal error: {}\n", e.what());
    return static_cast<int>(ExitCode::internal);
  }
}
