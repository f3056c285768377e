// Faults and concurrency on SQLite with real retort processes: a process
// killed (SIGKILL) in the middle of a migration, eight processes upgrading one
// file at once, a waiter that gives up after --lock-timeout, and broken
// scripts reported without waiting for the lock.
// docs/reliability.md states what these tests hold Retort to.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>

#include "support/logged_migrations.hpp"
#include "support/project_dir.hpp"
#include "support/run_process.hpp"

namespace fs = std::filesystem;
using namespace retort::testing;

namespace {

// Fills t0002 with `rows` numbers: with a billion, the step runs for minutes,
// long enough to be killed in the middle.
std::string counting(long rows) {
  return "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < " +
         std::to_string(rows) + ") INSERT INTO t0002 SELECT n FROM c;\n";
}

constexpr long endless = 1'000'000'000;

// The journal modes a database can be in; the crash recovery differs.
enum class Journal { rollback, wal };

// A connection of the test's own to the database file.
using Connection = std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)>;

Connection connect(const fs::path& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Connection connection(db, &sqlite3_close_v2);
  if (rc != SQLITE_OK) ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errstr(rc);
  return connection;
}

// Runs `sql` on `db`; its SQLite result code.
int exec(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
}

// The first column of the first row of `sql` as text; "" when no row.
std::string value(const fs::path& path, const std::string& sql) {
  auto db = connect(path);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db.get());
    return "";
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
  if (sqlite3_step(raw) != SQLITE_ROW) return "";
  auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
  return text == nullptr ? "<null>" : text;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SqliteReliability : public ::testing::TestWithParam<Journal>, protected ProjectDir {
 protected:
  void SetUp() override {
    dir.write(".env", "DB_ENGINE=sqlite\nSQLITE_PATH=app.db\n");
    dir.write("migrations/0001_log.sql", create_log);
    dir.write("migrations/0002_numbers.sql", logged("0002", "0001", counting(100)));
    dir.write("migrations/0003_three.sql", logged("0003", "0002", ""));
    dir.write("migrations/0004_four.sql", logged("0004", "0003", ""));
    dir.write("migrations/0005_five.sql", logged("0005", "0004", ""));
    if (GetParam() == Journal::wal)
      ASSERT_EQ(exec(connect(database()).get(), "PRAGMA journal_mode = WAL"), SQLITE_OK);
  }

  fs::path database() const { return dir.path() / "app.db"; }

  // The journal SQLite writes a transaction's changes to before it commits.
  fs::path journal() const {
    return database().string() + (GetParam() == Journal::wal ? "-wal" : "-journal");
  }

  // How often each revision wrote its log row, e.g. "0001:1 0002:1".
  std::string log_counts() {
    return value(database(), log_counts_sql("group_concat(revision || ':' || n, ' ')"));
  }
};

using Ids = std::vector<std::string>;

TEST_P(SqliteReliability, KillDuringAMigrationRollsItBackAndLeavesNoLock) {
  ASSERT_EQ(retort({"upgrade", "0001"}).exit_code, 0);
  dir.write("migrations/0002_numbers.sql", logged("0002", "0001", counting(endless)));
  auto running = start({"upgrade", "head"});
  // Changes in the journal: the step's transaction is writing.
  ASSERT_TRUE(eventually([&] {
    std::error_code ec;
    auto size = fs::file_size(journal(), ec);
    return !running.running() || (!ec && size > 0);
  }));
  ASSERT_TRUE(running.running()) << running.wait().err;

  // A second process gives up after --lock-timeout and changes nothing.
  auto waiter = retort({"upgrade", "head", "--lock-timeout", "1"});
  EXPECT_EQ(waiter.exit_code, 7) << waiter.err;
  EXPECT_TRUE(has(waiter.err, "is locked: another process holds the lock (waited 1 s)")) << waiter.err;
  EXPECT_TRUE(has(waiter.err, "note: another migration")) << waiter.err;

  running.kill();
  EXPECT_EQ(running.wait().exit_code, 137);

  // Readers see the last committed state at once: the killed step left
  // nothing behind, and its hot journal does not stop a read-only command.
  EXPECT_EQ(applied(), (Ids{"0001"}));
  auto history = retort({"history"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_TRUE(history.err.empty()) << history.err;
  EXPECT_EQ(value(database(), "SELECT count(*) FROM sqlite_schema WHERE name = 't0002'"), "0");
  EXPECT_EQ(log_counts(), "0001:1");

  // No lock is left: the next run completes (a leftover lock would make it
  // exit 7 after a second).
  dir.write("migrations/0002_numbers.sql", logged("0002", "0001", counting(100)));
  auto rerun = retort({"upgrade", "head", "--lock-timeout", "1"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004", "0005"}));
  EXPECT_EQ(log_counts(), "0001:1 0002:1 0003:1 0004:1 0005:1");
  EXPECT_EQ(value(database(), "SELECT count(*) FROM t0002"), "100");
}

TEST_P(SqliteReliability, EightProcessesUpgradingAtOnceApplyEachRevisionOnce) {
  std::vector<Process> processes;
  for (int i = 0; i < 8; ++i) processes.push_back(start({"upgrade", "head"}));
  int did_work = 0;
  for (auto& process : processes) {
    auto result = process.wait();
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_FALSE(has(result.err, "locked")) << result.err;
    if (ran_itself(result, "0005")) ++did_work;
  }
  // Exactly one process ran the last revision; the others found it done.
  EXPECT_EQ(did_work, 1);
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004", "0005"}));
  EXPECT_EQ(log_counts(), "0001:1 0002:1 0003:1 0004:1 0005:1");
}

TEST_P(SqliteReliability, LockTimeoutGivesUpAndTouchesNothing) {
  // An application's write transaction holds the lock.
  auto holder = connect(database());
  ASSERT_EQ(exec(holder.get(), "BEGIN IMMEDIATE"), SQLITE_OK);
  auto waiter = retort({"upgrade", "head", "--lock-timeout", "1"});
  EXPECT_EQ(waiter.exit_code, 7) << waiter.err;
  EXPECT_TRUE(has(waiter.err, "retort: error: SQLite database '")) << waiter.err;
  EXPECT_TRUE(has(waiter.err, "is locked: another process holds the lock (waited 1 s)"))
      << waiter.err;
  ASSERT_EQ(exec(holder.get(), "ROLLBACK"), SQLITE_OK);
  // Not even the version table was created.
  EXPECT_EQ(value(database(), "SELECT count(*) FROM sqlite_schema"), "0");
}

TEST_P(SqliteReliability, BrokenScriptsAreReportedWithoutWaitingForTheLock) {
  ASSERT_EQ(retort({"upgrade", "0001"}).exit_code, 0);
  dir.write("migrations/0006_bad.sql", "-- retort:parent 0005\n-- retort:frobnicate\n");
  // With a rollback journal an exclusive transaction keeps every reader
  // waiting, and without --lock-timeout a reader waits as long as it lasts;
  // in WAL mode readers never wait, and the outcome must be the same.
  auto holder = connect(database());
  ASSERT_EQ(exec(holder.get(), "BEGIN EXCLUSIVE"), SQLITE_OK);
  for (const char* command : {"upgrade", "current"}) {
    auto running = start({command});
    const bool ended = eventually([&] { return !running.running(); });
    if (!ended) running.kill();
    auto result = running.wait();
    EXPECT_TRUE(ended) << command << " waited for the lock";
    EXPECT_EQ(result.exit_code, 3) << command << result.err;
    EXPECT_TRUE(has(result.err, "migrations/0006_bad.sql:2:")) << command << result.err;
    EXPECT_FALSE(has(result.err, "locked")) << command << result.err;
  }
  ASSERT_EQ(exec(holder.get(), "ROLLBACK"), SQLITE_OK);
}

INSTANTIATE_TEST_SUITE_P(Journals, SqliteReliability,
                         ::testing::Values(Journal::rollback, Journal::wal),
                         [](const auto& info) {
                           return info.param == Journal::wal ? "Wal" : "RollbackJournal";
                         });

}  // namespace
