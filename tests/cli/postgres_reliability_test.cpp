// Faults and concurrency on PostgreSQL with real retort processes: a process
// killed (SIGKILL) in the middle of a migration, with and without a
// transaction; the server stopped under a running migration and started
// again; eight processes upgrading one database at once, directly and through
// a transaction-pooling PgBouncer; a waiter that gives up after
// --lock-timeout. docs/reliability.md states what these tests hold Retort to.
#include <signal.h>

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "support/logged_migrations.hpp"
#include "support/pg_server.hpp"
#include "support/project_dir.hpp"
#include "support/run_process.hpp"

using namespace retort::testing;

namespace {

// A statement that runs long enough to be killed in the middle of.
constexpr const char* pause = "SELECT pg_sleep(60);\n";

// Revision 0004 builds its index concurrently, so it runs without a transaction.
constexpr const char* concurrent_index = "CREATE INDEX CONCURRENTLY t0004_n ON t0004 (n);\n";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The number of sessions of the database at `url` sleeping in the pause. By
// wait event, not query text: a script reaches the server as one query with
// Retort's own statements.
std::string pausing(const std::string& url) {
  return pg_value(url,
                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                  "AND wait_event = 'PgSleep'");
}

// How often each revision wrote its log row, e.g. "0001:1 0002:1".
std::string log_counts(const std::string& url) {
  return pg_value(url, log_counts_sql("string_agg(revision || ':' || n, ' ' ORDER BY revision)"));
}

using Ids = std::vector<std::string>;

// A project folder whose .env points at `url`, with revisions 0001 to `last`
// (0004 without a transaction).
class Project : public ProjectDir {
 public:
  Project(const std::string& url, int last) {
    dir.write(".env", "DB_ENGINE=postgres\nDATABASE_URL=\"" + url + "\"\n");
    dir.write("migrations/0001_log.sql", create_log);
    for (int n = 2; n <= last; ++n) write(n, "");
  }

  // Writes revision 000`n` with `extra` SQL after its log row.
  void write(int n, const std::string& extra) {
    std::string id = "000" + std::to_string(n);
    std::string parent = "000" + std::to_string(n - 1);
    if (n == 4)
      dir.write("migrations/0004_index.sql",
                logged(id, parent, extra + concurrent_index, Mode::no_transaction));
    else
      dir.write("migrations/" + id + "_table.sql", logged(id, parent, extra));
  }
};

class PostgresReliability : public ::testing::Test {
 protected:
  void SetUp() override {
    RETORT_NEED_POSTGRES(base_url);
    db = std::make_unique<TestDatabase>(base_url, "reliability");
    project.emplace(db->url(), 5);
  }

  std::unique_ptr<TestDatabase> db;
  std::optional<Project> project;
};

TEST_F(PostgresReliability, KillDuringAMigrationRollsItBackAndLeavesNoLock) {
  ASSERT_EQ(project->retort({"upgrade", "0001"}).exit_code, 0);
  project->write(2, pause);
  auto running = project->start({"upgrade", "head"});
  ASSERT_TRUE(eventually([&] { return !running.running() || pausing(db->url()) == "1"; }));
  ASSERT_TRUE(running.running()) << running.wait().err;

  // A second process gives up after --lock-timeout and changes nothing.
  auto waiter = project->retort({"upgrade", "head", "--lock-timeout", "1"});
  EXPECT_EQ(waiter.exit_code, 7) << waiter.err;
  EXPECT_TRUE(has(waiter.err, "retort: error: another process held the migration lock of "
                              "\"public\".\"retort_version\" on postgresql://"))
      << waiter.err;
  EXPECT_TRUE(has(waiter.err, "for more than 1 s")) << waiter.err;

  running.kill();
  EXPECT_EQ(running.wait().exit_code, 137);
  EXPECT_EQ(project->applied(), (Ids{"0001"}));

  // The server notices that the client is gone, cancels the pause and
  // releases the lock: the next run gets it long before --lock-timeout.
  project->write(2, "");
  auto rerun = project->retort({"upgrade", "head", "--lock-timeout", "20"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(project->applied(), (Ids{"0001", "0002", "0003", "0004", "0005"}));
  EXPECT_EQ(log_counts(db->url()), "0001:1 0002:1 0003:1 0004:1 0005:1");
  EXPECT_EQ(pausing(db->url()), "0");
}

TEST_F(PostgresReliability, KillDuringAScriptWithoutTransactionIsRefusedUntilStamped) {
  ASSERT_EQ(project->retort({"upgrade", "0003"}).exit_code, 0);
  project->write(4, pause);
  auto running = project->start({"upgrade", "head"});
  ASSERT_TRUE(eventually([&] { return !running.running() || pausing(db->url()) == "1"; }));
  ASSERT_TRUE(running.running()) << running.wait().err;
  running.kill();
  EXPECT_EQ(running.wait().exit_code, 137);

  // The record says how far the script got: CREATE TABLE and INSERT, not the pause.
  EXPECT_EQ(pg_value(db->url(), "SELECT statements_done FROM retort_version WHERE revision = '0004'"),
            "2");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto refused = project->retort({"upgrade", "head", "--lock-timeout", "20"});
    EXPECT_EQ(refused.exit_code, 6) << refused.err;
    EXPECT_TRUE(has(refused.err, "migrations/0004_index.sql: error: revision 0004 stopped part "
                                 "way: it runs without a transaction, and only its first 2 "
                                 "statement(s) completed"))
        << refused.err;
    EXPECT_TRUE(has(refused.err, "note: statement 3 failed or was interrupted")) << refused.err;
    EXPECT_TRUE(has(refused.err, "'retort stamp 0004'")) << refused.err;
  }
  EXPECT_EQ(log_counts(db->url()), "0001:1 0002:1 0003:1 0004:1");

  // The user finishes the script by hand and records it; the run goes on.
  pg_exec(db->url(), "CREATE INDEX t0004_n ON t0004 (n)");
  auto stamp = project->retort({"stamp", "0004"});
  EXPECT_EQ(stamp.exit_code, 0) << stamp.err;
  auto rerun = project->retort({"upgrade", "head"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(project->applied(), (Ids{"0001", "0002", "0003", "0004", "0005"}));
  EXPECT_EQ(log_counts(db->url()), "0001:1 0002:1 0003:1 0004:1 0005:1");
}

// How the processes reach the server.
enum class Route { direct, pgbouncer_transaction };

class PostgresConcurrency : public PostgresReliability,
                            public ::testing::WithParamInterface<Route> {};

TEST_P(PostgresConcurrency, EightProcessesUpgradingAtOnceApplyEachRevisionOnce) {
  std::vector<std::string> args{"upgrade", "head"};
  std::optional<PgBouncer> bouncer;
  if (GetParam() == Route::pgbouncer_transaction) {
    const auto host_port = db->host_port();
    ASSERT_NE(host_port.rfind(':'), std::string::npos) << db->url();
    const int port = std::stoi(host_port.substr(host_port.rfind(':') + 1));
    bouncer.emplace(PgBouncer::start(port, "transaction"));
    args.insert(args.end(), {"--url", bouncer->url(db->name())});
  }
  std::vector<Process> processes;
  for (int i = 0; i < 8; ++i) processes.push_back(project->start(args));
  int did_work = 0;
  for (auto& process : processes) {
    auto result = process.wait();
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(result.err.empty()) << result.err;
    if (ran_itself(result, "0005")) ++did_work;
  }
  // Exactly one process ran the last revision; the others found it done.
  EXPECT_EQ(did_work, 1);
  EXPECT_EQ(project->applied(), (Ids{"0001", "0002", "0003", "0004", "0005"}));
  EXPECT_EQ(log_counts(db->url()), "0001:1 0002:1 0003:1 0004:1 0005:1");
}

INSTANTIATE_TEST_SUITE_P(Routes, PostgresConcurrency,
                         ::testing::Values(Route::direct, Route::pgbouncer_transaction),
                         [](const auto& info) {
                           return info.param == Route::direct ? "Direct" : "PgBouncerTransaction";
                         });

// A server of this test's own: the fixture's server is shared by the tests
// running in parallel, so this one is the only one that may be stopped.
TEST(PostgresServerRestart, LostConnectionExitsFiveAndARerunConverges) {
  RETORT_OWN_POSTGRES_SERVER(server);
  Project project(server->url(), 3);
  ASSERT_EQ(project.retort({"upgrade", "0001"}).exit_code, 0);
  project.write(2, pause);
  auto running = project.start({"upgrade", "head"});
  ASSERT_TRUE(eventually([&] { return !running.running() || pausing(server->url()) == "1"; }));
  ASSERT_TRUE(running.running()) << running.wait().err;

  // A fast shutdown ends every session, as a restart does.
  stop_process(server->pid(), SIGINT, 30);
  auto lost = running.wait();
  EXPECT_EQ(lost.exit_code, 5) << lost.err;
  EXPECT_TRUE(has(lost.err, "retort: error: lost the connection to postgresql://")) << lost.err;
  EXPECT_TRUE(has(lost.err, "terminating connection due to administrator command\n")) << lost.err;
  EXPECT_TRUE(has(lost.err, "note: run the command again once the server is back")) << lost.err;

  auto down = project.retort({"upgrade", "head"});
  EXPECT_EQ(down.exit_code, 5) << down.err;
  EXPECT_TRUE(has(down.err, "retort: error: could not connect to 127.0.0.1:")) << down.err;

  // A run started while the server is down waits for it with --wait.
  project.write(2, "");
  auto waiting = project.start({"upgrade", "head", "--wait", "60"});
  server->restart();
  auto rerun = waiting.wait();
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(project.applied(), (Ids{"0001", "0002", "0003"}));
  EXPECT_EQ(log_counts(server->url()), "0001:1 0002:1 0003:1");
}

}  // namespace
