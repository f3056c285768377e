#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace retort::testing {

#ifdef RETORT_LIBPQ_ARCHIVE
// Whether the retort executable carries libpq (tool/libpq_archive.cmake)
// rather than loading libpq.so.5 when a PostgreSQL database is first opened.
inline constexpr bool libpq_carried = !std::string_view(RETORT_LIBPQ_ARCHIVE).empty();
#endif

// A project folder of a test's own (its .env and migrations/ in `dir`) and the
// retort binary under test run in it. Fixtures inherit it, so that test bodies
// call retort() and applied() as their own.
struct ProjectDir {
  // Writes the .env with `content` at `mode`: by default only the owner may
  // read it, so that a secret in it draws no warning.
  void write_env(const std::string& content,
                 std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write) const;

  // run_retort in `dir`.
  ProcessResult retort(const std::vector<std::string>& args) const;

  // start_retort in `dir`.
  Process start(const std::vector<std::string>& args) const;

  // The applied revisions, as `current --format json` reports them; a failed
  // `current` fails the test and gives none.
  std::vector<std::string> applied() const;

  // The schema as `dump-schema` prints it; a failed dump fails the test.
  std::string schema() const;

  // `upgrade head`, `downgrade base`, `upgrade head`, each with `options`
  // after the command: every run must succeed.
  void expect_up_down_up(const std::vector<std::string>& options) const;

  TempDir dir;
};

}  // namespace retort::testing
