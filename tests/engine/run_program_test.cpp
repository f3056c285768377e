// run_program(), which runs pg_dump for `dump-schema` and the round trip's
// fallback: both streams whole, however much the program writes, its exit
// status, its environment, and a program that cannot be started.
#include "engine/run_program.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>

namespace retort {
namespace {

ProgramResult sh(const std::string& script,
                 const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
  auto result = run_program("/bin/sh", {"-c", script}, overrides);
  EXPECT_TRUE(result.has_value());
  return result.value_or(ProgramResult{});
}

TEST(RunProgram, CollectsBothStreamsPastAPipeBuffer) {
  // 1 MiB on each stream, the error first: a reader that waited for the
  // output's end before reading the error would never see either end.
  auto result = sh("head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero | tr '\\0' x");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.err.size(), 1048576u);
  EXPECT_EQ(result.out, std::string(1048576, 'x'));
}

TEST(RunProgram, ReportsTheExitStatusAndTheSignal) {
  EXPECT_EQ(sh("echo failed >&2; exit 3").exit_code, 3);
  EXPECT_EQ(sh("echo failed >&2; exit 3").err, "failed\n");
  EXPECT_EQ(sh("kill -TERM $$").exit_code, 128 + 15);
}

TEST(RunProgram, StandardInputIsClosed) { EXPECT_EQ(sh("cat").out, ""); }

TEST(RunProgram, OverridesAreAddedToTheEnvironment) {
  ::setenv("RETORT_RUN_PROGRAM_KEPT", "kept", 1);
  ::setenv("RETORT_RUN_PROGRAM_SET", "old", 1);
  auto result = sh(
      "printf '%s %s %s' \"$RETORT_RUN_PROGRAM_KEPT\" \"$RETORT_RUN_PROGRAM_SET\" \"$PGPASSWORD\"",
      {{"RETORT_RUN_PROGRAM_SET", "new"}, {"PGPASSWORD", "p=w"}});
  EXPECT_EQ(result.out, "kept new p=w");
}

TEST(RunProgram, AProgramThatCannotStartIsNothingWithErrno) {
  errno = 0;
  EXPECT_FALSE(run_program("/nonexistent/pg_dump", {}, {}).has_value());
  EXPECT_EQ(errno, ENOENT);
}

TEST(FindInPath, FindsTheFirstExecutableOfPath) {
  const char* saved = std::getenv("PATH");
  const std::string path = saved ? saved : "";
  ::setenv("PATH", "/nonexistent:/bin:/usr/bin", 1);
  EXPECT_EQ(find_in_path("sh"), std::optional<std::string>("/bin/sh"));
  EXPECT_EQ(find_in_path("retort-no-such-program"), std::nullopt);
  ::setenv("PATH", path.c_str(), 1);
}

}  // namespace
}  // namespace retort
