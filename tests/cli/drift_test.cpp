// When the scripts and the database's record disagree: an applied script
// edited afterwards, an applied revision whose file is gone, a `transaction
// none` script left part way, and a branch merged below applied revisions.
// `upgrade` refuses the first three (exit 6) and applies the last with a
// warning; `check --database` reports all of them, each with file and revision.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "support/project_dir.hpp"

namespace fs = std::filesystem;
using retort::testing::ProjectDir;

namespace {

// A script with one parent (or none) whose up section creates `table`.
std::string script(const std::string& parent, const std::string& table) {
  return (parent.empty() ? std::string() : "-- retort:parent " + parent + "\n") +
         "-- retort:up\nCREATE TABLE " + table + " (id INTEGER PRIMARY KEY,\n  name TEXT);\n" +
         "-- retort:down\nDROP TABLE " + table + ";\n";
}

class Drift : public ::testing::Test, protected ProjectDir {
 protected:
  void SetUp() override {
    dir.write(".env", "SQLITE_PATH=app.db\n");
    dir.write("migrations/0010_users.sql", script("", "users"));
    dir.write("migrations/0020_posts.sql", script("0010", "posts"));
    dir.write("migrations/0030_tags.sql", script("0020", "tags"));
    dir.write("migrations/0040_likes.sql", script("0030", "likes"));
  }

  std::string database() const { return "sqlite:" + (dir.path() / "app.db").string(); }
};

using Ids = std::vector<std::string>;

TEST_F(Drift, ReSavingWithCrlfAndTrailingWhiteSpaceIsNotDrift) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  auto text = dir.read("migrations/0020_posts.sql");
  // Every line with trailing blanks and a CRLF ending, and blank lines at the end.
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string(" \t\r\n") : std::string(1, c);
  text = crlf + "\r\n  \r\n";
  dir.write("migrations/0020_posts.sql", text);

  auto check = retort({"check", "--database"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "migrations: 4 revisions, head 0040, no problems\n" + database() +
                           ": 4 applied, 0 pending, the record matches the scripts\n");
  EXPECT_EQ(check.err, "");
  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.out.find("Nothing to do"), std::string::npos) << up.out;
}

TEST_F(Drift, EditedScriptIsReportedByCheckDatabaseAndRefusedByUpgrade) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  dir.write("migrations/0020_posts.sql", script("0010", "posts_renamed"));
  dir.write("migrations/0050_more.sql", script("0040", "more"));
  const std::string edited =
      "migrations/0020_posts.sql: error: revision 0020 was edited after it was applied (its "
      "checksum differs)\n";

  // The offline check does not read the database, as the build runs it.
  auto offline = retort({"check"});
  EXPECT_EQ(offline.exit_code, 0) << offline.err;

  auto check = retort({"check", "--database"});
  EXPECT_EQ(check.exit_code, 6) << check.err;
  EXPECT_EQ(check.err.find(edited), 0u) << check.err;
  EXPECT_NE(check.err.find("note: if the edit changes nothing that ran, record the new checksum "
                           "with 'retort stamp 0040'"),
            std::string::npos)
      << check.err;
  EXPECT_NE(check.err.find("1 problem in " + database() + "\n"), std::string::npos) << check.err;

  auto json = retort({"check", "--database", "--format", "json"});
  EXPECT_EQ(json.exit_code, 6) << json.err;
  auto document = nlohmann::json::parse(json.out);
  EXPECT_FALSE(document["ok"]);
  ASSERT_EQ(document["diagnostics"].size(), 1u);
  EXPECT_EQ(document["diagnostics"][0]["path"], "migrations/0020_posts.sql");
  EXPECT_EQ(document["database"]["pending"], Ids{"0050"});

  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 6);
  EXPECT_EQ(up.err.find(edited), 0u) << up.err;
  EXPECT_EQ(applied(), (Ids{"0010", "0020", "0030", "0040"}));
}

TEST_F(Drift, AppliedRevisionWhoseFileIsGone) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  fs::remove(dir.path() / "migrations/0040_likes.sql");
  const std::string gone =
      "retort: error: revision 0040 is recorded as applied in the database, but no script has "
      "that id\n";

  auto check = retort({"check", "--database"});
  EXPECT_EQ(check.exit_code, 6) << check.err;
  EXPECT_EQ(check.err.find(gone), 0u) << check.err;
  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 6);
  EXPECT_EQ(up.err.find(gone), 0u) << up.err;
  auto current = retort({"current"});
  EXPECT_EQ(current.exit_code, 0) << current.err;
  EXPECT_NE(current.out.find("0040 (no script with this id)"), std::string::npos) << current.out;
}

// The stamp the edited script's note proposes must be one `stamp` accepts:
// the applied heads among the scripts, not a recorded id without a script.
TEST_F(Drift, EditedScriptBesideAGoneOneProposesAStampOfKnownRevisions) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  fs::remove(dir.path() / "migrations/0040_likes.sql");
  dir.write("migrations/0020_posts.sql", script("0010", "posts_renamed"));

  auto check = retort({"check", "--database"});
  EXPECT_EQ(check.exit_code, 6) << check.err;
  EXPECT_NE(check.err.find("record the new checksum with 'retort stamp 0030'\n"),
            std::string::npos)
      << check.err;
}

TEST_F(Drift, TransactionNoneScriptLeftPartWay) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  dir.write("migrations/0050_two_steps.sql",
            "-- retort:parent 0040\n-- retort:transaction none\n-- retort:up\n"
            "CREATE TABLE first (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n"
            "-- retort:down\nDROP TABLE first;\n");
  ASSERT_EQ(retort({"upgrade"}).exit_code, 1);

  auto check = retort({"check", "--database"});
  EXPECT_EQ(check.exit_code, 6) << check.err;
  EXPECT_EQ(check.err.find("migrations/0050_two_steps.sql: error: revision 0050 stopped part way: it "
                           "runs without a transaction, and only its first 1 statement(s) "
                           "completed\n"),
            0u)
      << check.err;
  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 6) << up.err;
}

// A teammate's revision 0025 on a branch from 0020, merged by 0050 after
// 0030 and 0040 were applied here: it is applied (Alembic does the same),
// after 0040, with a warning that says so.
TEST_F(Drift, BranchMergedBelowAppliedRevisionsIsAppliedWithAWarning) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  dir.write("migrations/0025_teammate.sql", script("0020", "teammate"));
  dir.write("migrations/0050_merge.sql",
            "-- retort:parent 0040 0025\n-- retort:up\n-- retort:down\n");
  const std::string warning =
      "migrations/0025_teammate.sql: warning: revision 0025 sorts below 0040, which is already "
      "applied: upgrade applies it after 0040, out of id order\n"
      "note: it is a branch from 0020 merged after 0040 was applied; check that it works on the "
      "schema as it is now\n";

  auto check = retort({"check", "--database"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.err, warning);
  EXPECT_NE(check.out.find(database() + ": 4 applied, 2 pending, the record matches the scripts\n"),
            std::string::npos)
      << check.out;
  auto json = nlohmann::json::parse(retort({"check", "--database", "--format", "json"}).out);
  EXPECT_TRUE(json["ok"]);
  ASSERT_EQ(json["database"]["out_of_order"].size(), 1u);
  EXPECT_EQ(json["database"]["out_of_order"][0]["path"], "migrations/0025_teammate.sql");

  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(up.err, warning);
  EXPECT_LT(up.out.find("upgrade   0025"), up.out.find("upgrade   0050")) << up.out;
  EXPECT_EQ(applied(), (Ids{"0010", "0020", "0025", "0030", "0040", "0050"}));

  auto again = retort({"check", "--database"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.err, "");
}

TEST_F(Drift, CheckDatabaseOnADatabaseThatDoesNotExistYetCreatesNothing) {
  auto check = retort({"check", "--database"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find(database() + ": 0 applied, 4 pending"), std::string::npos) << check.out;
  EXPECT_FALSE(fs::exists(dir.path() / "app.db"));
}

TEST_F(Drift, CheckDatabaseReportsMalformedScriptsWithoutReadingTheDatabase) {
  dir.write("migrations/0050_bad.sql", "-- retort:parent 0040\n-- retort:up\n");
  auto check = retort({"check", "--database"});
  EXPECT_EQ(check.exit_code, 3) << check.err;
  EXPECT_NE(check.err.find("migrations/0050_bad.sql: error: missing down section"), std::string::npos)
      << check.err;
}

}  // namespace
