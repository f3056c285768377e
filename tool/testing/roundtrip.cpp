#include "roundtrip.hpp"

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "catalog_watch.hpp"
#include "kept_rows.hpp"
#include "line_diff.hpp"
#include "retort/migrations.hpp"
#include "retort/scratch_database.hpp"
#include "retort/sqlite_schema.hpp"

namespace retort::testing {

namespace {

class SilentReporter final : public Reporter {
 public:
  void step_done(const Step&, const StepOutcome&) override {}
};

// A scratch database with an engine on it, for one check of `graph`.
class Session {
 public:
  // `seed` and `take_seed` as ScratchDatabase takes them.
  Session(const RevisionGraph& graph, const CheckTarget& target, std::string_view label,
          const std::string& seed = {}, bool take_seed = false)
      : graph_(graph), version_table_(target.version_table),
        database_(target.engine, target.server_url, label, seed, take_seed) {
    open();
  }

  // Runs `steps` as `retort upgrade`/`downgrade` would, each in its transaction.
  void run(const std::vector<Step>& steps) {
    SilentReporter silent;
    run_steps(*engine_, steps, silent, RunOptions{});
  }

  // Runs one step in a transaction that is committed only if `accept`, asked
  // before the commit, says yes; otherwise rolled back. Returns `accept`'s answer.
  bool run_if(const Step& step, const std::function<bool()>& accept) {
    engine_->begin_group();
    run({step});
    if (accept()) {
      engine_->commit_group();
      return true;
    }
    open();  // closing the connection rolls the transaction back
    return false;
  }

  // Plans and runs a migration to `target`.
  void migrate(Direction direction, std::string_view target) {
    run(plan_migration(graph_, *engine_, direction, target));
  }

  std::string dump() { return engine_->dump_schema(); }

  Engine& engine() { return *engine_; }

  // SQLite: the database file.
  const std::string& sqlite_file() const { return database_.config().sqlite_path; }

  // Upgrades to `revision`'s parents from the revisions `applied`, which
  // the caller has read and verified.
  void upgrade_to_parents(const Script& revision, std::set<std::string> applied) {
    for (const auto& parent : revision.parents) {
      auto steps = plan_upgrade(graph_, applied, parent);
      run(steps);
      for (const auto& step : steps) applied.insert(step.script->id);
    }
  }

  // Closes the connection and keeps the database as `name` (ScratchDatabase::keep_as).
  void keep_as(const std::string& name) {
    engine_.reset();
    database_.keep_as(name);
  }

 private:
  void open() {
    engine_.reset();
    Config config = database_.config();
    config.version_table = version_table_;
    engine_ = open_engine(config, OpenMode::scratch);
  }

  const RevisionGraph& graph_;
  VersionTable version_table_;
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

// The databases check_revision keeps in CheckTarget::cache_dir: for each
// revision, a file "<engine>-<id>" there (SQLite: the database itself;
// PostgreSQL: a marker for the database kept_name(id) on the server). At most
// `limit` per engine, the oldest removed: enough for CTest's parallel jobs,
// which run the revisions roughly in id order.
// A check takes (renames) the database it starts from, because a copy costs
// time in proportion to the schema (CREATE DATABASE ... TEMPLATE; the
// SQLite file), and keeps it again when it passes. Meanwhile
// "<engine>-<id>.busy" (holding the pid) tells the checks of descendants to
// wait for it rather than replay from an empty database. A kept SQLite
// database comes with its sqlite_schema rows, "<engine>-<id>.rows"
// (kept_rows.hpp), and a PostgreSQL one may come with its dump,
// "<engine>-<id>.schema".
class KeptDatabases {
 public:
  KeptDatabases(const RevisionGraph& graph, const CheckTarget& target) : graph_(graph), target_(target) {
    if (target_.cache_dir.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(target_.cache_dir, ec);
    enabled_ = !ec;
    // Names the kept PostgreSQL databases apart from other builds' on a shared server.
    auto key = std::filesystem::absolute(target_.cache_dir, ec).string() + '\n' +
               target_.version_table.schema + '.' + target_.version_table.name;
    key_ = static_cast<std::uint32_t>(std::hash<std::string>{}(key));
  }

  bool enabled() const { return enabled_; }

  // The nearest ancestor of `revision` along first parents that has a kept
  // database; waits while a nearer one is being checked by another process.
  std::optional<std::string> nearest(const RevisionGraph& graph, const Script& revision) const {
    if (!enabled_) return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    const Script* script = &revision;
    while (!script->parents.empty()) {
      const auto& parent = script->parents.front();
      std::error_code ec;
      if (std::filesystem::exists(marker(parent), ec)) return parent;
      if (being_checked(parent) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        script = &revision;
        continue;
      }
      script = graph.find(parent);
      if (script == nullptr) break;
    }
    return std::nullopt;
  }

  // Records that this check took the kept database of `id`.
  void took(const std::string& id) {
    taken_ = id;
    forget(id);
  }

  // Forgets the kept database of `id`: this check took it, or it is gone.
  void forget(const std::string& id) const {
    std::error_code ec;
    // A SQLite marker is the database: taking it moved it away. Its rows go
    // with it, or they would pile up, one file per revision checked.
    std::filesystem::remove(target_.engine == Dialect::sqlite ? rows_file(id) : marker(id), ec);
  }

  // Marks `id` as being checked by this process until the result goes away.
  std::shared_ptr<void> checking(const std::string& id) const {
    if (!enabled_) return nullptr;
    std::ofstream(busy_file(id)) << ::getpid() << '\n';
    return std::shared_ptr<void>(nullptr, [path = busy_file(id)](void*) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    });
  }

  // What ScratchDatabase takes as seed and keep_as name for `id`.
  std::string name(const std::string& id) const {
    if (target_.engine == Dialect::sqlite) return marker(id).string();
    return fmt::format("retort_kept_{:08x}_{}", key_, id);
  }

  // Keeps `session`'s database for `id`, with its dump `schema` or its
  // sqlite_schema `rows` when there are (which saves the next check that
  // starts from it reading them again); a failure only costs the next check
  // time. Putting back the database this check took keeps as many as before.
  void keep(Session& session, const std::string& id, const std::optional<std::string>& schema,
            const std::vector<SqliteSchemaRow>* rows = nullptr) {
    if (!enabled_) return;
    try {
      std::error_code ec;
      std::filesystem::remove(schema_file(id), ec);
      std::filesystem::remove(rows_file(id), ec);
      session.keep_as(name(id));
      if (target_.engine != Dialect::sqlite) std::ofstream(marker(id)).put('\n');
      if (rows) write_kept_rows(rows_file(id), marker(id), versions_digest(id), *rows);
      if (schema) {
        auto temporary = schema_file(id).string() + ".tmp";
        {
          std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
          out << *schema;
        }
        std::filesystem::rename(temporary, schema_file(id), ec);
      }
      if (id != taken_) prune();
    } catch (const DiagnosticError&) {
    }
  }

  // What was kept with `id`'s database (its sqlite_schema rows only if
  // `with_rows`), if `database` is that database (taken), unchanged since,
  // and its version table what the scripts produce: the version table then
  // needs no other check.
  std::optional<KeptRows> proven(const std::string& id, const std::filesystem::path& database,
                                 bool with_rows) const {
    auto kept = read_kept_rows(rows_file(id), database, with_rows);
    if (!kept || kept->versions != versions_digest(id)) return std::nullopt;
    return kept;
  }

  // The dump kept with `id`'s database, if any.
  std::optional<std::string> schema(const std::string& id) const {
    std::ifstream in(schema_file(id), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  static constexpr std::size_t limit = 8;

  std::filesystem::path marker(const std::string& id) const {
    return target_.cache_dir / fmt::format("{}-{}", dialect_name(target_.engine), id);
  }

  std::filesystem::path schema_file(const std::string& id) const {
    return target_.cache_dir / fmt::format("{}-{}.schema", dialect_name(target_.engine), id);
  }

  // A digest of the version table that the database kept for `id` holds when
  // it is what the scripts produce: `id`'s ancestry in id order, each
  // revision with its up checksum (FNV-1a). A check keeps a database only
  // with that table: it verified the one it took, and its steps wrote the
  // scripts' checksums. Remembered for the last `id`: a check that takes a
  // parent's database usually keeps it again.
  std::uint64_t versions_digest(const std::string& id) const {
    if (last_digest_ && last_digest_->first == id) return last_digest_->second;
    const auto& scripts = graph_.scripts();
    std::vector<char> in_ancestry(scripts.size());
    std::vector<const Script*> pending{graph_.find(id)};
    while (!pending.empty()) {
      const Script* script = pending.back();
      pending.pop_back();
      if (script == nullptr || in_ancestry[static_cast<std::size_t>(script - scripts.data())]) continue;
      in_ancestry[static_cast<std::size_t>(script - scripts.data())] = 1;
      for (const auto& parent : script->parents) pending.push_back(graph_.find(parent));
    }
    std::uint64_t digest = 14695981039346656037u;
    auto add = [&](std::string_view text) {
      for (char c : text) digest = (digest ^ static_cast<unsigned char>(c)) * 1099511628211u;
      digest = (digest ^ 0x100) * 1099511628211u;  // ends the field: no two lists hash alike by shifting bytes
    };
    for (std::size_t i = 0; i < scripts.size(); ++i) {
      if (!in_ancestry[i]) continue;
      add(scripts[i].id);
      add(scripts[i].checksum(Direction::up, target_.engine));
    }
    last_digest_.emplace(id, digest);
    return digest;
  }

  std::filesystem::path rows_file(const std::string& id) const {
    return target_.cache_dir / fmt::format("{}-{}.rows", dialect_name(target_.engine), id);
  }

  std::filesystem::path busy_file(const std::string& id) const {
    return target_.cache_dir / fmt::format("{}-{}.busy", dialect_name(target_.engine), id);
  }

  // True while another live process checks `id` (its database is taken).
  bool being_checked(const std::string& id) const {
    if (!enabled_) return false;
    std::ifstream in(busy_file(id));
    pid_t pid = 0;
    if (!(in >> pid) || pid == ::getpid()) return false;
    return ::kill(pid, 0) == 0 || errno == EPERM;
  }

  void prune() {
    namespace fs = std::filesystem;
    std::vector<std::pair<fs::file_time_type, fs::path>> kept;
    const auto prefix = fmt::format("{}-", dialect_name(target_.engine));
    std::error_code ec;
    for (fs::directory_iterator it(target_.cache_dir, ec), end; !ec && it != end; it.increment(ec)) {
      auto file = it->path().filename().string();
      if (!file.starts_with(prefix) || file.ends_with(".tmp") || file.ends_with(".schema") ||
          file.ends_with(".rows") || file.ends_with(".busy"))
        continue;
      std::error_code time_error;
      auto time = it->last_write_time(time_error);
      if (!time_error) kept.emplace_back(time, it->path());
    }
    if (kept.size() <= limit) return;
    std::sort(kept.begin(), kept.end());
    for (std::size_t i = 0; i + limit < kept.size(); ++i) {
      auto id = kept[i].second.filename().string().substr(prefix.size());
      fs::remove(kept[i].second, ec);
      fs::remove(schema_file(id), ec);
      fs::remove(rows_file(id), ec);
      if (target_.engine != Dialect::sqlite) {
        try {
          ScratchDatabase::discard(target_.engine, target_.server_url, name(id));
        } catch (const DiagnosticError&) {
        }
      }
    }
  }

  const RevisionGraph& graph_;
  const CheckTarget& target_;
  bool enabled_ = false;
  std::uint32_t key_ = 0;
  std::optional<std::string> taken_;  // see took()
  mutable std::optional<std::pair<std::string, std::uint64_t>> last_digest_;  // see versions_digest()
};

// A session at `revision`'s parents: from the nearest kept ancestor when it
// is still what the scripts produce, else from an empty database.
// `*from` is set to the kept ancestor the session started from. With
// `parent_rows`, a SQLite session takes what was kept with the ancestor's
// database (KeptDatabases::proven) for its version table, and, when the
// ancestor is the revision's only parent, sets `*parent_rows` to its rows.
std::unique_ptr<Session> session_at_parents(
    const RevisionGraph& graph, const Script& revision, const CheckTarget& target,
    KeptDatabases& kept, std::optional<std::string>* from,
    std::optional<std::vector<SqliteSchemaRow>>* parent_rows = nullptr) {
  while (auto ancestor = kept.nearest(graph, revision)) {
    try {
      auto session = std::make_unique<Session>(graph, target, revision.id, kept.name(*ancestor), true);
      // At the revision's only parent already when that is the ancestor.
      const bool at_parent = revision.parents == std::vector<std::string>{*ancestor};
      auto proven = parent_rows ? kept.proven(*ancestor, session->sqlite_file(), at_parent) : std::nullopt;
      kept.took(*ancestor);
      if (proven) {
        if (at_parent)
          *parent_rows = std::move(proven->rows);
        else
          session->upgrade_to_parents(revision, graph.ancestors_inclusive(*ancestor));
        *from = ancestor;
        return session;
      }
      // The version table must hold exactly the ancestor's ancestry (a
      // changed parent line makes it stale), with the scripts' checksums
      // (verify_applied fails on an edited script). Its revisions are unique
      // (the primary key), so the same count, each one in the ancestry, is
      // the same set.
      auto rows = session->engine().applied();
      auto ancestry = graph.ancestors_inclusive(*ancestor);
      if (rows.size() != ancestry.size() ||
          !std::all_of(rows.begin(), rows.end(),
                       [&](const AppliedRevision& row) { return ancestry.contains(row.revision); }))
        break;
      verify_applied(graph, rows, target.engine);
      if (!at_parent) session->upgrade_to_parents(revision, std::move(ancestry));
      *from = ancestor;
      return session;
    } catch (const DiagnosticError&) {
      // Gone (another check took it first), or stale.
      kept.forget(*ancestor);
    }
  }
  auto session = std::make_unique<Session>(graph, target, revision.id);
  session->upgrade_to_parents(revision, {});
  return session;
}

// Up, down, up on `session` at the revision's parents, whose state is
// `before`: after the downgrade the state must be `before` again, after the
// second upgrade the first upgrade's. `take()` reads the state, and
// `expect(expected, expected_name, actual_name, what)` throws CheckFailure
// when the current one differs from `expected`. Returns the state after the
// upgrade.
template <class State, class Take, class Expect>
State up_down_up(Session& session, const Script& revision, const CheckTarget& target,
                 const State& before, Take take, Expect expect) {
  const auto parents = revision.parents.empty() ? std::string("base")
                                                : fmt::format("{}", fmt::join(revision.parents, "+"));
  session.run({Step{&revision, Direction::up}});
  const State after = take();
  session.run({Step{&revision, Direction::down}});
  expect(before, fmt::format("schema at {} (before upgrading)", parents),
         fmt::format("schema after downgrading {}", revision.id),
         fmt::format("downgrading {} ({}) does not restore the schema of {}:", revision.id,
                     revision.path, parents));
  session.run({Step{&revision, Direction::up}});
  expect(after, fmt::format("schema after the first upgrade to {}", revision.id),
         fmt::format("schema after upgrading {} again", revision.id),
         fmt::format("upgrading {} ({}) again, after its downgrade, gives another schema than "
                     "the first upgrade:",
                     revision.id, revision.path));
  fmt::print("{}: up, down, up on {}: the schemas match\n", revision.id, dialect_name(target.engine));
  return after;
}

// The round trip compared through pg_dump, on `session` at the revision's
// parents; A from the kept parent's dump when the session started from the
// parent's kept database (`from`).
void check_by_dumps(Session& session, const Script& revision, const CheckTarget& target,
                    KeptDatabases& kept, const std::optional<std::string>& from) {
  std::optional<std::string> kept_schema;
  if (from && revision.parents.size() == 1 && *from == revision.parents.front())
    kept_schema = kept.schema(*from);
  const auto before = kept_schema ? *kept_schema : session.dump();
  auto expect = [&](const std::string& expected, std::string_view expected_name,
                    std::string_view actual_name, std::string_view what) {
    expect_same(expected, session.dump(), expected_name, actual_name, what);
  };
  auto after = up_down_up(session, revision, target, before, [&] { return session.dump(); }, expect);
  kept.keep(session, revision.id, after);
}

// The sqlite_schema rows of the parents' state and of the revision's, as a
// SQLite check proved them, to keep with the database (KeptDatabases::keep).
struct ProvenRows {
  const std::vector<SqliteSchemaRow>* parent = nullptr;
  const std::vector<SqliteSchemaRow>* revision = nullptr;
};

// Keeps the database of a revision that passed, at its parent's state when
// the downgrade, run once more, gets there as `back_at_parent` (asked before
// the commit) proves: the checks of the revision's children then replay it
// (one step), and a check of the revision again starts from its parent's
// database. Otherwise (a merge; a `transaction none` revision, whose
// downgrade cannot be undone) kept at the revision's state.
void keep_at_parent_or_revision(Session& session, const Script& revision, KeptDatabases& kept,
                                const std::function<bool()>& back_at_parent, ProvenRows rows = {}) {
  if (kept.enabled() && revision.parents.size() == 1 &&
      revision.transaction != TransactionMode::none &&
      session.run_if(Step{&revision, Direction::down}, back_at_parent))
    kept.keep(session, revision.parents.front(), std::nullopt, rows.parent);
  else
    kept.keep(session, revision.id, std::nullopt, rows.revision);
}

// The dumps of the schema whose sqlite_schema rows are `expected` and of
// `engine`'s, when they differ. The same rows show the same schema; other
// rows may still dump the same (sqlite_schema_rows), so then the dumps decide.
std::optional<std::pair<std::string, std::string>> different_dumps(
    Engine& engine, const std::vector<SqliteSchemaRow>& expected) {
  if (sqlite_schema_is(engine, expected)) return std::nullopt;
  auto dumps = std::pair(sqlite_schema_dump(expected), sqlite_schema_dump(sqlite_schema_rows(engine)));
  if (dumps.first == dumps.second) return std::nullopt;
  return dumps;
}

// The round trip on SQLite, compared through sqlite_schema's rows: a dump is
// built only when the rows differ, to decide and to show the difference, so
// that a passing check reads the schema rather than sorting and printing it
// four times (docs/cmake.md, "The comparison on SQLite"). The rows of the
// parents' state are `parent_rows` when they came with the parent's kept
// database; they are read otherwise.
void check_by_schema_rows(Session& session, const Script& revision, const CheckTarget& target,
                          KeptDatabases& kept, std::optional<std::vector<SqliteSchemaRow>> parent_rows) {
  auto expect = [&](const std::vector<SqliteSchemaRow>& expected, std::string_view expected_name,
                    std::string_view actual_name, std::string_view what) {
    if (auto dumps = different_dumps(session.engine(), expected))
      expect_same(dumps->first, dumps->second, expected_name, actual_name, what);
  };
  auto rows = [&] { return sqlite_schema_rows(session.engine()); };
  const auto before = parent_rows ? std::move(*parent_rows) : rows();
  const auto after = up_down_up(session, revision, target, before, rows, expect);
  // The downgrade that gives the parent's state back runs the down section
  // that the check ran, on a schema whose rows the check has just proven to
  // be the ones it ran on then: it gives the rows it gave then, `before`, and
  // no scan is needed to say so.
  keep_at_parent_or_revision(session, revision, kept, [] { return true; }, {&before, &after});
}

// What check_by_catalogs leaves to the dumps.
enum class Proof {
  done,        // proven, and the database kept
  at_parents,  // not proven; `session` is at the parents' state (catalogs exactly as at the start)
  lost,        // not proven; the parents' state is lost: start again from another database
};

// The round trip on PostgreSQL proven from the catalogs, without pg_dump
// (CatalogWatch, docs/cmake.md "The fast path"). The upgrades run in a
// transaction that is rolled back, rather than committed, when the catalogs
// cannot prove the step, so that the dumps can start from the parents' state.
// `*why_not` says why it was not proven.
Proof check_by_catalogs(Session& session, const Script& revision, const CheckTarget& target,
                        KeptDatabases& kept, std::string* why_not) {
  const Step up{&revision, Direction::up}, down{&revision, Direction::down};
  if (revision.transaction == TransactionMode::none) {
    *why_not = "it runs without a transaction, so a step cannot be undone";
    return Proof::at_parents;
  }
  // At base the first upgrade would create the version table, which no
  // downgrade removes: create it now, so that it belongs to the start state.
  if (revision.parents.empty()) session.engine().stamp({});
  auto watch = CatalogWatch::start(session.engine());
  if (!watch) {
    *why_not = "the server is older than PostgreSQL 13, the user cannot read every catalog, or a "
               "transaction that was running may still change the parents' state";
    return Proof::at_parents;
  }
  std::optional<std::vector<std::string>> first;
  if (!session.run_if(up, [&] { return (first = watch->changes(session.engine())).has_value(); })) {
    *why_not = "the upgrade changes rows of the parents' state, or ids that cannot be compared";
    return Proof::at_parents;
  }
  session.run({down});
  if (!watch->unchanged(session.engine())) {
    *why_not = "the downgrade does not leave the catalogs exactly as they were";
    return Proof::lost;
  }
  if (!session.run_if(up, [&] { return watch->changes(session.engine()) == first; })) {
    *why_not = "the second upgrade does not change the catalogs as the first did";
    return Proof::at_parents;
  }
  fmt::print("{}: up, down, up on {}: the catalogs match, so the schemas match (fast path, no "
             "pg_dump)\n",
             revision.id, dialect_name(target.engine));
  keep_at_parent_or_revision(session, revision, kept,
                             [&] { return watch->unchanged(session.engine()); });
  return Proof::done;
}

}  // namespace

void check_revision(const RevisionGraph& graph, const Script& revision, const CheckTarget& target) {
  KeptDatabases kept(graph, target);
  auto checking = kept.checking(revision.id);
  std::optional<std::string> from;
  std::optional<std::vector<SqliteSchemaRow>> parent_rows;
  auto session = session_at_parents(graph, revision, target, kept, &from,
                                    target.engine == Dialect::sqlite ? &parent_rows : nullptr);
  if (revision.irreversible) {
    session->run({Step{&revision, Direction::up}});
    fmt::print("{}: irreversible, so only the upgrade ran\n", revision.id);
    kept.keep(*session, revision.id, std::nullopt);
    return;
  }
  if (target.engine == Dialect::sqlite)
    return check_by_schema_rows(*session, revision, target, kept, std::move(parent_rows));
  std::string why_not;
  auto proof = check_by_catalogs(*session, revision, target, kept, &why_not);
  if (proof == Proof::done) return;
  fmt::print("{}: the catalogs cannot prove the round trip ({}); comparing pg_dump output\n",
             revision.id, why_not);
  if (proof == Proof::lost) {
    session.reset();
    from.reset();
    session = session_at_parents(graph, revision, target, kept, &from);
  }
  check_by_dumps(*session, revision, target, kept, from);
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
