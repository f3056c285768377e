// The real retort binary against real SQLite files in temporary folders: every
// command of the Alembic workflow Retort replaces, and the failure paths.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string_view>

#include "support/project_dir.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using retort::testing::libpq_carried;
using retort::testing::ProjectDir;
using retort::testing::run_retort;
using retort::testing::TempDir;

namespace {

constexpr const char* users = R"(-- retort:message Create users
-- retort:up
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
-- retort:down
DROP TABLE users;
)";

constexpr const char* posts = R"(-- retort:parent 0001
-- retort:message Create posts
-- retort:up
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
-- retort:down
DROP TABLE posts;
)";

constexpr const char* index = R"(-- retort:parent 0002
-- retort:message Index posts by user
-- retort:up
CREATE INDEX posts_user_idx ON posts (user_id);
-- retort:down
DROP INDEX posts_user_idx;
)";

constexpr const char* seed = R"(-- retort:parent 0003
-- retort:message Seed an admin
-- retort:up
INSERT INTO users (email) VALUES ('admin@example.com');
-- retort:down
DELETE FROM users WHERE email = 'admin@example.com';
)";

class Cli : public ::testing::Test, protected ProjectDir {
 protected:
  void SetUp() override {
    dir.write(".env", "DB_ENGINE=\"sqlite\"  # the embedded default\nSQLITE_PATH=\"app.db\"\n");
    dir.write("migrations/0001_create_users.sql", users);
    dir.write("migrations/0002_create_posts.sql", posts);
    dir.write("migrations/0003_index_posts.sql", index);
    dir.write("migrations/0004_seed_admin.sql", seed);
  }
};

using Ids = std::vector<std::string>;

TEST_F(Cli, UpgradeHeadAppliesEverythingInOrder) {
  auto r = retort({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("upgrade   0001 Create users"), std::string::npos) << r.out;
  EXPECT_LT(r.out.find("0001"), r.out.find("0004"));
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
  EXPECT_TRUE(fs::exists(dir.path() / "app.db"));
  EXPECT_NE(schema().find("posts_user_idx"), std::string::npos);
}

// libpg_query is loaded only when the PostgreSQL engine parses a script: a
// SQLite run starts and works with a library path in which it cannot load.
TEST_F(Cli, SqliteRunDoesNotLoadThePostgresParser) {
  if (std::string_view(RETORT_PG_QUERY_SONAME).empty()) GTEST_SKIP() << "libpg_query is linked";
  TempDir libraries;
  libraries.write(RETORT_PG_QUERY_SONAME, "");  // "file too short" for the dynamic loader
  auto r = run_retort({"upgrade", "head"}, dir.path(),
                      {{"LD_LIBRARY_PATH", libraries.path().string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
}

// libpq is loaded before the scripts, while they could still be broken: a
// libpq that cannot be loaded is an error that names it and says how to
// install it, but only once the scripts are sound; broken ones come first.
// An executable that carries libpq (tool/libpq_archive.cmake) never loads
// libpq.so.5.
TEST_F(Cli, UnloadableLibpqIsReportedOnlyForSoundScripts) {
  TempDir libraries;
  libraries.write("libpq.so.5", "");  // "file too short" for the dynamic loader
  const std::map<std::string, std::string> env{{"LD_LIBRARY_PATH", libraries.path().string()}};
  const std::vector<std::string> args{"--url", "postgresql://bob@127.0.0.1:1/db", "upgrade", "head"};
  auto sound = run_retort(args, dir.path(), env);
  EXPECT_EQ(sound.exit_code, 5);
  if (libpq_carried) {
    EXPECT_NE(sound.err.find("could not connect to 127.0.0.1:1"), std::string::npos) << sound.err;
    EXPECT_EQ(sound.err.find("libpq"), std::string::npos) << sound.err;
  } else {
    EXPECT_NE(sound.err.find("error: cannot load the PostgreSQL client library libpq.so.5: "),
              std::string::npos)
        << sound.err;
    EXPECT_NE(sound.err.find("apt-get install libpq5"), std::string::npos) << sound.err;
  }

  dir.write("migrations/0005_bad.sql", "-- retort:frobnicate\n-- retort:up\nSELECT 1;\n");
  auto broken = run_retort(args, dir.path(), env);
  EXPECT_EQ(broken.exit_code, 3);
  EXPECT_NE(broken.err.find("migrations/0005_bad.sql:1"), std::string::npos) << broken.err;
  EXPECT_EQ(broken.err.find("libpq"), std::string::npos) << broken.err;
}

// GnuTLS, which libpq.so.5 brings through libldap, is loaded without setting
// itself up (libpq_without_gnutls_init), unless the user's environment says
// otherwise. GNUTLS_DEBUG_LEVEL makes its set-up print "gnutls[2]: ...". An
// executable that carries libpq loads libldap, and GnuTLS with it, only for
// an LDAP service lookup: not at all here.
TEST_F(Cli, LibpqIsLoadedWithoutSettingUpGnutls) {
  const std::vector<std::string> args{"--url", "postgresql://bob@127.0.0.1:1/db", "current"};
  auto plain = run_retort(args, dir.path(), {{"GNUTLS_DEBUG_LEVEL", "2"}, {"GNUTLS_NO_IMPLICIT_INIT", ""}});
  EXPECT_EQ(plain.exit_code, 5) << plain.err;
  EXPECT_EQ(plain.err.find("gnutls["), std::string::npos) << plain.err;

  auto asked = run_retort(args, dir.path(), {{"GNUTLS_DEBUG_LEVEL", "2"}, {"GNUTLS_NO_IMPLICIT_INIT", "0"}});
  EXPECT_EQ(asked.exit_code, 5) << asked.err;
  EXPECT_EQ(asked.err.find("gnutls[") == std::string::npos, libpq_carried) << asked.err;
}

// SQLite's math functions call libm, which the executable loads on their first
// call rather than at start (tool/src/libm_on_demand.cpp): each of them works.
TEST_F(Cli, SqliteMathFunctionsWork) {
  dir.write("migrations/0005_math.sql", R"(-- retort:parent 0004
-- retort:up
CREATE TABLE math (ok INTEGER CHECK (ok = 1));
INSERT INTO math VALUES (
  pow(2, 10) = 1024 AND power(3, 2) = 9 AND sqrt(16) = 4 AND exp(0) = 1 AND ln(exp(2)) = 2
  AND log(100) = 2 AND round(log10(1000), 9) = 3 AND log2(8) = 3 AND log(2, 64) = 6
  AND ceil(1.2) = 2 AND floor(1.8) = 1 AND trunc(-1.5) = -1 AND mod(7, 3) = 1
  AND round(sin(pi() / 2), 9) = 1 AND cos(0) = 1 AND tan(0) = 0 AND asin(0) = 0 AND acos(1) = 0
  AND atan(0) = 0 AND atan2(0, 1) = 0 AND sinh(0) = 0 AND cosh(0) = 1 AND tanh(0) = 0
  AND asinh(0) = 0 AND acosh(1) = 0 AND atanh(0) = 0 AND degrees(pi()) = 180);
-- retort:down
DROP TABLE math;
)");
  auto r = retort({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(applied().back(), "0005");
}

TEST_F(Cli, UpgradeWithoutTargetMeansHeadAndSecondRunDoesNothing) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  auto again = retort({"upgrade", "head"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Nothing to do"), std::string::npos) << again.out;
}

// The record cache (docs/configuration.md) answers a command with nothing to
// do only while the database is unchanged: what another program reverted
// meanwhile is seen and applied again.
TEST_F(Cli, RecordCacheSeesWhatAnotherProgramChanged) {
  TempDir cache;
  const std::map<std::string, std::string> cached{{"RETORT_CACHE_DIR", cache.path().string()}};
  ASSERT_EQ(run_retort({"upgrade", "head"}, dir.path(), cached).exit_code, 0);
  ASSERT_EQ(run_retort({"current"}, dir.path(), cached).exit_code, 0);
  ASSERT_EQ(run_retort({"downgrade", "0003"}, dir.path(), {{"RETORT_CACHE_DIR", "off"}}).exit_code, 0);
  auto current = run_retort({"current"}, dir.path(), cached);
  EXPECT_NE(current.out.find("0003"), std::string::npos) << current.out;
  EXPECT_EQ(current.out.find("0004"), std::string::npos) << current.out;
  auto upgrade = run_retort({"upgrade", "head"}, dir.path(), cached);
  ASSERT_EQ(upgrade.exit_code, 0) << upgrade.err;
  EXPECT_NE(upgrade.out.find("upgrade   0004"), std::string::npos) << upgrade.out;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
}

TEST_F(Cli, UpgradeToRevisionPrefixAndRelative) {
  ASSERT_EQ(retort({"upgrade", "0002"}).exit_code, 0);
  EXPECT_EQ(applied(), (Ids{"0001", "0002"}));
  ASSERT_EQ(retort({"upgrade", "+1"}).exit_code, 0);
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003"}));
  ASSERT_EQ(retort({"upgrade", "0004"}).exit_code, 0);
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004"}));
}

TEST_F(Cli, UpgradePastTheHeadIsAUsageError) {
  ASSERT_EQ(retort({"upgrade", "0003"}).exit_code, 0);
  auto r = retort({"upgrade", "+2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003"}));
}

TEST_F(Cli, DowngradeMinusOneRevisionAndBase) {
  ASSERT_EQ(retort({"upgrade", "head"}).exit_code, 0);
  auto r = retort({"downgrade", "-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("downgrade 0004"), std::string::npos) << r.out;
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003"}));
  ASSERT_EQ(retort({"downgrade", "0001"}).exit_code, 0);
  EXPECT_EQ(applied(), (Ids{"0001"}));
  EXPECT_EQ(schema().find("posts"), std::string::npos);
  ASSERT_EQ(retort({"downgrade", "base"}).exit_code, 0);
  EXPECT_EQ(applied(), Ids{});
  EXPECT_EQ(schema(), "");
}

TEST_F(Cli, DowngradeNeedsATarget) {
  EXPECT_EQ(retort({"downgrade"}).exit_code, 2);
}

TEST_F(Cli, CurrentShowsTheAppliedHead) {
  auto empty = retort({"current"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "base (no revision applied)\n");
  EXPECT_FALSE(fs::exists(dir.path() / "app.db")) << "current must not create the database";
  ASSERT_EQ(retort({"upgrade", "0002"}).exit_code, 0);
  EXPECT_EQ(retort({"current"}).out, "0002 Create posts\n");
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  EXPECT_EQ(retort({"current"}).out, "0004 (head) Seed an admin\n");
}

TEST_F(Cli, HistoryIsNewestFirstWithAppliedMarked) {
  ASSERT_EQ(retort({"upgrade", "0002"}).exit_code, 0);
  auto r = retort({"history"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "  0003 -> 0004 (head), Seed an admin\n"
            "  0002 -> 0003, Index posts by user\n"
            "* 0001 -> 0002, Create posts\n"
            "* <base> -> 0001, Create users\n");
}

TEST_F(Cli, HistoryJson) {
  auto r = retort({"history", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 4u);
  EXPECT_EQ(j[0]["revision"], "0004");
  EXPECT_EQ(j[0]["head"], true);
  EXPECT_EQ(j[3]["applied"], false);
}

TEST_F(Cli, RevisionWritesTheNextScriptOnTheHead) {
  auto r = retort({"revision", "-m", "Add users.name column!"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "migrations/0005_add_users_name_column.sql\n");
  auto text = dir.read("migrations/0005_add_users_name_column.sql");
  EXPECT_EQ(text.rfind("-- retort:parent 0004\n-- retort:message Add users.name column!\n", 0), 0u) << text;
  auto check = retort({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  auto heads = retort({"heads"});
  EXPECT_EQ(heads.out, "0005 (head) Add users.name column!\n");
}

TEST_F(Cli, RevisionInAnEmptyFolderUsesATimestamp) {
  TempDir empty;
  ASSERT_EQ(run_retort({"init"}, empty.path()).exit_code, 0);
  EXPECT_TRUE(fs::exists(empty.path() / ".env"));
  EXPECT_TRUE(fs::is_directory(empty.path() / "migrations"));
  auto r = run_retort({"revision", "-m", "first"}, empty.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.size(), std::string("migrations/20261125143000_first.sql\n").size()) << r.out;
  EXPECT_EQ(r.out.rfind("migrations/20", 0), 0u) << r.out;
}

TEST_F(Cli, FailingMigrationLeavesDatabaseAndVersionTableUnchanged) {
  ASSERT_EQ(retort({"upgrade", "0002"}).exit_code, 0);
  auto before = schema();
  dir.write("migrations/0003_index_posts.sql",
            "-- retort:parent 0002\n"
            "-- retort:up\n"
            "CREATE INDEX posts_user_idx ON posts (user_id);\n"
            "INSERT INTO users (email) VALUES ('x');\n"
            "INSERT INTO nowhere VALUES (1);\n"
            "-- retort:down\n"
            "DROP INDEX posts_user_idx;\n");
  auto r = retort({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("migrations/0003_index_posts.sql:5:1: error: no such table: nowhere\n", 0), 0u)
      << r.err;
  EXPECT_EQ(schema(), before);
  EXPECT_EQ(applied(), (Ids{"0001", "0002"}));
}

TEST_F(Cli, MalformedScriptsAreAllReportedAndNothingRuns) {
  dir.write("migrations/0005_bad.sql", "-- retort:frobnicate\n-- retort:up\nSELECT 1;\n");
  dir.write("migrations/0006_worse.sql", "-- retort:parent 0005\n-- retort:up\nSELECT 1;\n");
  auto r = retort({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("migrations/0005_bad.sql:1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("migrations/0006_worse.sql"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "app.db"));
}

TEST_F(Cli, CheckReportsTwoHeadsAndMergeJoinsThem) {
  dir.write("migrations/0005_branch.sql", "-- retort:parent 0003\n-- retort:up\n-- retort:down\n");
  auto check = retort({"check"});
  EXPECT_EQ(check.exit_code, 3);
  EXPECT_NE(check.err.find("0004, 0005"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("retort merge"), std::string::npos) << check.err;
  auto up = retort({"upgrade", "head"});
  EXPECT_EQ(up.exit_code, 3) << up.err;
  auto merge = retort({"merge", "-m", "join branches"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_EQ(merge.out, "migrations/0006_join_branches.sql\n");
  EXPECT_EQ(retort({"check"}).exit_code, 0);
  ASSERT_EQ(retort({"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(applied(), (Ids{"0001", "0002", "0003", "0004", "0005", "0006"}));
}

TEST_F(Cli, CheckJson) {
  auto r = retort({"check", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["revisions"], 4);
  EXPECT_EQ(j["heads"], nlohmann::json::array({"0004"}));
}

TEST_F(Cli, StampRecordsWithoutRunning) {
  auto r = retort({"stamp", "0002"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(applied(), (Ids{"0001", "0002"}));
  EXPECT_EQ(schema(), "");
  ASSERT_EQ(retort({"stamp", "base"}).exit_code, 0);
  EXPECT_EQ(applied(), Ids{});
}

TEST_F(Cli, ShowPrintsOneRevision) {
  auto r = retort({"show", "0003"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Revision: 0003\nParent: 0002\nChildren: 0004\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CREATE INDEX posts_user_idx"), std::string::npos);
  EXPECT_EQ(retort({"show", "9"}).exit_code, 2);
}

TEST_F(Cli, SqlModePrintsAndTouchesNothing) {
  auto r = retort({"upgrade", "head", "--sql"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("CREATE TABLE users"), std::string::npos);
  EXPECT_NE(r.out.find("retort_version"), std::string::npos);
  EXPECT_NE(r.out.find("'0004'"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.path() / "app.db"));
}

TEST_F(Cli, FindsTheEnvInAParentFolder) {
  fs::create_directories(dir.path() / "src" / "deep");
  auto r = run_retort({"upgrade", "head"}, dir.path() / "src" / "deep");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "app.db"));
  EXPECT_FALSE(fs::exists(dir.path() / "src" / "deep" / "app.db"));
}

TEST_F(Cli, BadEnvValueNamesKeyFileAndLine) {
  dir.write(".env", "# config\nDB_ENGINE=mysql\n");
  auto r = retort({"current"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find(".env:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("DB_ENGINE"), std::string::npos) << r.err;
}

TEST_F(Cli, EditedAppliedScriptIsRefused) {
  ASSERT_EQ(retort({"upgrade", "0002"}).exit_code, 0);
  dir.write("migrations/0002_create_posts.sql",
            std::string(posts).replace(std::string(posts).find("posts ("), 6, "posts2"));
  auto r = retort({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("migrations/0002_create_posts.sql: error: revision 0002 was edited"),
            std::string::npos)
      << r.err;
}

TEST_F(Cli, UnknownCommandIsAUsageError) {
  EXPECT_EQ(retort({"frobnicate"}).exit_code, 2);
}

// The repository's own example migrations go up and down on SQLite.
TEST(Example, UpgradeAndDowngradeTheExampleMigrations) {
  ProjectDir project;
  auto migrations = std::string(RETORT_SOURCE_DIR) + "/migrations";
  project.expect_up_down_up(
      {"--directory", migrations, "--url", "sqlite:///" + (project.dir.path() / "example.db").string()});
}

}  // namespace
