#include "engine/postgres_engine.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "engine/engine_conformance.hpp"
#include "retort/migrations.hpp"
#include "retort/record_cache.hpp"
#include "support/pg_server.hpp"
#include "support/temp_dir.hpp"

namespace retort::testing {
namespace {

// A Config for the PostgreSQL database at `url`.
Config config_for(const std::string& url, const VersionTable& table = {}) {
  Config config;
  config.engine = Dialect::postgres;
  config.postgres_url = url;
  config.version_table = table;
  return config;
}

// A fresh database per test on the test server (see tests/support/pg_server.hpp).
struct PostgresFactory {
  PostgresFactory() : database(base_url(), "conformance") {}

  std::unique_ptr<Engine> open(const VersionTable& table, OpenMode mode) {
    return open_postgres_engine(config_for(database.url(), table), mode);
  }

  // Skips only when RETORT_SKIP_POSTGRES=1 and there is no PostgreSQL; a
  // missing server is otherwise a failure, raised by base_url().
  static std::string skip_reason() {
    auto availability = postgres_availability();
    return availability.skip ? availability.problem : std::string();
  }

  static std::string base_url() {
    auto availability = postgres_availability();
    if (!availability.problem.empty()) throw std::runtime_error(availability.problem);
    return availability.url;
  }

  TestDatabase database;
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, EngineConformance, PostgresFactory);

namespace {

// The DiagnosticError that `f` throws (fails the test when it throws none).
template <typename F>
DiagnosticError diagnostic_of(F f) {
  try {
    f();
  } catch (const DiagnosticError& e) {
    return e;
  }
  ADD_FAILURE() << "no DiagnosticError";
  return DiagnosticError(ExitCode::success, Diagnostic{});
}

// The StatementError that `f` throws.
template <typename F>
StatementError statement_error_of(F f) {
  try {
    f();
  } catch (const StatementError& e) {
    return e;
  }
  ADD_FAILURE() << "no StatementError";
  return StatementError("");
}

// Everything a DiagnosticError would print.
std::string printed(const DiagnosticError& e) {
  std::string out;
  for (const auto& d : e.diagnostics()) out += format_diagnostic(d);
  return out;
}

class PostgresEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    RETORT_NEED_POSTGRES(base_url);
    base_url_ = base_url;
    database_.emplace(base_url_, ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  std::unique_ptr<Engine> open(const VersionTable& table = {}) {
    return open_postgres_engine(config_for(database_->url(), table), OpenMode::read_write);
  }

  // The value of `sql` in the test's database.
  std::string value(const std::string& sql) { return pg_value(database_->url(), sql); }

  // What the one other session of the test's database, an engine's, sent last.
  std::string engines_last_query() {
    return value("SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                 "pg_backend_pid()");
  }

  std::string base_url_;
  std::optional<TestDatabase> database_;
};

TEST_F(PostgresEngine, FailingStatementCarriesSqlstateDetailAndOffset) {
  const std::string sql =
      "CREATE TABLE t (id int PRIMARY KEY);\n"
      "INSERT INTO t VALUES (1);\n"
      "INSERT INTO t VALUES (1);\n";
  auto engine = open();
  auto e = statement_error_of([&] { engine->run(up_step("0001", sql)); });
  EXPECT_EQ(e.sqlstate, "23505");
  EXPECT_EQ(std::string(e.what()), "duplicate key value violates unique constraint \"t_pkey\"");
  EXPECT_EQ(e.detail, "Key (id)=(1) already exists.");
  // No position from the server: the failing statement's start.
  EXPECT_EQ(e.offset, sql.rfind("INSERT"));
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_EQ(value("SELECT to_regclass('t')::text"), "<null>");
}

TEST_F(PostgresEngine, ErrorPositionIsMappedFromCharactersToBytes) {
  const std::string sql =
      "CREATE TABLE café (id int);\n"
      "SELECT 'déjà vu', nosuchcolumn FROM café;\n";
  auto e = statement_error_of([&] { open()->run(up_step("0001", sql)); });
  EXPECT_EQ(e.sqlstate, "42703");
  EXPECT_EQ(e.offset, sql.find("nosuchcolumn"));
}

TEST_F(PostgresEngine, HintFromTheServerIsKept) {
  const std::string sql =
      "DO $$ BEGIN RAISE EXCEPTION 'boom; really' USING DETAIL = 'the detail', "
      "HINT = 'the hint'; END $$;\n";
  auto e = statement_error_of([&] { open()->run(up_step("0001", sql)); });
  EXPECT_EQ(e.sqlstate, "P0001");
  EXPECT_EQ(std::string(e.what()), "boom; really");
  EXPECT_EQ(e.detail, "the detail");
  EXPECT_EQ(e.hint, "the hint");
  EXPECT_EQ(e.offset, 0u);
}

TEST_F(PostgresEngine, NonTransactionalStatementRejectedBeforeAnythingRuns) {
  const std::string sql =
      "CREATE TABLE a (id int);\n"
      "CREATE INDEX CONCURRENTLY a_idx ON a (id);\n";
  auto engine = open();
  auto e = statement_error_of([&] { engine->run(up_step("0001", sql)); });
  EXPECT_EQ(std::string(e.what()),
            "CREATE INDEX CONCURRENTLY cannot run inside a transaction; add '-- retort:transaction "
            "none' to the script");
  EXPECT_EQ(e.offset, sql.find("CREATE INDEX"));
  EXPECT_EQ(value("SELECT to_regclass('a')::text"), "<null>");
  EXPECT_TRUE(engine->applied().empty());
}

TEST_F(PostgresEngine, CommitInsideAMigrationIsRejected) {
  const std::string sql = "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n";
  auto e = statement_error_of([&] { open()->run(up_step("0001", sql)); });
  EXPECT_EQ(e.offset, sql.find("COMMIT"));
  EXPECT_NE(std::string(e.what()).find("COMMIT would end the migration's transaction"),
            std::string::npos);
}

TEST_F(PostgresEngine, TransactionNoneRunsConcurrentIndexAndVacuum) {
  auto engine = open();
  engine->run(up_step("0001", "CREATE TABLE a (id int);"));
  const std::string sql =
      "CREATE INDEX CONCURRENTLY a_idx ON a (id);\n"
      "VACUUM (ANALYZE) a;\n";
  EXPECT_TRUE(engine->run(up_step("0002", sql, TransactionMode::none)).ran);
  EXPECT_EQ(value("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'a_idx'::regclass"),
            "true");
  auto rows = engine->applied();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[1].statements_done.has_value());
  EXPECT_TRUE(engine->run(down_step("0002", "DROP INDEX CONCURRENTLY a_idx;", TransactionMode::none)).ran);
  EXPECT_EQ(value("SELECT to_regclass('a_idx')::text"), "<null>");
}

TEST_F(PostgresEngine, TransactionNoneFailingOnItsFirstStatementRecordsNothing) {
  auto engine = open();
  const std::string sql = "CREATE INDEX CONCURRENTLY x_idx ON missing (id);\nVACUUM;\n";
  auto e = statement_error_of([&] { engine->run(up_step("0001", sql, TransactionMode::none)); });
  EXPECT_EQ(e.sqlstate, "42P01");
  EXPECT_TRUE(engine->applied().empty());
}

TEST_F(PostgresEngine, TransactionNoneFailingHalfWayKeepsStatementsDone) {
  auto engine = open();
  engine->run(up_step("0001", "CREATE TABLE a (id int); INSERT INTO a VALUES (1), (1);"));
  // The unique index fails on the duplicates after the first statement ran.
  const std::string sql =
      "CREATE INDEX CONCURRENTLY a_plain ON a (id);\n"
      "CREATE UNIQUE INDEX CONCURRENTLY a_unique ON a (id);\n"
      "VACUUM a;\n";
  auto e = statement_error_of([&] { engine->run(up_step("0002", sql, TransactionMode::none)); });
  EXPECT_EQ(e.sqlstate, "23505");
  EXPECT_EQ(e.offset, sql.find("CREATE UNIQUE"));
  auto rows = engine->applied();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].statements_done, std::optional<int>(1));
  auto d = diagnostic_of([&] { engine->run(up_step("0002", sql, TransactionMode::none)); });
  EXPECT_EQ(d.code(), ExitCode::state);
}

TEST_F(PostgresEngine, TransactionNoneIsRefusedInsideSingleTransaction) {
  auto engine = open();
  engine->begin_group();
  engine->run(up_step("0001", "CREATE TABLE a (id int);"));
  auto d = diagnostic_of(
      [&] { engine->run(up_step("0002", "VACUUM a;", TransactionMode::none)); });
  EXPECT_EQ(d.code(), ExitCode::usage);
  EXPECT_TRUE(engine->applied().empty());
}

// A program's compiled-in set, parsed while the connection opens (api.cpp).
TEST_F(PostgresEngine, MigratorFromACompiledInSetUpgradesAndSaysWhereItIs) {
  const std::array<EmbeddedScript, 2> embedded{{
      {"0001_a.sql", "-- retort:up\nCREATE TABLE a (x int);\n-- retort:down\nDROP TABLE a;\n"},
      {"0002_b.sql",
       "-- retort:parent 0001\n-- retort:up\nCREATE TABLE b (x int);\n-- retort:down\nDROP TABLE b;\n"},
  }};
  Migrator db(embedded, config_for(database_->url()));
  EXPECT_EQ(db.upgrade().size(), 2u);
  EXPECT_EQ(db.current(), std::vector<std::string>{"0002"});
  EXPECT_EQ(value("SELECT count(*) FROM b"), "0");
  EXPECT_TRUE(Migrator(embedded, config_for(database_->url())).upgrade().empty());
}

TEST_F(PostgresEngine, ConcurrentUpgradersApplyEachRevisionOnce) {
  // Each revision logs itself once; a second run would also fail on CREATE TABLE.
  std::vector<StepRequest> steps;
  std::vector<std::string> sql;
  for (int i = 1; i <= 8; ++i) {
    if (i == 5)  // a `transaction none` one in the middle: CREATE INDEX CONCURRENTLY
      sql.push_back("CREATE INDEX CONCURRENTLY t1_idx ON t1 (id);\nINSERT INTO log VALUES (5);");
    else if (i == 1)
      sql.push_back("CREATE TABLE log (revision int);\nCREATE TABLE t1 (id int);\nINSERT INTO log VALUES (1);");
    else
      sql.push_back(fmt::format("CREATE TABLE t{} (id int);\nINSERT INTO log VALUES ({});", i, i));
  }
  for (int i = 1; i <= 8; ++i)
    steps.push_back(up_step(fmt::format("{:04}", i), sql[i - 1],
                            i == 5 ? TransactionMode::none : TransactionMode::per_migration));

  std::atomic<int> ran{0};
  std::vector<std::string> failures(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      try {
        auto engine = open();
        // As the runner does: read what is applied, then run the rest.
        auto applied = engine->applied();
        for (std::size_t i = applied.size(); i < steps.size(); ++i)
          if (engine->run(steps[i]).ran) ++ran;
      } catch (const std::exception& e) {
        failures[t] = e.what();
      }
    });
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) EXPECT_EQ(failure, "");
  EXPECT_EQ(ran.load(), 8);
  EXPECT_EQ(value("SELECT string_agg(revision::text, ',' ORDER BY revision) FROM log"),
            "1,2,3,4,5,6,7,8");
  EXPECT_EQ(open()->applied().size(), 8u);
}

// The rows are read without the migration lock; a row recording progress is
// read again under it by writers, which so wait for the script to end.
TEST_F(PostgresEngine, WritersWaitForATransactionNoneScriptInProgressReadersDoNot) {
  auto holder = open();
  holder->run(up_step("0001", "CREATE TABLE a (id int);"));
  std::thread slow([&] {
    holder->run(up_step("0002", "SELECT 1;\nSELECT pg_sleep(2);", TransactionMode::none));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto reader = open_postgres_engine(config_for(database_->url()), OpenMode::read_only);
  auto seen = reader->applied();
  auto writer = open();
  auto waited = writer->applied();
  slow.join();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].statements_done, std::optional<int>(1));
  ASSERT_EQ(waited.size(), 2u);
  EXPECT_EQ(waited[1].statements_done, std::nullopt);
}

// Retort's temporary server runs without autovacuum: a worker in the
// database a round trip renames or drops makes the check wait for it
// (tests/support/pg_server.cpp). A server of the user's is theirs to set.
TEST_F(PostgresEngine, TheTemporaryServerRunsWithoutAutovacuum) {
  if (const char* own = std::getenv("RETORT_TEST_POSTGRES_URL"); own != nullptr && *own != '\0')
    GTEST_SKIP() << "RETORT_TEST_POSTGRES_URL names the user's own server";
  EXPECT_EQ(value("SHOW autovacuum"), "off");
}

TEST_F(PostgresEngine, LockTimeoutWhileAnotherRunHoldsTheLock) {
  auto holder = open();
  std::thread slow([&] { holder->run(up_step("0001", "SELECT pg_sleep(3);", TransactionMode::none)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto config = config_for(database_->url());
  config.lock_timeout_s = 1;
  auto waiting = open_postgres_engine(config, OpenMode::read_write);
  auto d = diagnostic_of([&] { waiting->run(up_step("0002", "SELECT 1;")); });
  slow.join();
  EXPECT_EQ(d.code(), ExitCode::lock_timeout);
  EXPECT_NE(printed(d).find("another process held the migration lock"), std::string::npos)
      << printed(d);
}

TEST_F(PostgresEngine, VersionTableInAWeirdSchema) {
  pg_exec(database_->url(), "CREATE SCHEMA \"My \"\"Schema\"");
  VersionTable table{"My \"Schema", "Retort \"Versions\"; DROP TABLE x"};
  auto engine = open(table);
  EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE x (id int);")).ran);
  EXPECT_EQ(value("SELECT revision FROM \"My \"\"Schema\".\"Retort \"\"Versions\"\"; DROP TABLE x\""),
            "0001");
  EXPECT_EQ(engine->applied().size(), 1u);
  EXPECT_EQ(engine->dump_schema().find("Versions"), std::string::npos);
}

TEST_F(PostgresEngine, MissingVersionSchemaIsAClearError) {
  VersionTable table{"nope", "retort_version"};
  EXPECT_TRUE(open_postgres_engine(config_for(database_->url(), table), OpenMode::read_only)
                  ->applied()
                  .empty());
  auto d = diagnostic_of([&] { open(table)->run(up_step("0001", "SELECT 1;")); });
  EXPECT_EQ(d.code(), ExitCode::state);
  EXPECT_EQ(d.diagnostics().at(0).message,
            fmt::format("the version table's schema \"nope\" does not exist in {}",
                        open()->describe()));
}

// A table seen before (TableHint::seen) is read in the same message as its
// existence check: one round trip, as the engine's last query in
// pg_stat_activity shows. The rows are the same; a table or schema that is
// gone is no table, not an error, and leaves no aborted transaction behind;
// inside a transaction, which a failed read would abort, the check goes first.
TEST_F(PostgresEngine, ATableSeenBeforeIsReadInTheMessageOfItsCheck) {
  auto engine = open();
  EXPECT_TRUE(engine->applied(RowFields::all, TableHint::seen).empty());  // never created
  engine->run(up_step("0001", "CREATE TABLE a (id int);"));

  auto rows = engine->applied(RowFields::all, TableHint::seen);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].revision, "0001");
  const auto query = engines_last_query();
  EXPECT_NE(query.find("to_regclass"), std::string::npos) << query;
  EXPECT_NE(query.find("FROM \"public\".\"retort_version\""), std::string::npos) << query;

  engine->begin_group();
  EXPECT_EQ(engine->applied(RowFields::planning, TableHint::seen).size(), 1u);
  EXPECT_TRUE(engine->run(up_step("0002", "CREATE TABLE b (id int);")).ran);
  engine->commit_group();

  pg_exec(database_->url(), "DROP TABLE retort_version");
  EXPECT_TRUE(engine->applied(RowFields::all, TableHint::seen).empty());
  EXPECT_TRUE(engine->applied().empty());  // the connection is usable: nothing left aborted
  EXPECT_TRUE(open({"nope", "retort_version"})->applied(RowFields::all, TableHint::seen).empty());
}

// For a PostgreSQL database the record cache keeps only whether its version
// table had rows, an empty file, so that the next read is one round trip
// (TableHint::seen); a read that finds no rows removes the file.
TEST_F(PostgresEngine, RecordCacheRemembersThatTheTableHadRows) {
  TempDir dir;
  const RecordCache cache(dir.path());
  auto files = [&] {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
      n += entry.path().extension() == ".table";
    return n;
  };
  auto engine = open();
  EXPECT_TRUE(cache.applied(*engine, {}).empty());
  EXPECT_EQ(files(), 0u);
  engine->run(up_step("0001", "CREATE TABLE a (id int);"));
  EXPECT_EQ(revisions(cache.applied(*engine, {})), std::vector<std::string>{"0001"});
  EXPECT_EQ(engines_last_query().find("to_regclass"), std::string::npos);
  EXPECT_EQ(files(), 1u);
  EXPECT_EQ(revisions(cache.applied(*engine, {})), std::vector<std::string>{"0001"});
  EXPECT_NE(engines_last_query().find("to_regclass"), std::string::npos);
  pg_exec(database_->url(), "DROP TABLE retort_version");
  EXPECT_TRUE(cache.applied(*engine, {}).empty());
  EXPECT_EQ(files(), 0u);
}

TEST_F(PostgresEngine, MissingPrivilegeOnTheVersionTableIsAStateError) {
  auto url = url_with_database(base_url_, database_->name());
  url.replace(url.find("retort@"), 7, std::string(limited_role) + "@");
  auto engine = open_postgres_engine(config_for(url), OpenMode::read_write);
  auto d = diagnostic_of([&] { engine->run(up_step("0001", "SELECT 1;")); });
  EXPECT_EQ(d.code(), ExitCode::state);
  EXPECT_EQ(d.diagnostics().at(0).message,
            "permission denied on the version table \"public\".\"retort_version\": permission "
            "denied for schema public");
}

TEST_F(PostgresEngine, MissingPrivilegeInAMigrationIsAStatementError) {
  open()->run(up_step("0001", "CREATE TABLE owned (id int);"));
  pg_exec(database_->url(), fmt::format("GRANT ALL ON retort_version TO {}", limited_role));
  auto url = url_with_database(base_url_, database_->name());
  url.replace(url.find("retort@"), 7, std::string(limited_role) + "@");
  auto engine = open_postgres_engine(config_for(url), OpenMode::read_write);
  auto e = statement_error_of([&] { engine->run(up_step("0002", "DROP TABLE owned;")); });
  EXPECT_EQ(e.sqlstate, "42501");
  EXPECT_EQ(std::string(e.what()), "must be owner of table owned");
}

TEST_F(PostgresEngine, ServerDownNamesHostAndPort) {
  int port = free_port();
  auto d = diagnostic_of([&] {
    open_postgres_engine(config_for(fmt::format("postgresql://retort@127.0.0.1:{}/x", port)),
                         OpenMode::read_only);
  });
  EXPECT_EQ(d.code(), ExitCode::connection);
  EXPECT_EQ(d.diagnostics().at(0).message,
            fmt::format("could not connect to 127.0.0.1:{}: Connection refused", port));
  EXPECT_NE(printed(d).find("is the server running"), std::string::npos) << printed(d);
}

TEST_F(PostgresEngine, WaitRetriesUntilItsDeadline) {
  auto config = config_for(fmt::format("postgresql://retort@127.0.0.1:{}/x", free_port()));
  config.wait_s = 2;
  auto start = std::chrono::steady_clock::now();
  auto d = diagnostic_of([&] { open_postgres_engine(config, OpenMode::read_only); });
  EXPECT_EQ(d.code(), ExitCode::connection);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1900));
  EXPECT_NE(printed(d).find("gave up after waiting 2 s"), std::string::npos) << printed(d);
}

TEST_F(PostgresEngine, MissingDatabaseIsNamed) {
  auto d = diagnostic_of([&] {
    open_postgres_engine(config_for(url_with_database(base_url_, "no_such_db")), OpenMode::read_only);
  });
  EXPECT_EQ(d.code(), ExitCode::connection);
  EXPECT_EQ(d.diagnostics().at(0).message,
            fmt::format("could not connect to {}: database \"no_such_db\" does not exist",
                        database_->host_port()));
}

TEST_F(PostgresEngine, PasswordWithUrlSpecialCharactersWorksAndIsNeverShown) {
  // "p@ss%w#rd:/?x", percent-encoded as a URL requires.
  const std::string encoded = "p%40ss%25w%23rd%3A%2F%3Fx";
  const std::string base = fmt::format("postgresql://{}:{}@{}/", password_role, encoded,
                                       database_->host_port());
  auto engine = open_postgres_engine(config_for(base + database_->name()), OpenMode::read_only);
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_EQ(engine->describe(),
            fmt::format("postgresql://{}@{}/{}", password_role, database_->host_port(),
                        database_->name()));

  // Wrong passwords, by URL and by keyword, with the same characters.
  const std::string wrong_encoded = "wr%40ng%25p%23ss";
  const std::string wrong = "wr@ng%p#ss";
  Config by_keyword;
  by_keyword.engine = Dialect::postgres;
  by_keyword.postgres = {{"host", "127.0.0.1"},
                         {"port", database_->host_port().substr(10)},
                         {"user", password_role},
                         {"password", wrong},
                         {"dbname", database_->name()}};
  for (const auto& config :
       {config_for(fmt::format("postgresql://{}:{}@{}/{}", password_role, wrong_encoded,
                               database_->host_port(), database_->name())),
        by_keyword}) {
    auto d = diagnostic_of([&] { open_postgres_engine(config, OpenMode::read_only); });
    EXPECT_EQ(d.code(), ExitCode::connection);
    auto text = printed(d);
    EXPECT_NE(text.find(fmt::format("password authentication failed for user \"{}\"", password_role)),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find(wrong), std::string::npos) << text;
    EXPECT_EQ(text.find(wrong_encoded), std::string::npos) << text;
    EXPECT_EQ(text.find("wr@ng"), std::string::npos) << text;
  }
}

TEST_F(PostgresEngine, MalformedUrlIsAConfigErrorWithoutThePassword) {
  auto d = diagnostic_of([&] {
    open_postgres_engine(config_for("postgresql://u:s3cr%zzet@host/db"), OpenMode::read_only);
  });
  EXPECT_EQ(d.code(), ExitCode::config);
  auto text = printed(d);
  EXPECT_EQ(text.find("s3cr"), std::string::npos) << text;
  EXPECT_NE(text.find("is not a valid PostgreSQL URL"), std::string::npos) << text;
}

// A script runs as one message with Retort's version-row write and COMMIT
// (postgres_engine.cpp, run_in_one_message): the tests below pin what that
// must not change. Each first runs a migration on the same engine, so that
// the version table is known and the lock, the row's re-read and the script
// take the shortest path.

TEST_F(PostgresEngine, ErrorInTheThirdStatementPointsAtItAndRollsBackTheScript) {
  auto engine = open();
  engine->run(up_step("0001", "CREATE TABLE log (note text);"));
  const std::string sql =
      "CREATE TABLE a (id int);\n"
      "INSERT INTO log VALUES ('second');\n"
      "SELECT 1 / (SELECT count(*) FROM a);\n"
      "CREATE TABLE b (id int);\n";
  auto e = statement_error_of([&] { engine->run(up_step("0002", sql)); });
  EXPECT_EQ(e.sqlstate, "22012");
  EXPECT_EQ(std::string(e.what()), "division by zero");
  EXPECT_EQ(e.offset, sql.find("SELECT 1 /"));  // no position from the server: the statement
  EXPECT_EQ(revisions(engine->applied()), std::vector<std::string>{"0001"});
  EXPECT_EQ(value("SELECT to_regclass('a')::text"), "<null>");
  EXPECT_EQ(value("SELECT count(*) FROM log"), "0");
  // The same engine goes on after the rollback.
  EXPECT_TRUE(engine->run(up_step("0002", "CREATE TABLE a (id int);")).ran);
  EXPECT_EQ(engine->applied().size(), 2u);
}

TEST_F(PostgresEngine, StatementsUseWhatEarlierOnesOfTheScriptCreated) {
  auto engine = open();
  engine->run(up_step("0001", "SELECT 1;"));
  EXPECT_TRUE(engine
                  ->run(up_step("0002",
                                "CREATE TABLE t (id int);\n"
                                "ALTER TABLE t ADD COLUMN label text;\n"
                                "INSERT INTO t (id, label) VALUES (1, 'one');\n"
                                "CREATE VIEW v AS SELECT label FROM t;\n"
                                "CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS 'SELECT 2 * x';\n"
                                "UPDATE t SET id = twice(id) WHERE label = (SELECT label FROM v)"))
                  .ran);
  EXPECT_EQ(value("SELECT id || label FROM t"), "2one");
}

TEST_F(PostgresEngine, DollarQuotedBodiesAndDoBlocksWithSemicolons) {
  auto engine = open();
  engine->run(up_step("0001", "CREATE TABLE log (note text);"));
  const std::string sql =
      "CREATE FUNCTION note(x text) RETURNS void LANGUAGE plpgsql AS $body$\n"
      "BEGIN\n"
      "  INSERT INTO log VALUES (x || '; from the function');\n"
      "END;\n"
      "$body$;\n"
      "DO $$ BEGIN PERFORM note('a;b'); INSERT INTO log VALUES ('$x$; do'); END $$;\n"
      "SELECT note($q$it's; quoted$q$);\n"
      "-- a last comment without a new line; COMMIT;";
  EXPECT_TRUE(engine->run(up_step("0002", sql)).ran);
  EXPECT_EQ(value("SELECT string_agg(note, '|' ORDER BY note) FROM log"),
            "$x$; do|a;b; from the function|it's; quoted; from the function");
  const std::string failing =
      "DO $$ BEGIN INSERT INTO log VALUES ('in; do'); END $$;\n"
      "DO $$ BEGIN RAISE EXCEPTION 'stop; here'; END $$;\n";
  auto e = statement_error_of([&] { engine->run(up_step("0003", failing)); });
  EXPECT_EQ(std::string(e.what()), "stop; here");
  EXPECT_EQ(e.offset, failing.rfind("DO $$"));
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE note = 'in; do'"), "0");
}

TEST_F(PostgresEngine, NonAsciiTextBeforeTheFailingStatementKeepsItsOffset) {
  auto engine = open();
  engine->run(up_step("0001", "CREATE TABLE log (note text);"));
  // Two-, three- and four-byte characters in earlier statements: the server
  // counts characters from the message's start.
  const std::string sql =
      "INSERT INTO log VALUES ('naïve café');\n"
      "INSERT INTO log VALUES ('— ✓ 😀 €');\n"
      "SELECT 'ü', nosuchcolumn FROM log;\n";
  auto e = statement_error_of([&] { engine->run(up_step("0002", sql)); });
  EXPECT_EQ(e.sqlstate, "42703");
  EXPECT_EQ(e.offset, sql.find("nosuchcolumn"));
  const std::string no_position =
      "INSERT INTO log VALUES ('😀😀😀');\n"
      "INSERT INTO log VALUES ((1 / 0)::text);\n";
  auto d = statement_error_of([&] { engine->run(up_step("0002", no_position)); });
  EXPECT_EQ(d.sqlstate, "22012");
  EXPECT_EQ(d.offset, no_position.rfind("INSERT"));
  EXPECT_EQ(value("SELECT count(*) FROM log"), "0");
}

TEST_F(PostgresEngine, RowWrittenByAnotherProcessIsSeenUnderTheLock) {
  auto first = open();
  auto second = open();
  first->run(up_step("0001", "CREATE TABLE log (note text);"));
  second->run(up_step("0001", "SELECT 1;"));  // already applied: second now knows the table
  EXPECT_TRUE(first->run(up_step("0002", "INSERT INTO log VALUES ('0002');")).ran);
  EXPECT_FALSE(second->run(up_step("0002", "INSERT INTO log VALUES ('0002');")).ran);
  EXPECT_TRUE(second->run(down_step("0002", "DELETE FROM log;")).ran);
  EXPECT_FALSE(first->run(down_step("0002", "DELETE FROM log;")).ran);
  EXPECT_EQ(value("SELECT count(*) FROM log"), "0");
  EXPECT_EQ(revisions(first->applied()), std::vector<std::string>{"0001"});
}

TEST_F(PostgresEngine, FailingVersionRowWriteIsAStateErrorAndRollsBack) {
  open()->run(up_step("0001", "SELECT 1;"));
  pg_exec(database_->url(),
          fmt::format("GRANT SELECT ON retort_version TO {0}; GRANT CREATE ON SCHEMA public TO {0}",
                      limited_role));
  auto url = url_with_database(base_url_, database_->name());
  url.replace(url.find("retort@"), 7, std::string(limited_role) + "@");
  auto engine = open_postgres_engine(config_for(url), OpenMode::read_write);
  auto d = diagnostic_of([&] { engine->run(up_step("0002", "CREATE TABLE mine (id int);")); });
  EXPECT_EQ(d.code(), ExitCode::state);
  EXPECT_EQ(d.diagnostics().at(0).message,
            "permission denied on the version table \"public\".\"retort_version\": permission "
            "denied for table retort_version");
  EXPECT_EQ(value("SELECT to_regclass('mine')::text"), "<null>");
}

TEST_F(PostgresEngine, DeferredConstraintFailingAtCommitIsTheMigrationsError) {
  auto engine = open();
  engine->run(up_step("0001", "CREATE TABLE p (id int PRIMARY KEY);"));
  const std::string sql =
      "CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
      "INSERT INTO c VALUES (1);\n";
  auto e = statement_error_of([&] { engine->run(up_step("0002", sql)); });
  EXPECT_EQ(e.sqlstate, "23503");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(value("SELECT to_regclass('c')::text"), "<null>");
  EXPECT_EQ(engine->applied().size(), 1u);
}

TEST_F(PostgresEngine, ScriptEndingInsideACommentOrStringRecordsNothing) {
  auto engine = open();
  engine->run(up_step("0001", "CREATE TABLE log (note text);"));
  for (const std::string sql : {"INSERT INTO log VALUES ('x'); /* open", "INSERT INTO log VALUES ('x",
                                "INSERT INTO log VALUES ($$x", "INSERT INTO \"log"}) {
    auto e = statement_error_of([&] { engine->run(up_step("0002", sql)); });
    EXPECT_LE(e.offset, sql.size()) << sql;
    EXPECT_EQ(engine->applied().size(), 1u) << sql;
    EXPECT_EQ(value("SELECT count(*) FROM log"), "0") << sql;
  }
}

TEST_F(PostgresEngine, DumpSchemaIsNormalised) {
  auto engine = open();
  engine->run(up_step("0001",
                      "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                      "email text NOT NULL);\n"
                      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n"));
  auto dump = engine->dump_schema();
  EXPECT_NE(dump.find("CREATE TABLE public.users"), std::string::npos) << dump;
  for (const char* noise : {"\n--", "\nSET ", "set_config", "\\restrict", "\n\n\n", "retort_version"})
    EXPECT_EQ(dump.find(noise), std::string::npos) << noise << "\n" << dump;
  EXPECT_EQ(engine->dump_schema(), dump);
}

// PgBouncer in front of the test server, in each pool mode.
class PostgresThroughPgBouncer : public PostgresEngine,
                                 public ::testing::WithParamInterface<const char*> {};

TEST_P(PostgresThroughPgBouncer, UpDownAndConcurrentUpgrades) {
  auto port = std::stoi(database_->host_port().substr(database_->host_port().rfind(':') + 1));
  auto bouncer = PgBouncer::start(port, GetParam());
  auto url = bouncer.url(database_->name());
  auto engine = open_postgres_engine(config_for(url), OpenMode::read_write);
  EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE log (revision int);")).ran);
  EXPECT_TRUE(engine->run(up_step("0002", "CREATE TABLE b (id int);")).ran);
  EXPECT_TRUE(engine->run(down_step("0002", "DROP TABLE b;")).ran);
  EXPECT_EQ(engine->applied().size(), 1u);
  engine.reset();

  std::vector<StepRequest> steps;
  std::vector<std::string> sql;
  for (int i = 2; i <= 6; ++i)
    sql.push_back(i == 4 ? "CREATE INDEX CONCURRENTLY log_idx ON log (revision);\nINSERT INTO log VALUES (4);"
                         : fmt::format("CREATE TABLE t{} (id int);\nINSERT INTO log VALUES ({});", i, i));
  for (int i = 2; i <= 6; ++i)
    steps.push_back(up_step(fmt::format("{:04}", i), sql[i - 2],
                            i == 4 ? TransactionMode::none : TransactionMode::per_migration));
  std::vector<std::string> failures(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      try {
        auto runner = open_postgres_engine(config_for(url), OpenMode::read_write);
        auto applied = runner->applied();
        for (std::size_t i = applied.size() - 1; i < steps.size(); ++i) runner->run(steps[i]);
      } catch (const std::exception& e) {
        failures[t] = e.what();
      }
    });
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) EXPECT_EQ(failure, "");
  EXPECT_EQ(value("SELECT string_agg(revision::text, ',' ORDER BY revision) FROM log"), "2,3,4,5,6");
  EXPECT_EQ(value("SELECT count(*) FROM retort_version"), "6");
}

INSTANTIATE_TEST_SUITE_P(PoolModes, PostgresThroughPgBouncer,
                         ::testing::Values("transaction", "session"));

}  // namespace
}  // namespace retort::testing
