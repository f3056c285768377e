#include "retort/script.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/permissions.hpp"
#include "support/temp_dir.hpp"

namespace retort {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

constexpr std::string_view good = "-- retort:up\nSELECT 1;\n-- retort:down\nSELECT 2;\n";

std::vector<std::string> ids(const ScriptSet& set) {
  std::vector<std::string> out;
  for (const auto& s : set.scripts) out.push_back(s.id);
  return out;
}

std::string formatted(const ScriptSet& set) {
  std::string out;
  for (const auto& d : set.diagnostics) out += format_diagnostic(d);
  return out;
}

TEST(LoadScripts, ReadsEverySqlFileSortedById) {
  TempDir dir;
  dir.write("10_ten.sql", good);
  dir.write("0002_two.sql", good);
  dir.write("20261125143000_stamp.sql", good);
  dir.write("1_one.sql", good);
  auto set = load_scripts(dir.path().string());
  EXPECT_TRUE(set.diagnostics.empty()) << formatted(set);
  EXPECT_EQ(ids(set), (std::vector<std::string>{"1", "0002", "10", "20261125143000"}));
  EXPECT_EQ(set.scripts[1].path, dir.path().string() + "/0002_two.sql");
  EXPECT_EQ(set.scripts[1].up->sql, "SELECT 1;\n");
}

// Ids compare as numbers, however long, and equal numbers by their text:
// id_less's order, which the load's compact sort keys must give.
TEST(LoadScripts, SortsLongAndZeroPaddedIdsAsIdLessDoes) {
  TempDir dir;
  for (const char* name : {"100000000000000000000_c.sql", "5_b.sql", "99999999999999999999_a.sql",
                           "123456789012345678_d.sql", "05_e.sql", "1234567890123456789_f.sql"})
    dir.write(name, good);
  const auto sorted = ids(load_scripts(dir.path().string()));
  EXPECT_EQ(sorted, (std::vector<std::string>{"05", "5", "123456789012345678", "1234567890123456789",
                                              "99999999999999999999", "100000000000000000000"}));
  EXPECT_TRUE(std::is_sorted(sorted.begin(), sorted.end(),
                             [](const auto& a, const auto& b) { return id_less(a, b); }));
}

TEST(LoadScripts, IgnoresOtherFilesFoldersAndDotFiles) {
  TempDir dir;
  dir.write("0001_a.sql", good);
  dir.write("README.md", "not sql");
  dir.write("0002_b.sql.orig", "garbage");
  dir.write(".0003_hidden.sql", "garbage");
  dir.write("._0001_a.sql", std::string_view("\0\x05\x16\x07", 4));
  dir.write("nested/0004_deeper.sql", good);
  fs::create_directory(dir.path() / "0005_folder.sql");
  auto set = load_scripts(dir.path().string());
  EXPECT_TRUE(set.diagnostics.empty()) << formatted(set);
  EXPECT_EQ(ids(set), std::vector<std::string>{"0001"});
}

// As before the names came from readdir: a link counts as what it points to.
TEST(LoadScripts, LinksToFilesAreScriptsLinksToFoldersAndDanglingLinksAreNot) {
  TempDir dir;
  TempDir elsewhere;
  elsewhere.write("real.sql", good);
  fs::create_directory(elsewhere.path() / "folder");
  dir.write("0001_a.sql", good);
  fs::create_symlink(elsewhere.path() / "real.sql", dir.path() / "0002_linked.sql");
  fs::create_symlink(elsewhere.path() / "folder", dir.path() / "0003_folder.sql");
  fs::create_symlink(elsewhere.path() / "missing.sql", dir.path() / "0004_dangling.sql");
  auto set = load_scripts(dir.path().string());
  EXPECT_TRUE(set.diagnostics.empty()) << formatted(set);
  EXPECT_EQ(ids(set), (std::vector<std::string>{"0001", "0002"}));
}

TEST(LoadScripts, SqlFileWithABadNameIsReported) {
  TempDir dir;
  dir.write("0001_a.sql", good);
  dir.write("create_users.sql", good);
  auto set = load_scripts(dir.path().string());
  EXPECT_EQ(ids(set), std::vector<std::string>{"0001"});
  ASSERT_EQ(set.diagnostics.size(), 1u);
  EXPECT_EQ(set.diagnostics[0].path, dir.path().string() + "/create_users.sql");
  EXPECT_EQ(set.diagnostics[0].message,
            "file name must be <digits>_<slug>.sql, e.g. 0001_create_users.sql");
}

TEST(LoadScripts, PathsKeepTheDirectoryAsGiven) {
  TempDir dir;
  dir.write("sub/placeholder", "");
  dir.write("0004_x.sql", "-- retort:up\n-- retort:foo\n-- retort:down\n");
  const auto given = dir.path().string() + "/sub/..";
  auto set = load_scripts(given);
  ASSERT_EQ(set.diagnostics.size(), 1u);
  EXPECT_EQ(set.diagnostics[0].path, given + "/0004_x.sql");
  EXPECT_EQ(set.diagnostics[0].line, 2);

  set = load_scripts(given + "/");
  ASSERT_EQ(set.diagnostics.size(), 1u);
  EXPECT_EQ(set.diagnostics[0].path, given + "/0004_x.sql");
}

TEST(LoadScripts, ReportsEveryFileInIdOrder) {
  TempDir dir;
  dir.write("0010_c.sql", "-- retort:up\n");
  dir.write("0002_a.sql", "");
  dir.write("0003_b.sql", good);
  dir.write("x.sql", good);
  auto set = load_scripts(dir.path().string());
  EXPECT_EQ(ids(set), std::vector<std::string>{"0003"});
  std::vector<std::string> files;
  for (const auto& d : set.diagnostics) files.push_back(fs::path(d.path).filename().string());
  EXPECT_EQ(files, (std::vector<std::string>{"x.sql", "0002_a.sql", "0010_c.sql"}));
}

TEST(LoadScripts, MissingDirectory) {
  TempDir dir;
  const auto missing = dir.path().string() + "/migrations";
  auto set = load_scripts(missing);
  EXPECT_TRUE(set.scripts.empty());
  ASSERT_EQ(set.diagnostics.size(), 1u);
  EXPECT_EQ(format_diagnostic(set.diagnostics[0]),
            missing +
                ": error: migrations directory does not exist; run 'retort init' or pass "
                "--directory\n");
}

TEST(LoadScripts, NotADirectory) {
  TempDir dir;
  const auto file = dir.write("migrations", "").string();
  auto set = load_scripts(file);
  ASSERT_EQ(set.diagnostics.size(), 1u);
  EXPECT_EQ(set.diagnostics[0].path, file);
  EXPECT_EQ(set.diagnostics[0].message,
            "not a directory; pass the folder that holds the *.sql scripts with --directory");
}

TEST(LoadScripts, UnreadableDirectoryAndFile) {
  testing::enforce_file_permissions();
  TempDir dir;
  dir.write("0001_a.sql", good);
  dir.write("0002_b.sql", good);
  fs::permissions(dir.path() / "0002_b.sql", fs::perms::none);
  auto set = load_scripts(dir.path().string());
  EXPECT_EQ(ids(set), std::vector<std::string>{"0001"});
  ASSERT_EQ(set.diagnostics.size(), 1u);
  EXPECT_EQ(set.diagnostics[0].path, dir.path().string() + "/0002_b.sql");
  EXPECT_EQ(set.diagnostics[0].message, "cannot read script: Permission denied");

  fs::permissions(dir.path(), fs::perms::owner_write);
  set = load_scripts(dir.path().string());
  ASSERT_EQ(set.diagnostics.size(), 1u);
  EXPECT_EQ(set.diagnostics[0].path, dir.path().string());
  EXPECT_EQ(set.diagnostics[0].message, "cannot read migrations directory: Permission denied");
}

TEST(LoadScripts, TenThousandScripts) {
  TempDir dir;
  for (int i = 1; i <= 10000; ++i) {
    auto parent = i == 1 ? std::string() : "-- retort:parent " + std::to_string(i - 1) + "\n";
    dir.write(std::to_string(i) + "_step.sql",
              parent + "-- retort:up\nCREATE TABLE t" + std::to_string(i) +
                  " (id int);\n-- retort:down\nDROP TABLE t" + std::to_string(i) + ";\n");
  }
  auto set = load_scripts(dir.path().string());
  EXPECT_TRUE(set.diagnostics.empty());
  ASSERT_EQ(set.scripts.size(), 10000u);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(set.scripts[i].id, std::to_string(i + 1));
}

}  // namespace
}  // namespace retort
