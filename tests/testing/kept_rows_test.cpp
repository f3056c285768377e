#include "kept_rows.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

// Any bytes survive: line ends, NUL, the field separator.
const std::vector<SqliteSchemaRow> rows{
    {"table", "t", "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'a:b\n\0c')"s},
    {"index", "t_note", "CREATE INDEX t_note ON t (note)"},
    {"view", "", ""},
};

struct KeptRowsTest : ::testing::Test {
  TempDir dir;
  fs::path database = dir.write("kept/sqlite-0001", "a database");
  fs::path file = dir.path() / "kept" / "sqlite-0001.rows";
};

TEST_F(KeptRowsTest, ReadsBackWhatWasWritten) {
  ASSERT_TRUE(write_kept_rows(file, database, 42, rows));
  auto kept = read_kept_rows(file, database, true);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->versions, 42u);
  EXPECT_EQ(kept->rows, rows);
  EXPECT_FALSE(fs::exists(file.string() + ".tmp"));
  auto without_rows = read_kept_rows(file, database, false);
  ASSERT_TRUE(without_rows);
  EXPECT_EQ(without_rows->versions, 42u);
  EXPECT_TRUE(without_rows->rows.empty());
}

// A check takes the database by renaming it: the rows still describe it.
TEST_F(KeptRowsTest, FollowTheDatabaseThroughARename) {
  ASSERT_TRUE(write_kept_rows(file, database, 1, rows));
  auto taken = dir.path() / "taken.db";
  fs::rename(database, taken);
  ASSERT_TRUE(read_kept_rows(file, taken, true));
}

// Rows kept for a database are never taken for another file, nor for the same
// file once written to: they would then stand for a state it is not in.
TEST_F(KeptRowsTest, DescribeOnlyTheFileTheyWereWrittenForUnchanged) {
  ASSERT_TRUE(write_kept_rows(file, database, 1, rows));
  EXPECT_FALSE(read_kept_rows(file, dir.write("other.db", "a database"), true));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the file system's clock tick
  std::ofstream(database, std::ios::binary | std::ios::in | std::ios::out) << "A";
  EXPECT_FALSE(read_kept_rows(file, database, true));
  fs::remove(database);
  EXPECT_FALSE(read_kept_rows(file, database, true));
}

TEST_F(KeptRowsTest, NothingWhenMissingOrNotWrittenByThem) {
  EXPECT_FALSE(read_kept_rows(file, database, true));
  ASSERT_TRUE(write_kept_rows(file, database, 1, rows));
  auto text = dir.read("kept/sqlite-0001.rows");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() - 3);
  EXPECT_FALSE(read_kept_rows(file, database, true)) << "a cut file";
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "something else\n" << text;
  EXPECT_FALSE(read_kept_rows(file, database, true)) << "another format";
}

TEST_F(KeptRowsTest, WritingFailsWithoutTheDatabase) {
  fs::remove(database);
  EXPECT_FALSE(write_kept_rows(file, database, 1, rows));
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace retort::testing
