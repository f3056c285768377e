// retort_roundtrip on SQLite: a correct revision passes, a leftover object of
// each kind fails the round trip, with or without kept databases.
#include <gtest/gtest.h>

#include <string>
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

// retort_roundtrip revision 0002 of a set of 0001 (table t) and 0002 with `up` and `down`.
ProcessResult check_second(const std::string& up, const std::string& down) {
  TempDir dir;
  dir.write("m/0001_base.sql", base);
  dir.write("m/0002_change.sql", "-- retort:parent 0001\n-- retort:up\n" + up + "\n-- retort:down\n" + down + "\n");
  const std::string migrations = (dir.path() / "m").string(), kept = (dir.path() / "kept").string();
  run_process(RETORT_ROUNDTRIP, {"-d", migrations, "--cache-dir", kept, "revision", "0001"}, dir.path());
  return run_process(RETORT_ROUNDTRIP, {"-d", migrations, "--cache-dir", kept, "revision", "0002"},
                     dir.path());
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

TEST(Roundtrip, LeftoverOfEachKindFails) {
  const std::vector<std::pair<std::string, std::string>> leftovers{
      {"table", "CREATE TABLE left_behind (a INTEGER);"},
      {"index", "CREATE INDEX t_name ON t (name);"},
      {"view", "CREATE VIEW v AS SELECT id FROM t;"},
      {"trigger", "CREATE TRIGGER t_t AFTER INSERT ON t BEGIN SELECT 1; END;"},
      {"column", "ALTER TABLE t ADD COLUMN extra INTEGER;"},
  };
  for (const auto& [kind, up] : leftovers) {
    auto result = check_second(up, "SELECT 1;");
    EXPECT_EQ(result.exit_code, 1) << kind << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("does not restore the schema of 0001"), std::string::npos)
        << kind << ": " << result.err;
  }
}

}  // namespace
