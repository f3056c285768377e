#include <gtest/gtest.h>

#include <array>

#include "retort/migrations.hpp"

namespace retort {
namespace {

constexpr std::string_view script = "-- retort:up\nCREATE TABLE a (x INT);\n-- retort:down\nDROP TABLE a;\n";

// A program built with `retort embed` starts without hashing its scripts:
// the checksums computed at build time are the ones it compares.
TEST(EmbeddedGraph, UsesTheChecksumsComputedAtBuildTime) {
  const std::array<EmbeddedScript, 1> embedded{{{"0001_a.sql", script, {"sqlite-sum", "postgres-sum"}}}};
  auto graph = load_graph(embedded);
  const auto* loaded = graph.find("0001");
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->checksum(Direction::up, Dialect::sqlite), "sqlite-sum");
  EXPECT_EQ(loaded->checksum(Direction::up, Dialect::postgres), "postgres-sum");
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
