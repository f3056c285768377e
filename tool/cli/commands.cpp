#include "commands.hpp"

#include "background_record.hpp"
#include "embed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "retort/autogenerate.hpp"
#include "retort/engine.hpp"
#include "retort/graph.hpp"
#include "retort/migrations.hpp"
#include "retort/new_revision.hpp"
#include "retort/plan.hpp"
#include "retort/runner.hpp"
#include "retort/script.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace retort::cli {

namespace {

// The configuration and the validated revision graph a command works on.
struct Project {
  Config config;
  RevisionGraph graph;
  std::string scripts_dir;  // as shown in messages: relative to the working directory
};

std::string shown_path(const std::string& path) {
  std::error_code ec;
  auto rel = fs::proximate(path, fs::current_path(), ec);
  return ec ? path : rel.string();
}

Config load_configuration(const Context& ctx) {
  auto config = load_config(ctx.flags, process_environment(), fs::current_path().string());
  for (const auto& warning : config.warnings) ctx.out.warning(warning);
  return config;
}

// The user's script cache (script_cache.hpp), or null when there is none.
const ScriptCache* user_cache() {
  static const auto cache = ScriptCache::for_user();
  return cache ? &*cache : nullptr;
}

// Loads the scripts; any script or graph problem stops the command. The
// project lives until the process ends, whose exit frees its memory at once:
// freeing a thousand scripts one by one took 0.2 ms of a no-op upgrade.
Project& load_project(Config config) {
  static std::optional<Project> project;
  auto dir = shown_path(config.migrations_dir);
  auto graph = load_graph(dir, user_cache());
  return project.emplace(std::move(config), std::move(graph), std::move(dir));
}

Project& load_project(const Context& ctx) { return load_project(load_configuration(ctx)); }

// The user's record cache (record_cache.hpp), beside the script cache.
const RecordCache* user_record_cache() {
  static const auto cache =
      user_cache() ? std::optional<RecordCache>(user_cache()->folder()) : std::nullopt;
  return cache ? &*cache : nullptr;
}

// Sub-millisecond steps are common on SQLite; "0 ms" would read as "nothing ran".
std::string format_ms(std::int64_t ms) { return ms == 0 ? std::string("<1 ms") : fmt::format("{} ms", ms); }

// Prints one line per step as it completes.
class PrintingReporter : public Reporter {
 public:
  explicit PrintingReporter(const Output& out) : out_(out) {}
  void step_done(const Step& step, const StepOutcome& outcome) override {
    const Script& s = *step.script;
    const char* verb = step.direction == Direction::up ? "upgrade  " : "downgrade";
    if (!outcome.ran) {
      out_.info(fmt::format("  {} {} {} {}", verb, s.id, s.message,
                            out_.dim("(already done by another process)")));
      return;
    }
    ++count_;
    total_ms_ += outcome.duration_ms;
    out_.info(fmt::format("  {} {} {} {}", out_.green(verb), out_.bold(s.id), s.message,
                          out_.dim(fmt::format("({})", format_ms(outcome.duration_ms)))));
  }
  int count() const { return count_; }
  std::int64_t total_ms() const { return total_ms_; }

 private:
  const Output& out_;
  int count_ = 0;
  std::int64_t total_ms_ = 0;
};

std::string describe_state(const std::vector<std::string>& heads) {
  return heads.empty() ? std::string("base") : fmt::format("{}", fmt::join(heads, ", "));
}

// The read for a command with no script to run: if opening a SQLite file for
// writing is what failed, it is read as `current` reads it, so that a database
// this user may not write still answers. A PostgreSQL open does not depend on
// the mode, so its failure is not tried again.
Record take_without_scripts(BackgroundRecord& reading, const Config& config) {
  try {
    return reading.take();
  } catch (const DiagnosticError& error) {
    if (config.engine != Dialect::sqlite || error.code() != ExitCode::connection) throw;
    return read_record(config, OpenMode::read_only, user_record_cache(), RowFields::planning);
  }
}

ExitCode migrate(Context& ctx, const MigrateOptions& options, Direction direction) {
  Config config = load_configuration(ctx);
  // Read while the scripts load; a database that does not exist is created by
  // the first step, so never for scripts that turn out broken.
  BackgroundRecord reading(config,
                           options.sql ? OpenMode::read_only : OpenMode::read_write_create_later,
                           user_record_cache(), RowFields::planning);
  Project& project = load_project(std::move(config));
  const bool no_scripts = project.graph.scripts().empty();
  auto [engine, rows] = no_scripts ? take_without_scripts(reading, project.config) : reading.take();
  verify_applied(project.graph, rows, engine->dialect());
  auto applied = applied_positions(project.graph, rows);
  auto steps = plan_steps(project.graph, applied, direction, options.target);
  // Not needed while the steps run, so their memory goes back before the
  // table is read again; a command with nothing to do just ends.
  if (!steps.empty()) rows = {};
  if (direction == Direction::up && !steps.empty()) {
    // Read again after planning: what another process applied meanwhile is no
    // longer pending, and sorting below it is no reason for a warning.
    const auto now = known_applied(project.graph, engine->applied(RowFields::planning));
    std::vector<const Script*> pending;
    for (const auto& step : steps)
      if (!now.contains(step.script->id)) pending.push_back(step.script);
    ctx.out.warnings(out_of_order(now, pending));
    applied = Membership{project.graph.membership(now)};
  }
  if (options.sql) {
    fmt::print("{}", offline_sql(engine->dialect(), project.config.version_table, steps));
    return ExitCode::success;
  }
  if (no_scripts) {
    ctx.out.info(fmt::format("Nothing to do: {} has no scripts; write one with 'retort revision -m \"...\"'",
                             project.scripts_dir));
    return ExitCode::success;
  }
  if (steps.empty()) {
    ctx.out.info(fmt::format("Nothing to do: {} is at {}", engine->describe(),
                             describe_state(applied_heads(project.graph, applied))));
    return ExitCode::success;
  }
  ctx.out.detail(fmt::format("{} {} ({} step{})",
                             direction == Direction::up ? "Upgrading" : "Downgrading",
                             engine->describe(), steps.size(), steps.size() == 1 ? "" : "s"));
  PrintingReporter reporter(ctx.out);
  run_steps(*engine, steps, reporter, RunOptions{options.single_transaction});
  // Every step's revision is now applied (up) or not (down), by this run or by
  // another process that got there first: no need to read the table again.
  for (const auto& step : steps) applied.in[project.graph.position(*step.script)] = direction == Direction::up;
  ctx.out.info(fmt::format("{} is at {} ({} revision{} in {})", engine->describe(),
                           describe_state(applied_heads(project.graph, applied)), reporter.count(),
                           reporter.count() == 1 ? "" : "s", format_ms(reporter.total_ms())));
  return ExitCode::success;
}

// Writes a new script file and reports its path.
void write_script(const Context& ctx, const Project& project, const NewRevision& revision,
                  bool merge) {
  auto path = fs::path(project.scripts_dir) / fmt::format("{}_{}.sql", revision.id, revision.slug);
  if (project.graph.find(revision.id) != nullptr)
    fail(ExitCode::usage, fmt::format("revision id {} already exists", revision.id));
  fs::create_directories(project.scripts_dir);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << render_script(revision, merge);
  file.close();
  if (!file) fail(ExitCode::internal, fmt::format("cannot write '{}'", path.string()));
  ctx.out.result(path.string());
}

std::vector<std::string> all_ids(const RevisionGraph& graph) {
  std::vector<std::string> ids;
  for (const auto& s : graph.scripts()) ids.push_back(s.id);
  return ids;
}

void check_rev_id(const std::optional<std::string>& rev_id) {
  if (rev_id && (rev_id->empty() || !std::all_of(rev_id->begin(), rev_id->end(),
                                                 [](unsigned char c) { return std::isdigit(c); })))
    fail(ExitCode::usage, fmt::format("--rev-id must be digits, not '{}'", *rev_id));
}

json diagnostic_json(const Diagnostic& d) {
  return {{"path", d.path}, {"line", d.line}, {"column", d.column}, {"message", d.message},
          {"notes", d.notes}};
}

// What `retort check --database` found in the database's record.
struct RecordCheck {
  std::string database;              // Engine::describe()
  std::vector<std::string> applied;  // the version table's revisions, in id order
  std::vector<std::string> pending;  // scripts not applied, in id order
  std::vector<Diagnostic> problems;  // record_problems()
  std::vector<Diagnostic> warnings;  // out_of_order()
};

RecordCheck check_record(const Config& config, const RevisionGraph& graph) {
  auto engine = open_engine(config, OpenMode::read_only);
  auto rows = engine->applied();
  RecordCheck record{engine->describe(), {}, {}, record_problems(graph, rows, engine->dialect()), {}};
  for (const auto& row : rows) record.applied.push_back(row.revision);
  auto applied = known_applied(graph, rows);
  std::vector<const Script*> pending;
  for (const auto& script : graph.scripts()) {
    if (applied.contains(script.id)) continue;
    pending.push_back(&script);
    record.pending.push_back(script.id);
  }
  record.warnings = out_of_order(applied, pending);
  return record;
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// Prints what `retort check` found in `dir` and, for --database, in the
// database's record; the exit code says whether both are clean.
ExitCode report_check(const Context& ctx, const std::string& dir, const CheckedScripts& checked,
                      const RecordCheck* record = nullptr) {
  const auto& problems = checked.problems;
  const auto record_problems = record ? record->problems.size() : 0;
  auto revisions = checked.graph.scripts().size();
  if (ctx.json) {
    json out = {{"ok", problems.empty() && record_problems == 0},
                {"directory", dir},
                {"revisions", revisions},
                {"heads", checked.graph.heads()},
                {"diagnostics", json::array()}};
    for (const auto& d : problems) out["diagnostics"].push_back(diagnostic_json(d));
    if (record) {
      for (const auto& d : record->problems) out["diagnostics"].push_back(diagnostic_json(d));
      json warnings = json::array();
      for (const auto& d : record->warnings) warnings.push_back(diagnostic_json(d));
      out["database"] = {{"database", record->database},
                         {"applied", record->applied},
                         {"pending", record->pending},
                         {"out_of_order", warnings}};
    }
    fmt::print("{}\n", out.dump(2));
  } else if (problems.empty()) {
    ctx.out.info(fmt::format("{}: {}, head {}, no problems", dir, plural(revisions, "revision"),
                             describe_state(checked.graph.heads())));
  } else {
    ctx.out.diagnostics(problems);
    fmt::print(stderr, "{} in {}\n", plural(problems.size(), "problem"), dir);
  }
  if (!problems.empty()) return ExitCode::invalid_scripts;
  if (record == nullptr) return ExitCode::success;
  if (!ctx.json) {
    ctx.out.warnings(record->warnings);
    if (record_problems == 0) {
      ctx.out.info(fmt::format("{}: {} applied, {} pending, the record matches the scripts",
                               record->database, record->applied.size(), record->pending.size()));
    } else {
      ctx.out.diagnostics(record->problems);
      fmt::print(stderr, "{} in {}\n", plural(record_problems, "problem"), record->database);
    }
  }
  return record_problems == 0 ? ExitCode::success : ExitCode::state;
}

// The applied rows, or none when the database cannot be reached: for
// commands that are useful without it (history), with a warning.
std::optional<std::vector<AppliedRevision>> try_applied(const Context& ctx, const Config& config,
                                                        std::string* database) {
  try {
    auto engine = open_engine(config, OpenMode::read_only);
    *database = engine->describe();
    return engine->applied();
  } catch (const DiagnosticError& e) {
    if (e.code() != ExitCode::connection) throw;
    ctx.out.warning(fmt::format("cannot read the database, so applied revisions are not marked: {}",
                                e.diagnostics().front().message));
    return std::nullopt;
  }
}

}  // namespace

ExitCode run_init(Context& ctx) {
  auto dir = fs::path(ctx.flags.directory.value_or("migrations"));
  bool created_dir = fs::create_directories(dir);
  ctx.out.info(fmt::format("{} {}", created_dir ? "Created" : "Exists: ", dir.string()));
  auto env = fs::path(ctx.flags.env_file.value_or(".env"));
  if (fs::exists(env)) {
    ctx.out.info(fmt::format("Exists:  {} (left as it is)", env.string()));
    return ExitCode::success;
  }
  std::ofstream file(env, std::ios::binary);
  file << R"(# Retort configuration: see docs/configuration.md.
# Precedence: command-line flags > environment variables > this file > defaults.

# DB_ENGINE can be "sqlite" or "postgres"
DB_ENGINE="sqlite"

# SQLite: the database file, relative to this file.
SQLITE_PATH="app.db"

# PostgreSQL
# POSTGRES_USER="your_username"
# POSTGRES_PASSWORD="your_password"
# POSTGRES_SERVER="your_server"
# POSTGRES_PORT=5432
# POSTGRES_DB="your_database"

# Or one URL instead of the keys above (it wins over them):
# DATABASE_URL="postgresql://user:password@localhost:5432/app"

# Where the scripts are (default: migrations/ beside this file) and the
# table that records applied revisions.
# RETORT_MIGRATIONS_DIR="migrations"
# RETORT_VERSION_TABLE="retort_version"
)";
  file.close();
  if (!file) fail(ExitCode::config, fmt::format("cannot write '{}'", env.string()));
  ctx.out.info(fmt::format("Created {}", env.string()));
  return ExitCode::success;
}

ExitCode run_revision(Context& ctx, const RevisionOptions& options) {
  check_rev_id(options.rev_id);
  Project& project = load_project(ctx);
  NewRevision revision;
  if (options.head) {
    revision.parents = {project.graph.resolve_id(*options.head)};
  } else {
    revision.parents = project.graph.heads();
    if (revision.parents.size() > 1) {
      auto d = project.graph.single_head_diagnostics();
      d.front().notes.push_back("or base the new revision on one of them with --head <revision>");
      throw DiagnosticError(ExitCode::invalid_scripts, std::move(d));
    }
  }
  SchemaDiff diff;
  if (options.autogenerate) {
    auto snapshot = shown_path(options.schema.value_or(
        (fs::path(project.config.project_dir) / "sql" / "schema.sqlite.sql").string()));
    auto base = revision.parents.empty() ? std::nullopt : std::optional(revision.parents.front());
    diff = autogenerate_sqlite(project.graph, base, snapshot);
    if (diff.changes.empty()) {
      ctx.out.result("No changes detected");
      return ExitCode::success;
    }
    for (const auto& change : diff.changes) ctx.out.info(fmt::format("Detected {}", change));
    revision.up = fmt::format("-- Generated by 'retort revision --autogenerate' from {}\n"
                              "-- (SQLite SQL): review it before applying.\n\n{}",
                              snapshot, diff.up);
    revision.down = diff.down;
  }
  revision.id = options.rev_id.value_or(
      next_revision_id(all_ids(project.graph), std::chrono::system_clock::now()));
  revision.message = options.message;
  revision.slug = slugify(options.message);
  write_script(ctx, project, revision, false);
  for (const auto& warning : diff.warnings) ctx.out.warning(warning);
  return ExitCode::success;
}

ExitCode run_merge(Context& ctx, const MergeOptions& options) {
  check_rev_id(options.rev_id);
  Project& project = load_project(ctx);
  NewRevision revision;
  if (options.revisions.empty() || (options.revisions.size() == 1 && options.revisions[0] == "heads")) {
    revision.parents = project.graph.heads();
  } else {
    for (const auto& r : options.revisions) revision.parents.push_back(project.graph.resolve_id(r));
  }
  std::sort(revision.parents.begin(), revision.parents.end(),
            [](const std::string& a, const std::string& b) { return id_less(a, b); });
  revision.parents.erase(std::unique(revision.parents.begin(), revision.parents.end()),
                         revision.parents.end());
  if (revision.parents.size() < 2)
    fail(ExitCode::usage,
         fmt::format("nothing to merge: a merge needs at least two revisions, and {} given",
                     revision.parents.empty() ? std::string("none is")
                                              : fmt::format("only {} is", revision.parents[0])));
  revision.id = options.rev_id.value_or(
      next_revision_id(all_ids(project.graph), std::chrono::system_clock::now()));
  revision.message = options.message.empty() ? fmt::format("merge {}", fmt::join(revision.parents, ", "))
                                             : options.message;
  revision.slug = slugify(options.message.empty() ? "merge" : options.message);
  write_script(ctx, project, revision, true);
  return ExitCode::success;
}

ExitCode run_upgrade(Context& ctx, const MigrateOptions& options) {
  return migrate(ctx, options, Direction::up);
}

ExitCode run_downgrade(Context& ctx, const MigrateOptions& options) {
  return migrate(ctx, options, Direction::down);
}

ExitCode run_current(Context& ctx) {
  Config config = load_configuration(ctx);
  BackgroundRecord reading(config, OpenMode::read_only, user_record_cache(),
                           ctx.json ? RowFields::all : RowFields::planning);
  Project& project = load_project(std::move(config));
  auto [engine, rows] = reading.take();
  auto heads = applied_heads(project.graph, applied_positions(project.graph, rows));
  auto graph_heads = project.graph.heads();
  auto is_head = [&](const std::string& id) {
    return std::find(graph_heads.begin(), graph_heads.end(), id) != graph_heads.end();
  };
  if (ctx.json) {
    json out = {{"database", engine->describe()}, {"current", heads}, {"applied", json::array()}};
    for (const auto& row : rows) {
      json r = {{"revision", row.revision},
                {"checksum", row.checksum},
                {"applied_at", row.applied_at},
                {"duration_ms", row.duration_ms},
                {"known", project.graph.find(row.revision) != nullptr}};
      if (row.statements_done) r["statements_done"] = *row.statements_done;
      out["applied"].push_back(r);
    }
    fmt::print("{}\n", out.dump(2));
    return ExitCode::success;
  }
  ctx.out.detail(fmt::format("Database: {}", engine->describe()));
  if (heads.empty() && rows.empty()) ctx.out.result("base (no revision applied)");
  for (const auto& id : heads) {
    const Script* s = project.graph.find(id);
    ctx.out.result(fmt::format("{}{} {}", id, is_head(id) ? " (head)" : "", s->message));
  }
  // Rows come in id order: each names, mostly, the script after the last one's.
  const Script* guess = project.graph.first();
  for (const auto& row : rows) {
    const Script* script = project.graph.find(row.revision, guess);
    if (script == nullptr) {
      ctx.out.result(fmt::format("{} (no script with this id)", row.revision));
      continue;
    }
    guess = project.graph.next(script);
    if (row.statements_done)
      ctx.out.result(fmt::format("{} (incomplete: {} statement(s) ran)", row.revision, *row.statements_done));
  }
  return ExitCode::success;
}

ExitCode run_history(Context& ctx) {
  Project& project = load_project(ctx);
  std::string database;
  auto rows = try_applied(ctx, project.config, &database);
  std::map<std::string, const AppliedRevision*> by_id;
  if (rows)
    for (const auto& row : *rows) by_id[row.revision] = &row;
  auto heads = project.graph.heads();
  const auto& scripts = project.graph.scripts();
  if (ctx.json) {
    json out = json::array();
    for (auto it = scripts.rbegin(); it != scripts.rend(); ++it) {
      auto row = by_id.find(it->id);
      json r = {{"revision", it->id},
                {"parents", it->parents},
                {"message", it->message},
                {"path", it->path},
                {"head", std::find(heads.begin(), heads.end(), it->id) != heads.end()},
                {"applied", rows ? json(row != by_id.end()) : json(nullptr)}};
      if (row != by_id.end()) r["applied_at"] = row->second->applied_at;
      out.push_back(r);
    }
    fmt::print("{}\n", out.dump(2));
    return ExitCode::success;
  }
  for (auto it = scripts.rbegin(); it != scripts.rend(); ++it) {
    bool applied = by_id.count(it->id) > 0;
    bool head = std::find(heads.begin(), heads.end(), it->id) != heads.end();
    auto parents = it->parents.empty() ? std::string("<base>") : fmt::format("{}", fmt::join(it->parents, ", "));
    std::string line = fmt::format("{} {} -> {}{}{}, {}", applied ? "*" : " ", parents,
                                   ctx.out.bold(it->id), head ? " (head)" : "",
                                   it->parents.size() > 1 ? " (merge)" : "", it->message);
    ctx.out.result(line);
    if (ctx.out.verbosity == Verbosity::verbose) {
      ctx.out.result(fmt::format("      path: {}", it->path));
      if (applied) ctx.out.result(fmt::format("      applied: {}", by_id[it->id]->applied_at));
    }
  }
  if (rows) ctx.out.detail(fmt::format("* = applied in {}", database));
  return ExitCode::success;
}

ExitCode run_heads(Context& ctx) {
  Project& project = load_project(ctx);
  auto heads = project.graph.heads();
  if (ctx.json) {
    fmt::print("{}\n", json{{"heads", heads}}.dump(2));
    return ExitCode::success;
  }
  for (const auto& id : heads)
    ctx.out.result(fmt::format("{} (head) {}", id, project.graph.find(id)->message));
  return ExitCode::success;
}

ExitCode run_branches(Context& ctx) {
  Project& project = load_project(ctx);
  for (const auto& s : project.graph.scripts()) {
    const auto& children = project.graph.children(s.id);
    if (children.size() > 1)
      ctx.out.result(fmt::format("{} (branchpoint) {} -> {}", s.id, s.message, fmt::join(children, ", ")));
  }
  return ExitCode::success;
}

ExitCode run_show(Context& ctx, const std::string& revision) {
  Project& project = load_project(ctx);
  const Script& s = *project.graph.find(project.graph.resolve_id(revision));
  auto list = [](std::span<const std::string> ids) {
    return ids.empty() ? std::string("<base>") : fmt::format("{}", fmt::join(ids, ", "));
  };
  ctx.out.result(fmt::format("Revision: {}", s.id));
  ctx.out.result(fmt::format("Parent: {}", list(s.parents)));
  ctx.out.result(fmt::format("Children: {}", list(project.graph.children(s.id))));
  ctx.out.result(fmt::format("Path: {}", s.path));
  ctx.out.result(fmt::format("Message: {}", s.message));
  ctx.out.result(fmt::format("Transaction: {}",
                             s.transaction == TransactionMode::none ? "none" : "one per migration"));
  if (s.irreversible) ctx.out.result("Irreversible: yes");
  auto section = [&](const char* name, const Section* sec) {
    if (!sec) return;
    ctx.out.result(fmt::format("\n-- {} (line {})", name, sec->directive_line));
    auto text = sec->sql;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (!text.empty()) ctx.out.result(text);
  };
  section("up", s.up ? &*s.up : nullptr);
  section("up sqlite", s.dialect_section(Direction::up, Dialect::sqlite));
  section("up postgres", s.dialect_section(Direction::up, Dialect::postgres));
  section("down", s.down ? &*s.down : nullptr);
  section("down sqlite", s.dialect_section(Direction::down, Dialect::sqlite));
  section("down postgres", s.dialect_section(Direction::down, Dialect::postgres));
  return ExitCode::success;
}

ExitCode run_stamp(Context& ctx, const MigrateOptions& options) {
  Project& project = load_project(ctx);
  auto ids = plan_stamp(project.graph, options.target);
  auto engine = open_engine(project.config, OpenMode::read_write);
  std::vector<AppliedRevision> rows;
  for (const auto& id : ids) {
    AppliedRevision row;
    row.revision = id;
    row.checksum = project.graph.find(id)->checksum(Direction::up, engine->dialect());
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(),
            [](const AppliedRevision& a, const AppliedRevision& b) { return id_less(a.revision, b.revision); });
  engine->stamp(rows);
  ctx.out.info(fmt::format("Stamped {} at {} (no migration ran)", engine->describe(),
                           describe_state(applied_heads(project.graph, ids))));
  return ExitCode::success;
}

ExitCode run_check(Context& ctx, const CheckOptions& options) {
  Config config = load_configuration(ctx);
  auto dir = shown_path(config.migrations_dir);
  auto checked = check_scripts(dir, user_cache());
  // A record is compared with valid scripts only: a broken graph would make
  // every comparison doubtful.
  if (!options.database || !checked.problems.empty()) return report_check(ctx, dir, checked);
  auto record = check_record(config, checked.graph);
  return report_check(ctx, dir, checked, &record);
}

ExitCode run_embed(Context& ctx, const EmbedOptions& options) {
  auto checked = check_scripts(options.directory);
  if (auto code = report_check(ctx, options.directory, checked); code != ExitCode::success)
    return code;
  write_embedded(options, checked.graph);
  return ExitCode::success;
}

ExitCode run_dump_schema(Context& ctx) {
  Config config = load_configuration(ctx);
  auto engine = open_engine(config, OpenMode::read_only);
  fmt::print("{}", engine->dump_schema());
  return ExitCode::success;
}

}  // namespace retort::cli
