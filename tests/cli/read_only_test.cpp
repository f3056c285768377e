// Read-only and missing things: a database file or folder this user may not
// write (reading commands work, `upgrade` fails with one error and creates
// nothing), a missing or empty migrations folder, a missing --env-file. The
// permission tests hold as root too: enforce_file_permissions() takes away
// root's override of file modes, in this process and in retort's.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "support/permissions.hpp"
#include "support/project_dir.hpp"

namespace fs = std::filesystem;
using retort::testing::enforce_file_permissions;
using retort::testing::ProjectDir;

namespace {

constexpr const char* users = R"(-- retort:up
CREATE TABLE users (id INTEGER PRIMARY KEY);
-- retort:down
DROP TABLE users;
)";

constexpr const char* posts = R"(-- retort:parent 0001
-- retort:up
CREATE TABLE posts (id INTEGER PRIMARY KEY);
-- retort:down
DROP TABLE posts;
)";

std::set<std::string> listing(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.insert(entry.path().filename().string());
  return names;
}

std::size_t count(const std::string& text, const std::string& word) {
  std::size_t n = 0;
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

class ReadOnly : public ::testing::Test, protected ProjectDir {
 protected:
  void SetUp() override {
    dir.write(".env", "SQLITE_PATH=data/app.db\n");
    dir.write("migrations/0001_users.sql", users);
    fs::create_directories(dir.path() / "data");
  }

  fs::path data() const { return dir.path() / "data"; }

  // Applies 0001, then adds 0002 for `upgrade` to attempt.
  void apply_first_and_add_second() {
    ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
    dir.write("migrations/0002_posts.sql", posts);
  }

  // `current` and `history` read the database; `upgrade` fails with exactly
  // one error, exit code 5, and leaves the folder and the file as they were.
  void expect_reads_work_and_upgrade_changes_nothing(const std::string& error) {
    auto before = listing(data());
    auto bytes = fs::exists(data() / "app.db") ? dir.read("data/app.db") : std::string();

    auto current = retort({"current"});
    EXPECT_EQ(current.exit_code, 0) << current.err;
    EXPECT_EQ(current.out, bytes.empty() ? "base (no revision applied)\n" : "0001 users\n");
    auto history = retort({"history"});
    EXPECT_EQ(history.exit_code, 0) << history.err;
    EXPECT_EQ(history.err, "");

    auto up = retort({"upgrade"});
    EXPECT_EQ(up.exit_code, 5);
    EXPECT_EQ(up.err.find(error), 0u) << up.err;
    EXPECT_EQ(count(up.err, "error:"), 1u) << up.err;
    EXPECT_EQ(listing(data()), before);
    if (!bytes.empty()) EXPECT_EQ(dir.read("data/app.db"), bytes);
  }
};

TEST_F(ReadOnly, ReadOnlyDatabaseFile) {
  apply_first_and_add_second();
  fs::permissions(data() / "app.db", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  enforce_file_permissions();
  expect_reads_work_and_upgrade_changes_nothing(
      "retort: error: cannot write SQLite database '" + (data() / "app.db").string() +
      "': the file is read-only\n"
      "note: give this user write access to the file and its folder; 'current', 'history' and "
      "'upgrade --sql' only read it\n");
}

TEST_F(ReadOnly, ReadOnlyDatabaseFolder) {
  apply_first_and_add_second();
  fs::permissions(data(), fs::perms::owner_read | fs::perms::owner_exec);
  enforce_file_permissions();
  expect_reads_work_and_upgrade_changes_nothing(
      "retort: error: cannot write SQLite database '" + (data() / "app.db").string() +
      "': folder '" + data().string() + "' is not writable, and SQLite keeps its journal there\n");
}

TEST_F(ReadOnly, ReadOnlyFolderWithoutADatabase) {
  fs::permissions(data(), fs::perms::owner_read | fs::perms::owner_exec);
  enforce_file_permissions();
  expect_reads_work_and_upgrade_changes_nothing("retort: error: cannot write SQLite database '");
  EXPECT_TRUE(listing(data()).empty());
}

TEST_F(ReadOnly, MissingMigrationsFolderIsReportedAndCreatesNothing) {
  fs::remove_all(dir.path() / "migrations");
  const std::string missing =
      "migrations: error: migrations directory does not exist; run 'retort init' or pass "
      "--directory\n";
  for (const char* command : {"upgrade", "check", "revision"}) {
    std::vector<std::string> args{command};
    if (std::string(command) == "revision") args = {"revision", "-m", "first"};
    auto r = retort(args);
    EXPECT_EQ(r.exit_code, 3) << command;
    EXPECT_EQ(r.err.find(missing), 0u) << command << ": " << r.err;
  }
  EXPECT_TRUE(listing(data()).empty());
  EXPECT_FALSE(fs::exists(dir.path() / "migrations"));
}

TEST_F(ReadOnly, EmptyMigrationsFolder) {
  fs::remove(dir.path() / "migrations/0001_users.sql");
  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(up.out, "Nothing to do: migrations has no scripts; write one with 'retort revision -m \"...\"'\n");
  EXPECT_TRUE(listing(data()).empty()) << "no database is created for nothing";
  auto check = retort({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "migrations: 0 revisions, head base, no problems\n");

  auto revision = retort({"revision", "-m", "first"});
  EXPECT_EQ(revision.exit_code, 0) << revision.err;
  EXPECT_EQ(listing(dir.path() / "migrations").size(), 1u);
  EXPECT_EQ(retort({"upgrade"}).exit_code, 0);
  EXPECT_EQ(listing(data()), std::set<std::string>{"app.db"});
}

TEST_F(ReadOnly, EmptyMigrationsFolderStillRefusesARecordWithUnknownRevisions) {
  ASSERT_EQ(retort({"upgrade"}).exit_code, 0);
  fs::remove(dir.path() / "migrations/0001_users.sql");
  auto up = retort({"upgrade"});
  EXPECT_EQ(up.exit_code, 6);
  EXPECT_NE(up.err.find("revision 0001 is recorded as applied in the database, but no script has that id"),
            std::string::npos)
      << up.err;
}

TEST_F(ReadOnly, EnvFileThatDoesNotExist) {
  for (const char* command : {"current", "upgrade", "check"}) {
    auto r = retort({"--env-file", "config/missing.env", command});
    EXPECT_EQ(r.exit_code, 4) << command;
    EXPECT_EQ(r.err,
              "retort: error: env file 'config/missing.env' does not exist\n"
              "note: give --env-file an existing file, or leave it out to use the nearest .env\n");
  }
  EXPECT_TRUE(listing(data()).empty());
}

}  // namespace
