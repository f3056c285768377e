// The PostgreSQL test fixture on a machine without PostgreSQL (simulated with
// RETORT_TEST_PG_BINDIR pointing at an empty folder): it fails and names the
// packages to install, and reports "skipped" (77) only when asked to.
#include <gtest/gtest.h>

#include "support/pg_server.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace retort::testing;

namespace {

class FixtureWithoutPostgres : public ::testing::Test {
 protected:
  ProcessResult start_fixture(const std::string& skip) {
    return run_process(RETORT_PG_FIXTURE, {"start", (dir.path() / "state").string()}, dir.path(),
                       {{"RETORT_TEST_PG_BINDIR", (dir.path() / "bin").string()},
                        {"RETORT_TEST_POSTGRES_URL", ""},
                        {"RETORT_SKIP_POSTGRES", skip}});
  }

  TempDir dir;
};

TEST_F(FixtureWithoutPostgres, FailsAndNamesThePackages) {
  dir.write("bin/pg_config", "");  // a folder, but no initdb or postgres in it
  auto r = start_fixture("");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(std::string("PostgreSQL is not installed: install the Debian packages ") +
                       postgres_packages),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("or set RETORT_SKIP_POSTGRES=1"), std::string::npos) << r.err;
}

TEST_F(FixtureWithoutPostgres, IsSkippedWithSkipPostgres) {
  auto r = start_fixture("1");
  EXPECT_EQ(r.exit_code, 77) << r.err;
  EXPECT_NE(r.err.find("skipping the PostgreSQL tests (RETORT_SKIP_POSTGRES=1)"), std::string::npos)
      << r.err;
}

}  // namespace
