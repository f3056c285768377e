// Large inputs: a 100 MB script and a folder of 10,000 scripts are checked
// and applied on SQLite in bounded memory. Labelled "slow"; a quadratic step
// (SQLite once copied the rest of the script for every statement) shows as
// this test running into its CTest timeout, never as a time asserted here.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using retort::testing::ProcessResult;
using retort::testing::run_retort;
using retort::testing::TempDir;

namespace {

// The largest peak resident set size of any child this process has waited
// for, in bytes (Linux reports kilobytes).
std::size_t children_peak_rss() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

TEST(LargeInput, HundredMegabyteScriptIsCheckedAndAppliedInBoundedMemory) {
  TempDir dir;
  dir.write(".env", "SQLITE_PATH=app.db\n");
  fs::create_directories(dir.path() / "migrations");
  const auto path = dir.path() / "migrations/0001_bulk_load.sql";
  // Written in pieces: the children are forked from this process, so it must
  // stay small for their peak to measure retort alone.
  const std::string row = "INSERT INTO bulk (payload) VALUES ('" + std::string(10000, 'x') + "');\n";
  const std::size_t rows = 100 * 1024 * 1024 / row.size() + 1;
  {
    std::ofstream out(path, std::ios::binary);
    out << "-- retort:up\nCREATE TABLE bulk (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);\n";
    for (std::size_t i = 0; i < rows; ++i) out << row;
    out << "-- retort:down\nDROP TABLE bulk;\n";
  }
  const auto size = fs::file_size(path);
  ASSERT_GE(size, 100u * 1024 * 1024);

  auto check = run_retort({"check"}, dir.path());
  ASSERT_EQ(check.exit_code, 0) << check.err;
  auto up = run_retort({"upgrade"}, dir.path());
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto count = run_retort({"current", "--format", "json"}, dir.path());
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_EQ(nlohmann::json::parse(count.out)["current"], std::vector<std::string>{"0001"});

  // The script text is held about twice (the file as read, its up section);
  // anything that copies it per statement, or keeps more copies, shows here.
  // Under AddressSanitizer freed blocks wait in its quarantine (256 MiB by
  // default) before they are reused, which the bound must allow for.
#ifdef __SANITIZE_ADDRESS__
  constexpr std::uintmax_t allocator_slack = 256u * 1024 * 1024;
#else
  constexpr std::uintmax_t allocator_slack = 0;
#endif
  EXPECT_LT(children_peak_rss(), 4 * size + allocator_slack)
      << "peak RSS " << children_peak_rss() / (1024 * 1024) << " MiB";
}

TEST(LargeInput, TenThousandScriptsAreCheckedAndApplied) {
  TempDir dir;
  dir.write(".env", "SQLITE_PATH=app.db\n");
  constexpr int scripts = 10000;
  for (int i = 1; i <= scripts; ++i) {
    auto id = fmt::format("{:05}", i);
    auto parent = i == 1 ? std::string() : fmt::format("-- retort:parent {:05}\n", i - 1);
    auto up = i == 1 ? std::string("CREATE TABLE log (step INTEGER);") : fmt::format("INSERT INTO log VALUES ({});", i);
    auto down = i == 1 ? std::string("DROP TABLE log;") : fmt::format("DELETE FROM log WHERE step = {};", i);
    dir.write(fmt::format("migrations/{}_step.sql", id),
              fmt::format("{}-- retort:up\n{}\n-- retort:down\n{}\n", parent, up, down));
  }

  auto check = run_retort({"check"}, dir.path());
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "migrations: 10000 revisions, head 10000, no problems\n");
  // One transaction: 10,000 commits would measure the disk's sync latency, not Retort.
  auto up = run_retort({"-q", "upgrade", "--single-transaction"}, dir.path());
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto current = run_retort({"current", "--format", "json"}, dir.path());
  ASSERT_EQ(current.exit_code, 0) << current.err;
  auto document = nlohmann::json::parse(current.out);
  EXPECT_EQ(document["current"], std::vector<std::string>{"10000"});
  EXPECT_EQ(document["applied"].size(), static_cast<std::size_t>(scripts));
}

}  // namespace
