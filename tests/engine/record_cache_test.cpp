#include "retort/record_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine_conformance.hpp"
#include "engine/sqlite_engine.hpp"
#include "retort/config.hpp"
#include "retort/migrations.hpp"
#include "support/temp_dir.hpp"

namespace retort::testing {
namespace {

namespace fs = std::filesystem;

// Only the header's step helpers are wanted here, not its conformance suite.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EngineConformance);

class RecordCacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> open(OpenMode mode = OpenMode::read_write) {
    return open_sqlite_engine(path, table, mode, 0);
  }

  // A step run by another connection, as another process would run it.
  void apply(const std::string& revision, std::string_view sql = "SELECT 1") {
    open()->run(up_step(revision, sql));
  }

  std::vector<std::string> cached_revisions() { return revisions(cache.applied(*open(), table)); }

  // The files the cache holds.
  std::vector<fs::path> cache_files() const {
    std::vector<fs::path> files;
    if (fs::exists(dir.path() / "cache"))
      for (const auto& entry : fs::directory_iterator(dir.path() / "cache"))
        files.push_back(entry.path());
    return files;
  }

  // Rewrites the one cache file with `edit` applied to its text.
  template <typename Edit>
  void edit_cache_file(Edit edit) {
    auto files = cache_files();
    ASSERT_EQ(files.size(), 1u);
    auto name = files[0].filename().string();
    auto text = dir.read("cache/" + name);
    edit(text);
    dir.write("cache/" + name, text);
  }

  TempDir dir;
  std::string path = (dir.path() / "app.db").string();
  VersionTable table;
  RecordCache cache{dir.path() / "cache"};
};

TEST_F(RecordCacheTest, StampHoldsWhileNothingIsCommitted) {
  apply("0001");
  auto stamp = open()->content_stamp();
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->database, "sqlite:" + path);
  auto reader = open(OpenMode::read_only);
  reader->applied();
  EXPECT_EQ(reader->content_stamp(), stamp);
}

TEST_F(RecordCacheTest, EveryCommitChangesTheStamp) {
  apply("0001", "CREATE TABLE t (id INTEGER)");
  auto before = open()->content_stamp();
  apply("0002", "INSERT INTO t VALUES (1)");  // rows only, no schema change
  auto after = open()->content_stamp();
  ASSERT_TRUE(before && after);
  EXPECT_NE(before->state, after->state);
}

TEST_F(RecordCacheTest, AnotherFileAtThePathHasAnotherStamp) {
  apply("0001");
  auto before = open()->content_stamp();
  fs::copy_file(path, path + ".copy");
  fs::rename(path + ".copy", path);  // same bytes, another file
  auto after = open()->content_stamp();
  ASSERT_TRUE(before && after);
  EXPECT_NE(before->state, after->state);
}

TEST_F(RecordCacheTest, NoStampInWalModeWithoutAFileOrInsideAGroup) {
  EXPECT_FALSE(open(OpenMode::read_only)->content_stamp());  // no file
  apply("0001");
  auto engine = open();
  engine->begin_group();
  EXPECT_FALSE(engine->content_stamp());
  engine->commit_group();
  EXPECT_TRUE(engine->content_stamp());
  open()->run(up_step("0002", "PRAGMA journal_mode = WAL", TransactionMode::none));
  EXPECT_FALSE(open()->content_stamp());
}

TEST_F(RecordCacheTest, RowsComeFromTheCacheWhileTheStampHolds) {
  apply("0001");
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{"0001"}));
  // Only a read of the cache can see this revision.
  edit_cache_file([](std::string& text) { text.replace(text.find("\n0001\t") + 1, 4, "0009"); });
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{"0009"}));
}

TEST_F(RecordCacheTest, RowsCommittedSinceAreRead) {
  apply("0001");
  ASSERT_EQ(cached_revisions(), (std::vector<std::string>{"0001"}));
  apply("0002");
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{"0001", "0002"}));
  open()->run(down_step("0001", ""));
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{"0002"}));
}

TEST_F(RecordCacheTest, KeepsEveryField) {
  apply("0001");
  // A `transaction none` script that stopped after one statement: a partial row.
  EXPECT_THROW(open()->run(up_step("0002", "CREATE TABLE t (id INTEGER); SELECT * FROM missing",
                                   TransactionMode::none)),
               StatementError);
  auto read = open()->applied();
  ASSERT_EQ(read.size(), 2u);
  ASSERT_EQ(read[1].statements_done, 1);
  cache.applied(*open(), table);
  auto cached = cache.applied(*open(), table);
  ASSERT_EQ(cached.size(), read.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(cached[i].revision, read[i].revision);
    EXPECT_EQ(cached[i].checksum, read[i].checksum);
    EXPECT_EQ(cached[i].applied_at, read[i].applied_at);
    EXPECT_EQ(cached[i].duration_ms, read[i].duration_ms);
    EXPECT_EQ(cached[i].statements_done, read[i].statements_done);
  }
}

TEST_F(RecordCacheTest, DamagedFileIsReadAgainAndReplaced) {
  apply("0001");
  apply("0002");
  ASSERT_EQ(cached_revisions().size(), 2u);
  edit_cache_file([](std::string& text) { text.resize(text.size() - 30); });  // cut short
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{"0001", "0002"}));
  edit_cache_file([](std::string& text) { text.replace(text.find("\n0002\t") + 1, 5, "0002 "); });
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{"0001", "0002"}));
  edit_cache_file([](std::string& text) { EXPECT_NE(text.find("\n0002\t"), std::string::npos); });
}

TEST_F(RecordCacheTest, EachVersionTableHasItsOwnRecord) {
  apply("0001");
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{"0001"}));
  table.name = "other_versions";
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{}));
  EXPECT_EQ(cache_files().size(), 2u);
}

TEST_F(RecordCacheTest, WalDatabaseIsReadEveryTime) {
  open()->run(up_step("0001", "PRAGMA journal_mode = WAL", TransactionMode::none));
  EXPECT_EQ(cached_revisions(), (std::vector<std::string>{"0001"}));
  EXPECT_TRUE(cache_files().empty());
}

// The embedded API keeps the record only when asked to, and then reads it as
// the CLI does: a record edited behind its back is believed, a commit by
// another connection is seen.
TEST_F(RecordCacheTest, MigratorKeepsItsRecordOnlyWhenAsked) {
  dir.write("migrations/0001_a.sql", "-- retort:up\nCREATE TABLE a (id INTEGER);\n-- retort:down\nDROP TABLE a;\n");
  dir.write("migrations/0002_b.sql",
            "-- retort:parent 0001\n-- retort:up\nCREATE TABLE b (id INTEGER);\n-- retort:down\nDROP TABLE b;\n");
  auto migrator = [&] {
    return Migrator(load_graph((dir.path() / "migrations").string()), config_from_url("sqlite:///" + path));
  };
  migrator().upgrade("0001");
  EXPECT_TRUE(cache_files().empty());

  auto kept = migrator();
  kept.keep_record_in(dir.path() / "cache");
  EXPECT_EQ(kept.current(), (std::vector<std::string>{"0001"}));
  ASSERT_EQ(cache_files().size(), 1u);
  // Only a read of the record can lose 0001.
  edit_cache_file([](std::string& text) { text.replace(text.find("\n0001\t") + 1, 4, "0009"); });
  EXPECT_TRUE(kept.current().empty());

  migrator().upgrade();
  EXPECT_EQ(kept.current(), (std::vector<std::string>{"0002"}));
  EXPECT_TRUE(kept.upgrade().empty());
}

}  // namespace
}  // namespace retort::testing
