// retort_roundtrip on SQLite: a correct revision passes, a leftover object of
// each kind fails the round trip, with or without kept databases.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace retort::testing;

namespace {

constexpr const char* base = R"(-- retort:up
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);
-- retort:down
DROP TABLE t;
)";

// A set of 0001 (table t) and 0002 with `up` and `down`, in a folder of its own.
struct TwoRevisions {
  TwoRevisions(const std::string& up, const std::string& down) {
    dir.write("m/0001_base.sql", base);
    dir.write("m/0002_change.sql",
              "-- retort:parent 0001\n-- retort:up\n" + up + "\n-- retort:down\n" + down + "\n");
  }

  // retort_roundtrip revision `id`, keeping databases in `kept`.
  ProcessResult check(const std::string& id) const {
    return run_process(RETORT_ROUNDTRIP, {"-d", migrations, "--cache-dir", kept.string(), "revision", id},
                       dir.path());
  }

  TempDir dir;
  std::string migrations = (dir.path() / "m").string();
  std::filesystem::path kept = dir.path() / "kept";
};

// retort_roundtrip revision 0002 of TwoRevisions(up, down), started from 0001's kept database.
ProcessResult check_second(const std::string& up, const std::string& down) {
  TwoRevisions set(up, down);
  set.check("0001");
  return set.check("0002");
}

TEST(Roundtrip, CorrectRevisionPasses) {
  auto result = check_second(
      "CREATE TABLE u (a INTEGER); CREATE INDEX u_a ON u (a); CREATE VIEW v AS SELECT a FROM u;\n"
      "CREATE TRIGGER u_t AFTER INSERT ON u BEGIN SELECT 1; END;",
      "DROP TRIGGER u_t; DROP VIEW v; DROP INDEX u_a; DROP TABLE u;");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("0002: up, down, up on sqlite: the schemas match"), std::string::npos)
      << result.out;
}

// Each kind of object a down can leave behind fails the round trip, with the
// dumps' diff showing it (the rows are compared first; the message must still
// be the dumps').
TEST(Roundtrip, LeftoverOfEachKindFails) {
  const std::vector<std::tuple<std::string, std::string, std::string>> leftovers{
      {"table", "CREATE TABLE left_behind (a INTEGER);", "+CREATE TABLE left_behind (a INTEGER);\n"},
      {"index", "CREATE INDEX t_name ON t (name);", "+CREATE INDEX t_name ON t (name);\n"},
      {"view", "CREATE VIEW v AS SELECT id FROM t;", "+CREATE VIEW v AS SELECT id FROM t;\n"},
      {"trigger", "CREATE TRIGGER t_t AFTER INSERT ON t BEGIN SELECT 1; END;",
       "+CREATE TRIGGER t_t AFTER INSERT ON t BEGIN SELECT 1; END;\n"},
      {"column", "ALTER TABLE t ADD COLUMN extra INTEGER;",
       "-CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"
       "+CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, extra INTEGER);\n"},
      {"default",
       "DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT DEFAULT 'x');",
       "-CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"
       "+CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT DEFAULT 'x');\n"},
  };
  for (const auto& [kind, up, diff] : leftovers) {
    auto result = check_second(up, "SELECT 1;");
    EXPECT_EQ(result.exit_code, 1) << kind << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("does not restore the schema of 0001"), std::string::npos)
        << kind << ": " << result.err;
    EXPECT_NE(result.err.find("--- schema at 0001 (before upgrading)\n"
                              "+++ schema after downgrading 0002\n"),
              std::string::npos)
        << kind << ": " << result.err;
    EXPECT_NE(result.err.find(diff), std::string::npos) << kind << ": " << result.err;
  }
}

// A down that drops t and creates it again: t moves after s, so the rows
// differ (in creation order) where the dumps (ordered by name) do not, and
// the round trip passes.
TEST(Roundtrip, RowsThatDifferOnlyWhereTheDumpsDoNotPass) {
  TwoRevisions set("CREATE TABLE u (a INTEGER);",
                   "DROP TABLE u; DROP TABLE t; CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);");
  set.dir.write("m/0001_base.sql",
                "-- retort:up\nCREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE s (a INTEGER);\n"
                "-- retort:down\nDROP TABLE s;\nDROP TABLE t;\n");
  ASSERT_EQ(set.check("0001").exit_code, 0);
  auto result = set.check("0002");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("0002: up, down, up on sqlite: the schemas match"), std::string::npos)
      << result.out;
}

// A passing revision gives its parent's database back (one more down), so
// that checking it again starts from there; a failing one loses the
// database it took, and the next check replays from an empty one.
TEST(Roundtrip, KeptParentIsGivenBackOnlyByAPassingCheck) {
  TwoRevisions set("CREATE TABLE u (a INTEGER);", "DROP TABLE u;");
  ASSERT_EQ(set.check("0001").exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(set.kept / "sqlite-0001"));
  for (int i = 0; i < 2; ++i) {
    auto result = set.check("0002");
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(std::filesystem::exists(set.kept / "sqlite-0001"));
    EXPECT_FALSE(std::filesystem::exists(set.kept / "sqlite-0002"));
  }
  set.dir.write("m/0002_change.sql", "-- retort:parent 0001\n-- retort:up\nCREATE TABLE u (a INTEGER);\n"
                                     "-- retort:down\nSELECT 1;\n");
  EXPECT_EQ(set.check("0002").exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(set.kept / "sqlite-0001"));
  auto replayed = set.check("0002");
  EXPECT_EQ(replayed.exit_code, 1) << replayed.out << replayed.err;
  EXPECT_NE(replayed.err.find("does not restore the schema of 0001"), std::string::npos) << replayed.err;
}

// A kept database whose version table no longer matches the scripts (0001
// edited after it was kept) is not used: the check replays from an empty
// database and sees the edited 0001.
TEST(Roundtrip, StaleKeptDatabaseIsNotUsed) {
  TwoRevisions set("CREATE TABLE u (a INTEGER);", "DROP TABLE u;");
  ASSERT_EQ(set.check("0001").exit_code, 0);
  set.dir.write("m/0001_base.sql", "-- retort:up\nCREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, x INTEGER);\n"
                                   "-- retort:down\nDROP TABLE t;\n");
  set.dir.write("m/0002_change.sql", "-- retort:parent 0001\n-- retort:up\nCREATE INDEX t_x ON t (x);\n"
                                     "-- retort:down\nDROP INDEX t_x;\n");
  auto result = set.check("0002");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

// A passing check keeps the parent's database with its sqlite_schema rows,
// and the next check starts from those rather than reading them again; a
// leftover of the downgrade is still seen against them.
TEST(Roundtrip, LeftoverIsSeenAgainstTheKeptRows) {
  TwoRevisions set("CREATE TABLE u (a INTEGER);", "DROP TABLE u;");
  ASSERT_EQ(set.check("0001").exit_code, 0);
  ASSERT_EQ(set.check("0002").exit_code, 0);
  ASSERT_TRUE(std::filesystem::exists(set.kept / "sqlite-0001.rows"));
  set.dir.write("m/0002_change.sql", "-- retort:parent 0001\n-- retort:up\nCREATE TABLE u (a INTEGER);\n"
                                     "-- retort:down\nSELECT 1;\n");
  auto result = set.check("0002");
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("does not restore the schema of 0001"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("+CREATE TABLE u (a INTEGER);\n"), std::string::npos) << result.err;
  // The database is lost with the failure, and its rows with it.
  EXPECT_FALSE(std::filesystem::exists(set.kept / "sqlite-0001"));
  EXPECT_FALSE(std::filesystem::exists(set.kept / "sqlite-0001.rows"));
}

// The kept rows describe the database only as it was kept. Changed since
// (here a table created behind Retort's back, with no version row), it is
// read again: the table is then in every state and the check passes, where
// the kept rows would have made it look like a leftover of 0002's downgrade.
TEST(Roundtrip, KeptRowsOfAChangedDatabaseAreReadAgain) {
  TwoRevisions set("CREATE TABLE u (a INTEGER);", "DROP TABLE u;");
  ASSERT_EQ(set.check("0001").exit_code, 0);
  ASSERT_TRUE(std::filesystem::exists(set.kept / "sqlite-0001.rows"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the file system's clock tick
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((set.kept / "sqlite-0001").c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "CREATE TABLE behind_its_back (a INTEGER)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto result = set.check("0002");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

// A kept ancestor further up than the parent: what was kept with it stands
// for its version table while the scripts still give that table, and the
// revisions between are replayed; once an ancestor's script is edited (0001
// here, after its database was kept), the database is not used.
TEST(Roundtrip, KeptAncestorIsUsedOnlyWhileItsScriptsAreUnchanged) {
  const std::string third =
      "-- retort:parent 0002\n-- retort:up\nCREATE INDEX t_x ON t (x);\n-- retort:down\nDROP INDEX t_x;\n";
  TwoRevisions unchanged("ALTER TABLE t ADD COLUMN x INTEGER;", "ALTER TABLE t DROP COLUMN x;");
  unchanged.dir.write("m/0003_index.sql", third);
  ASSERT_EQ(unchanged.check("0001").exit_code, 0);
  auto result = unchanged.check("0003");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_FALSE(std::filesystem::exists(unchanged.kept / "sqlite-0001"));
  EXPECT_TRUE(std::filesystem::exists(unchanged.kept / "sqlite-0002"));

  TwoRevisions edited("CREATE TABLE u (a INTEGER);", "DROP TABLE u;");
  edited.dir.write("m/0003_index.sql", third);
  ASSERT_EQ(edited.check("0001").exit_code, 0);
  edited.dir.write("m/0001_base.sql", "-- retort:up\nCREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, x INTEGER);\n"
                                      "-- retort:down\nDROP TABLE t;\n");
  result = edited.check("0003");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

}  // namespace
