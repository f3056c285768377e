#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "retort/migrations.hpp"
#include "support/temp_dir.hpp"

namespace retort {
namespace {

constexpr std::string_view script = "-- retort:up\nCREATE TABLE a (x INT);\n-- retort:down\nDROP TABLE a;\n";

// A program built with `retort embed` starts without hashing its scripts:
// the checksums computed at build time are the ones it compares.
TEST(EmbeddedGraph, UsesTheChecksumsComputedAtBuildTime) {
  const std::string sqlite_sum(64, 'a'), postgres_sum(64, 'b');  // hex, but not the script's
  const std::array<EmbeddedScript, 1> embedded{{{"0001_a.sql", script, {sqlite_sum, postgres_sum}}}};
  auto graph = load_graph(embedded);
  const auto* loaded = graph.find("0001");
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->checksum(Direction::up, Dialect::sqlite), sqlite_sum);
  EXPECT_EQ(loaded->checksum(Direction::up, Dialect::postgres), postgres_sum);
}

// Only a SHA-256 in hex fits where checksums are kept; anything else is hashed again.
TEST(EmbeddedGraph, AChecksumOfAnotherLengthIsNotUsed) {
  const std::string too_long(65, 'x');
  const std::array<EmbeddedScript, 1> embedded{{{"0001_a.sql", script, {"short", too_long}}}};
  auto graph = load_graph(embedded);
  auto parsed = parse_script("0001_a.sql", script);
  for (auto dialect : {Dialect::sqlite, Dialect::postgres})
    EXPECT_EQ(graph.find("0001")->checksum(Direction::up, dialect), parsed.script->checksum(Direction::up, dialect));
}

// Kept as a binary digest, an embedded checksum must be hex: other text of its
// length, uppercase hex included, is hashed again rather than trusted.
TEST(EmbeddedGraph, AChecksumThatIsNotLowercaseHexIsNotUsed) {
  auto parsed = parse_script("0001_a.sql", script);
  const auto sum = parsed.script->checksum(Direction::up, Dialect::sqlite);
  std::string upper = sum;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return std::toupper(c); });
  const std::string not_hex(64, 'x');
  const std::array<EmbeddedScript, 1> embedded{{{"0001_a.sql", script, {upper, not_hex}}}};
  auto graph = load_graph(embedded);
  for (auto dialect : {Dialect::sqlite, Dialect::postgres})
    EXPECT_EQ(graph.find("0001")->checksum(Direction::up, dialect), sum);
}

TEST(EmbeddedGraph, HashesWhenNoChecksumWasEmbedded) {
  const std::array<EmbeddedScript, 1> embedded{{{"0001_a.sql", script}}};
  auto graph = load_graph(embedded);
  auto parsed = parse_script("0001_a.sql", script);
  EXPECT_EQ(graph.find("0001")->checksum(Direction::up, Dialect::sqlite),
            parsed.script->checksum(Direction::up, Dialect::sqlite));
  EXPECT_EQ(graph.find("0001")->checksum(Direction::up, Dialect::sqlite).size(), 64u);
}

// A Migrator made from a compiled-in set parses it; on PostgreSQL beside the
// connection (tests/engine/postgres_engine_test.cpp has a real server).
constexpr std::string_view second =
    "-- retort:parent 0001\n-- retort:up\nCREATE TABLE b (x INT);\n-- retort:down\nDROP TABLE b;\n";
constexpr std::string_view broken = "-- retort:parent 0001\n-- retort:frobnicate\n-- retort:up\n";
// Port 1 refuses connections at once.
constexpr std::string_view refusing_server = "postgresql://app:s3cret@127.0.0.1:1/app?sslmode=disable";

ExitCode code_of_migrator(std::span<const EmbeddedScript> scripts, std::string_view url) {
  try {
    Migrator db(scripts, config_from_url(url));
  } catch (const DiagnosticError& e) {
    return e.code();
  }
  return ExitCode::success;
}

TEST(EmbeddedMigrator, UpgradesASqliteDatabaseFromTheCompiledInSet) {
  testing::TempDir dir;
  const auto url = "sqlite:///" + (dir.path() / "app.db").string();
  const std::array<EmbeddedScript, 2> embedded{{{"0001_a.sql", script}, {"0002_b.sql", second}}};
  Migrator db(embedded, config_from_url(url));
  EXPECT_EQ(db.upgrade().size(), 2u);
  EXPECT_EQ(db.current(), std::vector<std::string>{"0002"});
  EXPECT_TRUE(Migrator(embedded, config_from_url(url)).upgrade().empty());
}

TEST(EmbeddedMigrator, ScriptProblemsComeBeforeAServerThatRefuses) {
  const std::array<EmbeddedScript, 2> embedded{{{"0001_a.sql", script}, {"0002_b.sql", broken}}};
  EXPECT_EQ(code_of_migrator(embedded, refusing_server), ExitCode::invalid_scripts);
}

TEST(EmbeddedMigrator, AServerThatRefusesIsAConnectionError) {
  const std::array<EmbeddedScript, 2> embedded{{{"0001_a.sql", script}, {"0002_b.sql", second}}};
  EXPECT_EQ(code_of_migrator(embedded, refusing_server), ExitCode::connection);
}

}  // namespace
}  // namespace retort
