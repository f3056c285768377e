#pragma once

// The behaviour every Engine must show, whatever the database (modelled on
// golang-migrate's database/testing). A driver's test instantiates it with a
// factory type:
//
//   struct SqliteFactory {
//     SqliteFactory();  // a fresh, empty database, one per test
//     // An engine on that database; called several times by some tests.
//     std::unique_ptr<retort::Engine> open(const retort::VersionTable& table,
//                                          retort::OpenMode mode);
//     // Optional: a non-empty reason skips every test (e.g. no server).
//     static std::string skip_reason();
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, EngineConformance, SqliteFactory);
//
// The scripts are plain SQL that SQLite and PostgreSQL both accept.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "retort/diagnostic.hpp"
#include "retort/engine.hpp"
#include "support/timestamp.hpp"

namespace retort::testing {

inline StepRequest up_step(const std::string& revision, std::string_view sql,
                           TransactionMode transaction = TransactionMode::per_migration) {
  return {revision, Direction::up, sql, "sum-" + revision, transaction};
}

inline StepRequest down_step(const std::string& revision, std::string_view sql,
                             TransactionMode transaction = TransactionMode::per_migration) {
  return {revision, Direction::down, sql, "", transaction};
}

// The revisions of `rows`, in their order.
inline std::vector<std::string> revisions(const std::vector<AppliedRevision>& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row.revision);
  return out;
}

// Whether `table` exists, asked through the Engine interface alone: a step
// that reads it succeeds, and is then undone.
inline bool table_exists(Engine& engine, const std::string& table) {
  const std::string probe = "999999";
  const std::string sql = "SELECT count(*) FROM " + table;
  try {
    engine.run(up_step(probe, sql));
  } catch (const StatementError&) {
    return false;
  }
  engine.run(down_step(probe, ""));
  return true;
}

template <typename Factory>
class EngineConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (requires { Factory::skip_reason(); }) {
      if (auto reason = Factory::skip_reason(); !reason.empty()) GTEST_SKIP() << reason;
    }
    factory_.emplace();
  }

  std::unique_ptr<Engine> open(const VersionTable& table = {},
                               OpenMode mode = OpenMode::read_write) {
    return factory_->open(table, mode);
  }

  std::optional<Factory> factory_;
};

TYPED_TEST_SUITE_P(EngineConformance);

TYPED_TEST_P(EngineConformance, EmptyDatabaseHasNothingApplied) {
  EXPECT_TRUE(this->open({}, OpenMode::read_only)->applied().empty());
  EXPECT_TRUE(this->open()->applied().empty());
}

TYPED_TEST_P(EngineConformance, UpRecordsRevisionWithChecksumAndDuration) {
  auto engine = this->open();
  auto outcome = engine->run(up_step("0001", "CREATE TABLE users (id INTEGER PRIMARY KEY)"));
  EXPECT_TRUE(outcome.ran);
  auto rows = engine->applied();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].revision, "0001");
  EXPECT_EQ(rows[0].checksum, "sum-0001");
  EXPECT_TRUE(is_utc_timestamp(rows[0].applied_at)) << rows[0].applied_at;
  EXPECT_EQ(rows[0].duration_ms, outcome.duration_ms);
  EXPECT_GE(rows[0].duration_ms, 0);
  EXPECT_FALSE(rows[0].statements_done.has_value());
  EXPECT_TRUE(table_exists(*engine, "users"));
}

// What planning reads (RowFields::planning) is the full read's revisions,
// checksums and progress, partial `transaction none` rows included.
TYPED_TEST_P(EngineConformance, PlanningReadKeepsRevisionsChecksumsAndProgress) {
  auto engine = this->open();
  engine->run(up_step("0001", "CREATE TABLE p1 (id INTEGER)"));
  EXPECT_THROW(
      engine->run(up_step(
          "0002", "CREATE TABLE p2 (id INTEGER);\nINSERT INTO missing_table (id) VALUES (1);\n",
          TransactionMode::none)),
      StatementError);
  auto all = this->open()->applied(RowFields::all);
  auto planning = this->open()->applied(RowFields::planning);
  ASSERT_EQ(revisions(planning), (std::vector<std::string>{"0001", "0002"}));
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(planning[i].checksum, all[i].checksum);
    EXPECT_EQ(planning[i].statements_done, all[i].statements_done);
  }
  EXPECT_EQ(planning[1].statements_done, std::optional<int>(1));
}

TYPED_TEST_P(EngineConformance, UpOfAnAppliedRevisionDoesNotRun) {
  // CREATE TABLE fails the second time: a step that runs twice is an error.
  const char* sql = "CREATE TABLE users (id INTEGER PRIMARY KEY)";
  auto engine = this->open();
  EXPECT_TRUE(engine->run(up_step("0001", sql)).ran);
  EXPECT_FALSE(engine->run(up_step("0001", sql)).ran);
  // As another process sees it once the first has finished.
  EXPECT_FALSE(this->open()->run(up_step("0001", sql)).ran);
  EXPECT_EQ(revisions(engine->applied()), std::vector<std::string>{"0001"});
}

TYPED_TEST_P(EngineConformance, DownRemovesRevision) {
  auto engine = this->open();
  engine->run(up_step("0001", "CREATE TABLE users (id INTEGER PRIMARY KEY)"));
  EXPECT_TRUE(engine->run(down_step("0001", "DROP TABLE users")).ran);
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_FALSE(table_exists(*engine, "users"));
  EXPECT_FALSE(engine->run(down_step("0001", "DROP TABLE users")).ran);
}

TYPED_TEST_P(EngineConformance, FailingStatementRollsBackStepAndRow) {
  const std::string sql =
      "CREATE TABLE a (id INTEGER);\n"
      "INSERT INTO missing_table (id) VALUES (1);\n";
  const auto failing = sql.find("INSERT");
  auto engine = this->open();
  try {
    engine->run(up_step("0001", sql));
    FAIL() << "the step succeeded";
  } catch (const StatementError& e) {
    EXPECT_NE(std::string(e.what()), "");
    // The statement's start, or a token inside it.
    EXPECT_GE(e.offset, failing);
    EXPECT_LT(e.offset, sql.find(';', failing));
  }
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_FALSE(table_exists(*engine, "a"));
}

TYPED_TEST_P(EngineConformance, FailingDownKeepsTheRevisionRecorded) {
  auto engine = this->open();
  engine->run(up_step("0001", "CREATE TABLE a (id INTEGER)"));
  EXPECT_THROW(engine->run(down_step("0001", "DROP TABLE a;\nDROP TABLE missing_table;\n")),
               StatementError);
  EXPECT_EQ(revisions(engine->applied()), std::vector<std::string>{"0001"});
  EXPECT_TRUE(table_exists(*engine, "a"));
  EXPECT_TRUE(engine->run(down_step("0001", "DROP TABLE a")).ran);
}

TYPED_TEST_P(EngineConformance, RunsMultiStatementScript) {
  auto engine = this->open();
  EXPECT_TRUE(engine
                  ->run(up_step("0001",
                                "CREATE TABLE t1 (id INTEGER PRIMARY KEY);\n"
                                "-- a comment between statements; with a semicolon\n"
                                "CREATE TABLE t2 (id INTEGER PRIMARY KEY, label TEXT);\n"
                                "INSERT INTO t2 (id, label) VALUES (1, 'a;b');\n"
                                "/* a trailing comment */\n"))
                  .ran);
  EXPECT_TRUE(table_exists(*engine, "t1"));
  EXPECT_TRUE(table_exists(*engine, "t2"));
}

TYPED_TEST_P(EngineConformance, EmptyScriptRecordsRevision) {
  auto engine = this->open();
  EXPECT_TRUE(engine->run(up_step("0001", "")).ran);
  EXPECT_TRUE(engine->run(up_step("0002", "  -- nothing but a comment\n")).ran);
  EXPECT_EQ(revisions(engine->applied()), (std::vector<std::string>{"0001", "0002"}));
}

TYPED_TEST_P(EngineConformance, AppliedIsInNumericIdOrder) {
  auto engine = this->open();
  for (const char* id : {"10", "9", "0002", "20261125143000"}) engine->run(up_step(id, ""));
  EXPECT_EQ(revisions(engine->applied()),
            (std::vector<std::string>{"0002", "9", "10", "20261125143000"}));
}

TYPED_TEST_P(EngineConformance, GroupCommitsEveryStep) {
  auto engine = this->open();
  engine->begin_group();
  EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE g1 (id INTEGER)")).ran);
  EXPECT_TRUE(engine->run(up_step("0002", "CREATE TABLE g2 (id INTEGER)")).ran);
  engine->commit_group();
  EXPECT_EQ(revisions(this->open()->applied()), (std::vector<std::string>{"0001", "0002"}));
  EXPECT_TRUE(table_exists(*engine, "g1"));
  EXPECT_TRUE(table_exists(*engine, "g2"));
}

TYPED_TEST_P(EngineConformance, GroupRollsBackEveryStepOnFailure) {
  auto engine = this->open();
  engine->begin_group();
  EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE g1 (id INTEGER)")).ran);
  EXPECT_THROW(engine->run(up_step("0002", "INSERT INTO missing_table (id) VALUES (1)")),
               StatementError);
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_FALSE(table_exists(*engine, "g1"));
  // The engine is usable again, outside any group.
  EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE g1 (id INTEGER)")).ran);
}

TYPED_TEST_P(EngineConformance, StampReplacesRowsWithoutRunningSql) {
  auto engine = this->open();
  engine->run(up_step("0001", "CREATE TABLE s1 (id INTEGER)"));
  std::vector<AppliedRevision> rows(2);
  rows[0].revision = "0003";
  rows[0].checksum = "c3";
  rows[1].revision = "0002";
  rows[1].checksum = "c2";
  engine->stamp(rows);
  auto applied = engine->applied();
  ASSERT_EQ(revisions(applied), (std::vector<std::string>{"0002", "0003"}));
  EXPECT_EQ(applied[0].checksum, "c2");
  EXPECT_EQ(applied[1].checksum, "c3");
  EXPECT_EQ(applied[0].duration_ms, 0);
  EXPECT_FALSE(applied[0].statements_done.has_value());
  EXPECT_TRUE(table_exists(*engine, "s1"));

  engine->stamp({});
  EXPECT_TRUE(engine->applied().empty());
}

TYPED_TEST_P(EngineConformance, StampCreatesTheVersionTable) {
  AppliedRevision row;
  row.revision = "0001";
  row.checksum = "c1";
  this->open()->stamp({row});
  EXPECT_EQ(revisions(this->open()->applied()), std::vector<std::string>{"0001"});
}

TYPED_TEST_P(EngineConformance, DumpSchemaIsStableAndLeavesOutVersionTable) {
  const char* users =
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n"
      "CREATE INDEX users_email_idx ON users (email);\n";
  const char* posts = "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT);\n";

  auto engine = this->open();
  engine->run(up_step("0001", users));
  engine->run(up_step("0002", posts));
  auto dump = engine->dump_schema();
  EXPECT_NE(dump.find("users"), std::string::npos) << dump;
  EXPECT_NE(dump.find("users_email_idx"), std::string::npos) << dump;
  EXPECT_NE(dump.find("posts"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("retort_version"), std::string::npos) << dump;
  EXPECT_EQ(this->open({}, OpenMode::read_only)->dump_schema(), dump);

  // The same schema built in another order, in another database.
  TypeParam other_database;
  auto other = other_database.open({}, OpenMode::read_write);
  other->run(up_step("0001", posts));
  other->run(up_step("0002", users));
  EXPECT_EQ(other->dump_schema(), dump);
}

TYPED_TEST_P(EngineConformance, TransactionNoneRunsAndRecords) {
  auto engine = this->open();
  const char* sql = "CREATE TABLE n1 (id INTEGER);\nCREATE TABLE n2 (id INTEGER);\n";
  EXPECT_TRUE(engine->run(up_step("0001", sql, TransactionMode::none)).ran);
  auto rows = engine->applied();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].checksum, "sum-0001");
  EXPECT_FALSE(rows[0].statements_done.has_value());
  EXPECT_FALSE(engine->run(up_step("0001", sql, TransactionMode::none)).ran);

  EXPECT_TRUE(engine
                  ->run(down_step("0001", "DROP TABLE n2;\nDROP TABLE n1;\n",
                                  TransactionMode::none))
                  .ran);
  EXPECT_TRUE(engine->applied().empty());
  EXPECT_FALSE(table_exists(*engine, "n1"));
}

TYPED_TEST_P(EngineConformance, TransactionNoneFailureKeepsProgress) {
  const std::string sql =
      "CREATE TABLE n1 (id INTEGER);\n"
      "CREATE TABLE n2 (id INTEGER);\n"
      "INSERT INTO missing_table (id) VALUES (1);\n"
      "CREATE TABLE n3 (id INTEGER);\n";
  auto engine = this->open();
  try {
    engine->run(up_step("0001", sql, TransactionMode::none));
    FAIL() << "the step succeeded";
  } catch (const StatementError& e) {
    EXPECT_GE(e.offset, sql.find("INSERT"));
    EXPECT_LT(e.offset, sql.find("CREATE TABLE n3"));
  }
  auto rows = engine->applied();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].statements_done, std::optional<int>(2));
  EXPECT_TRUE(table_exists(*engine, "n2"));
  EXPECT_FALSE(table_exists(*engine, "n3"));

  // Finishing a partly applied revision needs a person.
  try {
    engine->run(up_step("0001", sql, TransactionMode::none));
    FAIL() << "the step ran again";
  } catch (const DiagnosticError& e) {
    EXPECT_EQ(e.code(), ExitCode::state);
  }
}

TYPED_TEST_P(EngineConformance, VersionTableWithAnyName) {
  for (const char* name : {"we\"ird name", "Mixed Case", "it's"}) {
    SCOPED_TRACE(name);
    TypeParam database;
    VersionTable table;
    table.name = name;
    auto engine = database.open(table, OpenMode::read_write);
    EXPECT_TRUE(engine->applied().empty());
    EXPECT_TRUE(engine->run(up_step("0001", "CREATE TABLE users (id INTEGER)")).ran);
    EXPECT_FALSE(engine->run(up_step("0001", "CREATE TABLE users (id INTEGER)")).ran);
    EXPECT_EQ(revisions(engine->applied()), std::vector<std::string>{"0001"});
    EXPECT_EQ(engine->dump_schema().find(table.name), std::string::npos);
    // The default table of the same database is a different one.
    EXPECT_TRUE(database.open({}, OpenMode::read_write)->applied().empty());

    AppliedRevision row;
    row.revision = "0002";
    row.checksum = "c2";
    engine->stamp({row});
    EXPECT_TRUE(engine->run(down_step("0002", "DROP TABLE users")).ran);
    EXPECT_TRUE(engine->applied().empty());
  }
}

TYPED_TEST_P(EngineConformance, SelectRowsReturnsTextAndNulls) {
  auto engine = this->open();
  engine->run(up_step("0001", "CREATE TABLE users (id INTEGER, name TEXT)"));
  engine->run(up_step("0002", "INSERT INTO users VALUES (1, 'a'), (2, NULL)"));
  using Row = std::vector<std::optional<std::string>>;
  EXPECT_EQ(engine->select_rows("SELECT id, name FROM users ORDER BY id"),
            (std::vector<Row>{{"1", "a"}, {"2", std::nullopt}}));
  EXPECT_TRUE(engine->select_rows("SELECT id FROM users WHERE id > 2").empty());
}

REGISTER_TYPED_TEST_SUITE_P(
    EngineConformance, EmptyDatabaseHasNothingApplied, UpRecordsRevisionWithChecksumAndDuration,
    PlanningReadKeepsRevisionsChecksumsAndProgress, UpOfAnAppliedRevisionDoesNotRun,
    DownRemovesRevision, FailingStatementRollsBackStepAndRow, FailingDownKeepsTheRevisionRecorded,
    RunsMultiStatementScript, EmptyScriptRecordsRevision, AppliedIsInNumericIdOrder,
    GroupCommitsEveryStep, GroupRollsBackEveryStepOnFailure, StampReplacesRowsWithoutRunningSql,
    StampCreatesTheVersionTable, DumpSchemaIsStableAndLeavesOutVersionTable,
    TransactionNoneRunsAndRecords, TransactionNoneFailureKeepsProgress, VersionTableWithAnyName,
    SelectRowsReturnsTextAndNulls);

}  // namespace retort::testing
