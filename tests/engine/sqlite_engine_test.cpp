#include "engine/sqlite_engine.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "engine/engine_conformance.hpp"
#include "retort/sqlite_process.hpp"
#include "retort/sqlite_schema.hpp"
#include "support/permissions.hpp"
#include "support/temp_dir.hpp"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;

struct SqliteFactory {
  TempDir dir;
  std::string path = (dir.path() / "app.db").string();

  std::unique_ptr<Engine> open(const VersionTable& table, OpenMode mode) {
    return open_sqlite_engine(path, table, mode, 0);
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, EngineConformance, SqliteFactory);

// Whether the SQL expression `condition` holds, asked through a step that
// always fails at its end and so changes nothing.
bool holds(Engine& engine, const std::string& condition) {
  auto sql = fmt::format(
      "CREATE TABLE retort_probe (ok INTEGER CHECK (ok));\n"
      "INSERT INTO retort_probe VALUES (({}));\n"
      "SELECT * FROM retort_probe_end",
      condition);
  try {
    engine.run(up_step("999999", sql));
  } catch (const StatementError& e) {
    return std::string(e.what()) == "no such table: retort_probe_end";
  }
  ADD_FAILURE() << "the probe committed";
  return false;
}

// The exit code of the DiagnosticError that `f` throws.
template <typename F>
std::optional<ExitCode> diagnostic_code(F f, std::string* message = nullptr) {
  try {
    f();
  } catch (const DiagnosticError& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return std::nullopt;
}

class SqliteEngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> open(OpenMode mode = OpenMode::read_write, int lock_timeout_s = 0) {
    return open_sqlite_engine(path, {}, mode, lock_timeout_s);
  }

  // The StatementError of running `sql` up as revision 0001.
  StatementError failure(std::string_view sql,
                         TransactionMode transaction = TransactionMode::per_migration) {
    try {
      open()->run(up_step("0001", sql, transaction));
    } catch (const StatementError& e) {
      return e;
    }
    ADD_FAILURE() << "the step succeeded";
    return StatementError("");
  }

  TempDir dir;
  std::string path = (dir.path() / "app.db").string();
};

TEST_F(SqliteEngineTest, DescribesThePathAsConfigured) {
  EXPECT_EQ(open()->describe(), "sqlite:" + path);
  EXPECT_EQ(open()->dialect(), Dialect::sqlite);
}

TEST_F(SqliteEngineTest, TriggerBodiesStayWhole) {
  auto engine = open();
  EXPECT_TRUE(engine
                  ->run(up_step("0001",
                                "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n"
                                "CREATE TABLE audit (user_id INTEGER, note TEXT);\n"
                                "CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN\n"
                                "  INSERT INTO audit (user_id, note) VALUES (new.id, 'a;b');\n"
                                "  INSERT INTO audit (user_id, note) VALUES (new.id, 'second');\n"
                                "END;\n"
                                "INSERT INTO users (id, email) VALUES (1, 'a@example.com');\n"))
                  .ran);
  EXPECT_TRUE(holds(*engine, "SELECT count(*) FROM audit WHERE user_id = 1"));
  EXPECT_TRUE(holds(*engine, "(SELECT count(*) FROM audit) = 2"));
}

TEST_F(SqliteEngineTest, SyntaxErrorPointsAtTheToken) {
  const std::string sql = "CREATE TABLE a (id INTEGER);\n  SELEC 1;\n";
  auto e = failure(sql);
  EXPECT_EQ(e.offset, sql.find("SELEC"));
  EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
}

TEST_F(SqliteEngineTest, UnknownColumnPointsAtTheName) {
  const std::string sql = "CREATE TABLE a (id INTEGER);\nUPDATE a SET id = nope;\n";
  auto e = failure(sql);
  EXPECT_EQ(e.offset, sql.find("nope"));
}

TEST_F(SqliteEngineTest, ErrorWithoutTokenPointsAtTheStatementStart) {
  // SQLite names no position for an unknown table or an INSERT's unknown column.
  const std::string sql =
      "CREATE TABLE a (id INTEGER);\n\n  INSERT INTO a (id, nope) VALUES (1, 2);\n";
  auto e = failure(sql);
  EXPECT_EQ(e.offset, sql.find("INSERT"));
}

TEST_F(SqliteEngineTest, RuntimeErrorPointsAtTheStatementStart) {
  const std::string sql =
      "CREATE TABLE a (id INTEGER NOT NULL);\n"
      "-- a comment; before the failing statement\n"
      "/* another */ INSERT INTO a VALUES (NULL);\n";
  auto e = failure(sql);
  EXPECT_EQ(e.offset, sql.find("INSERT"));
  EXPECT_NE(std::string(e.what()).find("NOT NULL"), std::string::npos) << e.what();
}

TEST_F(SqliteEngineTest, ForeignKeysAreEnforced) {
  auto e = failure(
      "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
      "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));\n"
      "INSERT INTO child VALUES (42);\n");
  EXPECT_NE(std::string(e.what()).find("FOREIGN KEY"), std::string::npos) << e.what();
}

TEST_F(SqliteEngineTest, ScriptCannotEndTheTransaction) {
  const std::string sql = "CREATE TABLE a (id INTEGER);\nCOMMIT;\nCREATE TABLE b (id INTEGER);\n";
  auto e = failure(sql);
  EXPECT_EQ(e.offset, sql.find("COMMIT"));
  EXPECT_NE(e.hint.find("transaction none"), std::string::npos);
  auto engine = open();
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_FALSE(table_exists(*engine, "a"));
}

TEST_F(SqliteEngineTest, VacuumRunsOnlyWithoutTransaction) {
  auto engine = open();
  EXPECT_THROW(engine->run(up_step("0001", "VACUUM")), StatementError);
  EXPECT_TRUE(engine->run(up_step("0001", "VACUUM", TransactionMode::none)).ran);
  EXPECT_EQ(revisions(engine->applied()), std::vector<std::string>{"0001"});
}

TEST_F(SqliteEngineTest, TransactionNoneFailureTellsHowFarItGot) {
  auto e = failure("CREATE TABLE a (id INTEGER);\nINSERT INTO missing_table VALUES (1);\n",
                   TransactionMode::none);
  EXPECT_EQ(e.detail,
            "1 statement(s) before it completed; the revision is recorded as partly applied");
}

TEST_F(SqliteEngineTest, ReadOnlyNeverCreatesAMissingFile) {
  auto engine = open(OpenMode::read_only);
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_EQ(engine->dump_schema(), "");
  EXPECT_EQ(diagnostic_code([&] { engine->run(up_step("0001", "")); }), ExitCode::internal);
  EXPECT_EQ(diagnostic_code([&] { engine->stamp({}); }), ExitCode::internal);
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(SqliteEngineTest, CreateLaterCreatesAMissingFileAtTheFirstWrite) {
  auto engine = open(OpenMode::read_write_create_later);
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_EQ(engine->dump_schema(), "");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE users (id INTEGER)")).ran);
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(revisions(engine->applied()), std::vector<std::string>{"0001"});

  // On a file that exists, it writes as read_write does.
  auto again = open(OpenMode::read_write_create_later);
  EXPECT_EQ(revisions(again->applied()), std::vector<std::string>{"0001"});
  EXPECT_TRUE(again->run(down_step("0001", "DROP TABLE users")).ran);
  EXPECT_TRUE(again->applied().empty());
}

TEST_F(SqliteEngineTest, CreateLaterGroupCreatesTheFile) {
  auto engine = open(OpenMode::read_write_create_later);
  engine->begin_group();
  EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE users (id INTEGER)")).ran);
  engine->commit_group();
  EXPECT_EQ(revisions(open(OpenMode::read_only)->applied()), std::vector<std::string>{"0001"});
}

TEST_F(SqliteEngineTest, ScratchCreatesTheFileAndCommitsWithoutFsync) {
  auto synchronous = [](Engine& engine) { return engine.select_rows("PRAGMA synchronous").at(0).at(0); };
  auto scratch = open(OpenMode::scratch);
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(synchronous(*scratch), "0");
  EXPECT_TRUE(holds(*scratch, "(SELECT foreign_keys FROM pragma_foreign_keys) = 1"));
  EXPECT_TRUE(scratch->run(up_step("0001", "CREATE TABLE users (id INTEGER)")).ran);
  EXPECT_EQ(revisions(open(OpenMode::read_only)->applied()), std::vector<std::string>{"0001"});
  // Only the scratch connection: a real database keeps SQLite's default.
  EXPECT_NE(synchronous(*open()), "0");
}

// Called before SQLite's first use (here: after a shutdown, with every
// connection closed), it turns the statistics off: SQLite then counts none of
// the memory an engine uses. The test turns them on again for the others.
TEST_F(SqliteEngineTest, WithoutMemoryStatisticsSqliteCountsNoMemory) {
  ASSERT_EQ(sqlite3_shutdown(), SQLITE_OK);
  sqlite_without_memory_statistics();
  {
    auto engine = open();
    EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE users (id INTEGER)")).ran);
    EXPECT_EQ(sqlite3_memory_used(), 0);
  }
  ASSERT_EQ(sqlite3_shutdown(), SQLITE_OK);
  ASSERT_EQ(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1), SQLITE_OK);
  auto engine = open();
  EXPECT_GT(sqlite3_memory_used(), 0);
}

TEST_F(SqliteEngineTest, ReadOnlyNeverCreatesTheVersionTable) {
  dir.write("app.db", "");
  EXPECT_TRUE(open(OpenMode::read_only)->applied().empty());
  EXPECT_EQ(fs::file_size(path), 0u);
}

TEST_F(SqliteEngineTest, ReadOnlyReadsAWriteProtectedFileWithoutWriting) {
  open()->run(up_step("0001", "CREATE TABLE users (id INTEGER)"));
  auto before = dir.read("app.db");
  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  auto engine = open(OpenMode::read_only);
  EXPECT_EQ(revisions(engine->applied()), std::vector<std::string>{"0001"});
  EXPECT_NE(engine->dump_schema().find("users"), std::string::npos);
  EXPECT_EQ(dir.read("app.db"), before);
}

TEST_F(SqliteEngineTest, ReadWriteOnAWriteProtectedFileFailsToOpen) {
  enforce_file_permissions();
  open()->run(up_step("0001", ""));
  fs::permissions(path, fs::perms::owner_read);
  std::string message;
  EXPECT_EQ(diagnostic_code([&] { open(); }, &message), ExitCode::connection);
  EXPECT_NE(message.find("read-only"), std::string::npos) << message;
}

TEST_F(SqliteEngineTest, MissingFolderIsAConnectionError) {
  path = (dir.path() / "missing" / "app.db").string();
  std::string message;
  EXPECT_EQ(diagnostic_code([&] { open(); }, &message), ExitCode::connection);
  EXPECT_NE(message.find("folder"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir.path() / "missing"));
}

TEST_F(SqliteEngineTest, FileThatIsNotADatabaseIsAConnectionError) {
  dir.write("app.db", std::string(4096, 'x'));
  std::string message;
  EXPECT_EQ(diagnostic_code([&] { open(); }, &message), ExitCode::connection);
  EXPECT_EQ(message, fmt::format("cannot open SQLite database '{}': file is not a database", path));
}

TEST_F(SqliteEngineTest, DumpSchemaIsNormalisedAndOrdered) {
  auto engine = open();
  engine->run(up_step("0001",
                      "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER)   \n"
                      "  ;\n"
                      "CREATE TABLE a (id INTEGER PRIMARY KEY,  \n  name TEXT);\n"
                      "CREATE VIEW v AS SELECT id FROM a;\n"
                      "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
                      "  DELETE FROM b;\n"
                      "END;\n"
                      "CREATE INDEX b_a ON b (a_id);\n"
                      "CREATE TABLE c (id TEXT PRIMARY KEY);\n"));
  EXPECT_EQ(engine->dump_schema(),
            "CREATE TABLE a (id INTEGER PRIMARY KEY,\n  name TEXT);\n"
            "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER);\n"
            "CREATE TABLE c (id TEXT PRIMARY KEY);\n"
            "CREATE INDEX b_a ON b (a_id);\n"
            "CREATE VIEW v AS SELECT id FROM a;\n"
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
            "  DELETE FROM b;\n"
            "END;\n");
  // It is made of sqlite_schema's rows, which come in creation order.
  auto rows = sqlite_schema_rows(*engine);
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row.type + ' ' + row.name);
  EXPECT_EQ(names, (std::vector<std::string>{"table b", "table a", "view v", "trigger t", "index b_a", "table c"}));
  EXPECT_EQ(sqlite_schema_dump(rows), engine->dump_schema());
  EXPECT_TRUE(sqlite_schema_is(*engine, rows));
}

TEST_F(SqliteEngineTest, SchemaRowsLeaveOutSqlitesOwnAndTheVersionTable) {
  auto engine = open_sqlite_engine(path, {"public", "Retort_Log"}, OpenMode::read_write, 0);
  engine->run(up_step("0001",
                      "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, u TEXT UNIQUE);\n"
                      "CREATE INDEX log_revision ON retort_log (revision);\n"
                      "ANALYZE;\n"));
  auto rows = sqlite_schema_rows(*engine);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "t");
  EXPECT_EQ(engine->dump_schema(), rows[0].sql + ";\n");
}

TEST_F(SqliteEngineTest, SchemaIsSeesEveryDifference) {
  auto engine = open();
  engine->run(up_step("0001", "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT DEFAULT 'p');\n"
                              "CREATE INDEX a_x ON a (x);\n"));
  const auto rows = sqlite_schema_rows(*engine);
  auto changed = [&](auto change) {
    auto other = rows;
    change(other);
    return !sqlite_schema_is(*engine, other);
  };
  EXPECT_TRUE(changed([](auto& r) { r.pop_back(); }));
  EXPECT_TRUE(changed([](auto& r) { r.push_back(r.back()); }));
  EXPECT_TRUE(changed([](auto& r) { std::swap(r[0], r[1]); }));
  EXPECT_TRUE(changed([](auto& r) { r[0].sql.back() = ' '; }));
  EXPECT_TRUE(changed([](auto& r) { r[1].name = "a_y"; }));
  EXPECT_TRUE(changed([](auto& r) { r[1].type = "view"; }));
  EXPECT_FALSE(changed([](auto&) {}));
}

TEST_F(SqliteEngineTest, ConcurrentMigratorsApplyEachRevisionOnce) {
  constexpr int migrators = 4;
  constexpr int steps = 20;
  std::vector<std::string> sql;
  for (int i = 1; i <= steps; ++i)
    sql.push_back(
        fmt::format("CREATE TABLE t{0} (id INTEGER);\nINSERT INTO t{0} VALUES ({0});", i));
  std::array<std::atomic<int>, steps> runs{};
  std::vector<std::string> errors(migrators);
  std::vector<std::thread> threads;
  for (int m = 0; m < migrators; ++m) {
    threads.emplace_back([&, m] {
      try {
        auto engine = open();
        for (int i = 0; i < steps; ++i)
          if (engine->run(up_step(fmt::format("{:04}", i + 1), sql[i])).ran) ++runs[i];
      } catch (const std::exception& e) {
        errors[m] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int m = 0; m < migrators; ++m) EXPECT_EQ(errors[m], "") << "migrator " << m;
  for (int i = 0; i < steps; ++i) EXPECT_EQ(runs[i], 1) << "revision " << i + 1;
  EXPECT_EQ(open()->applied().size(), static_cast<std::size_t>(steps));
}

TEST_F(SqliteEngineTest, LockHeldTooLongIsALockTimeout) {
  auto holder = open();
  holder->begin_group();  // BEGIN IMMEDIATE: holds the write lock
  auto waiter = open(OpenMode::read_write, 1);
  auto start = std::chrono::steady_clock::now();
  std::string message;
  EXPECT_EQ(diagnostic_code([&] { waiter->run(up_step("0001", "")); }, &message),
            ExitCode::lock_timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("another process"), std::string::npos) << message;
  holder->commit_group();
  EXPECT_TRUE(waiter->run(up_step("0001", "")).ran);
}

TEST_F(SqliteEngineTest, WithoutLockTimeoutWaitsForTheLock) {
  auto holder = open();
  holder->run(up_step("0001", ""));
  holder->begin_group();
  StepOutcome outcome;
  std::string error;
  std::thread waiter([&] {
    try {
      outcome = open()->run(up_step("0002", ""));
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  holder->commit_group();
  waiter.join();
  EXPECT_EQ(error, "");
  EXPECT_TRUE(outcome.ran);
}

}  // namespace
}  // namespace retort::testing
