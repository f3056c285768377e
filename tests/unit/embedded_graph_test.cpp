#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "retort/migrations.hpp"

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

}  // namespace
}  // namespace retort
