#include "retort/graph.hpp"
#include "retort/migrations.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace retort {
namespace {

using Ids = std::vector<std::string>;

Script script(std::string id, Ids parents = {}) {
  Script s;
  const auto path = fmt::format("migrations/{}_x.sql", id);
  s.path = path;
  s.id = std::move(id);
  s.slug = "x";
  s.parent_line = parents.empty() ? 0 : 2;
  s.parents = std::move(parents);
  s.keep_text();
  return s;
}

RevisionGraph build_clean(std::vector<Script> scripts) {
  std::vector<Diagnostic> diagnostics;
  auto graph = RevisionGraph::build(std::move(scripts), diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << (diagnostics.empty() ? "" : diagnostics[0].message);
  return graph;
}

Ids children_of(const RevisionGraph& graph, std::string_view id) {
  const auto children = graph.children(id);
  return Ids(children.begin(), children.end());
}

Ids ids_of(const RevisionGraph& graph) {
  Ids out;
  for (const auto& s : graph.scripts()) out.push_back(s.id);
  return out;
}

// The DiagnosticError that `f` throws; fails the test when it throws nothing.
DiagnosticError thrown_by(const std::function<void()>& f) {
  try {
    f();
  } catch (const DiagnosticError& e) {
    return e;
  }
  ADD_FAILURE() << "no DiagnosticError thrown";
  return DiagnosticError(ExitCode::internal, Diagnostic{});
}

TEST(RevisionGraph, LinearChainInNumericOrder) {
  auto graph = build_clean({script("10", {"9"}), script("1"), script("9", {"1"})});
  EXPECT_EQ(ids_of(graph), (Ids{"1", "9", "10"}));
  EXPECT_EQ(graph.heads(), Ids{"10"});
  EXPECT_EQ(graph.bases(), Ids{"1"});
  EXPECT_EQ(children_of(graph, "1"), Ids{"9"});
  EXPECT_TRUE(graph.children("10").empty());
  EXPECT_TRUE(graph.children("77").empty());
  EXPECT_EQ(graph.ancestors_inclusive("9"), (std::set<std::string>{"1", "9"}));
  EXPECT_TRUE(graph.ancestors_inclusive("77").empty());
  ASSERT_NE(graph.find("9"), nullptr);
  EXPECT_EQ(graph.find("9")->parents, Ids{"1"});
  EXPECT_EQ(graph.find("09"), nullptr);
  EXPECT_TRUE(graph.single_head_diagnostics().empty());
}

TEST(RevisionGraph, BranchesAndMerge) {
  auto graph = build_clean({script("0001"), script("0002", {"0001"}), script("0003", {"0001"}),
                            script("0004", {"0002", "0003"}), script("0005")});
  EXPECT_EQ(graph.heads(), (Ids{"0004", "0005"}));
  EXPECT_EQ(graph.bases(), (Ids{"0001", "0005"}));
  EXPECT_EQ(children_of(graph, "0001"), (Ids{"0002", "0003"}));
  EXPECT_EQ(graph.ancestors_inclusive("0004"),
            (std::set<std::string>{"0001", "0002", "0003", "0004"}));
}

TEST(RevisionGraph, MembershipFlagsTheScriptsInOrderAndIgnoresUnknownIds) {
  auto graph = build_clean({script("1"), script("9", {"1"}), script("10", {"9"})});
  EXPECT_EQ(graph.membership({"10", "1", "77"}), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(graph.membership({}), (std::vector<bool>{false, false, false}));
}

// A guess is only where find() looks first: a wrong one, or none, finds the
// same script; walking with next() visits the scripts in id order.
TEST(RevisionGraph, FindWithAGuessFindsWhatFindFinds) {
  auto graph = build_clean({script("1"), script("9", {"1"}), script("10", {"9"})});
  const Script* one = graph.first();
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->id, "1");
  EXPECT_EQ(graph.find("9", graph.next(one)), graph.find("9"));
  EXPECT_EQ(graph.find("10", one), graph.find("10"));
  EXPECT_EQ(graph.find("10", nullptr), graph.find("10"));
  EXPECT_EQ(graph.find("77", one), nullptr);
  EXPECT_EQ(graph.next(graph.find("10")), nullptr);
  EXPECT_EQ(graph.next(nullptr), nullptr);
  EXPECT_EQ(build_clean({}).first(), nullptr);
}

TEST(AppliedHeads, AreTheAppliedRevisionsWithoutAnAppliedChildInIdOrder) {
  // 2 branches into 9 and 10; ids of two lengths, so that id order is not the
  // order of the strings.
  auto graph = build_clean({script("1"), script("2", {"1"}), script("9", {"2"}),
                            script("10", {"2"}), script("11", {"9", "10"})});
  EXPECT_EQ(applied_heads(graph, {"1", "2", "9", "10"}), (Ids{"9", "10"}));
  EXPECT_EQ(applied_heads(graph, {"1", "2", "9", "10", "11"}), Ids{"11"});
  EXPECT_EQ(applied_heads(graph, {"1", "2"}), Ids{"2"});
  EXPECT_EQ(applied_heads(graph, {"1", "77"}), Ids{"1"});
  EXPECT_TRUE(applied_heads(graph, {}).empty());
}

TEST(RevisionGraph, SeveralHeadsAreOneDiagnosticAtTheLastHead) {
  auto graph = build_clean({script("0001"), script("0005", {"0001"}), script("0006", {"0001"})});
  const auto diagnostics = graph.single_head_diagnostics();
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].message,
            "multiple heads: 0005, 0006; run 'retort merge -m \"...\"' to join them");
  EXPECT_EQ(diagnostics[0].path, "migrations/0006_x.sql");
}

TEST(RevisionGraph, ManyHeadsAreListedShortly) {
  std::vector<Script> scripts{script("1")};
  for (int i = 2; i <= 9; ++i) scripts.push_back(script(std::to_string(i), {"1"}));
  const auto diagnostics = build_clean(std::move(scripts)).single_head_diagnostics();
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].message,
            "multiple heads: 2, 3, 4, 5, 6 and 3 more; run 'retort merge -m \"...\"' to join "
            "them");
}

TEST(RevisionGraph, DuplicateIdPointsAtTheLaterFile) {
  auto second = script("0003");
  second.path = "migrations/0003_y.sql";
  std::vector<Diagnostic> diagnostics;
  auto graph = RevisionGraph::build({script("0003"), second}, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].path, "migrations/0003_y.sql");
  EXPECT_EQ(diagnostics[0].line, 0);
  EXPECT_EQ(diagnostics[0].message, "duplicate revision id 0003");
  EXPECT_EQ(diagnostics[0].notes,
            Ids{"0003 is already the id of migrations/0003_x.sql; give this file an unused id"});
  ASSERT_EQ(graph.scripts().size(), 1u);
  EXPECT_EQ(graph.scripts()[0].path, "migrations/0003_x.sql");
}

TEST(RevisionGraph, IdsEqualAsNumbersAreDuplicates) {
  std::vector<Diagnostic> diagnostics;
  auto graph = RevisionGraph::build({script("03"), script("003"), script("4", {"03"})},
                                    diagnostics);
  ASSERT_EQ(diagnostics.size(), 2u);
  EXPECT_EQ(diagnostics[0].path, "migrations/03_x.sql");
  EXPECT_EQ(diagnostics[0].message, "duplicate revision id 03");
  EXPECT_EQ(diagnostics[0].notes, Ids{"003 (the same number) is already the id of "
                                      "migrations/003_x.sql; give this file an unused id"});
  // The dropped file's id is not silently redirected to the kept one.
  EXPECT_EQ(diagnostics[1].message, "parent 03 does not exist");
  EXPECT_EQ(diagnostics[1].notes, Ids{"did you mean 003?"});
  EXPECT_EQ(ids_of(graph), (Ids{"003", "4"}));
}

TEST(RevisionGraph, MissingParentIsReportedAtTheDirectiveAndDropped) {
  std::vector<Diagnostic> diagnostics;
  auto graph = RevisionGraph::build({script("0001"), script("0002", {"0001", "0007"})},
                                    diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].path, "migrations/0002_x.sql");
  EXPECT_EQ(diagnostics[0].line, 2);
  EXPECT_EQ(diagnostics[0].message, "parent 0007 does not exist");
  EXPECT_EQ(diagnostics[0].notes, Ids{"name an existing revision, or add the missing script"});
  EXPECT_EQ(graph.find("0002")->parents, Ids{"0001"});
  EXPECT_EQ(graph.heads(), Ids{"0002"});
}

TEST(RevisionGraph, MissingParentSuggestsTheSameNumber) {
  std::vector<Diagnostic> diagnostics;
  RevisionGraph::build({script("0001"), script("0002", {"1"})}, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].message, "parent 1 does not exist");
  EXPECT_EQ(diagnostics[0].notes, Ids{"did you mean 0001?"});
}

TEST(RevisionGraph, ParentNamedTwice) {
  std::vector<Diagnostic> diagnostics;
  auto graph =
      RevisionGraph::build({script("0001"), script("0002", {"0001", "0001"})}, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].message, "parent 0001 is named twice");
  EXPECT_EQ(children_of(graph, "0001"), Ids{"0002"});
}

TEST(RevisionGraph, ParentMustSortBeforeChild) {
  std::vector<Diagnostic> diagnostics;
  auto graph = RevisionGraph::build({script("0005", {"0009"}), script("0009")}, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].path, "migrations/0005_x.sql");
  EXPECT_EQ(diagnostics[0].line, 2);
  EXPECT_EQ(diagnostics[0].message,
            "parent 0009 must sort before its child 0005: give the child a higher id than each "
            "of its parents");
  EXPECT_EQ(diagnostics[0].notes,
            Ids{"ids are compared as numbers; renumber the file or fix retort:parent"});
  EXPECT_TRUE(graph.find("0005")->parents.empty());
  EXPECT_EQ(graph.heads(), (Ids{"0005", "0009"}));
}

TEST(RevisionGraph, OrderingIsNumericNotTextual) {
  // "10" > "9" as numbers although "10" < "9" as text.
  build_clean({script("9"), script("10", {"9"})});
  std::vector<Diagnostic> diagnostics;
  RevisionGraph::build({script("9", {"10"}), script("10")}, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].path, "migrations/9_x.sql");
}

TEST(RevisionGraph, CycleIsReportedOnceAsACycle) {
  std::vector<Diagnostic> diagnostics;
  auto graph = RevisionGraph::build(
      {script("0003", {"0005"}), script("0004", {"0003"}), script("0005", {"0004"})},
      diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].path, "migrations/0003_x.sql");
  EXPECT_EQ(diagnostics[0].line, 2);
  EXPECT_EQ(diagnostics[0].message, "parents form a cycle: 0003 -> 0005 -> 0004 -> 0003");
  EXPECT_EQ(diagnostics[0].notes,
            Ids{"each revision names the next as its parent; fix one retort:parent line"});
  EXPECT_EQ(graph.heads(), Ids{"0005"});
  EXPECT_EQ(graph.bases(), Ids{"0003"});
}

TEST(RevisionGraph, SelfParentIsACycle) {
  std::vector<Diagnostic> diagnostics;
  auto graph = RevisionGraph::build({script("0005", {"0005"})}, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].message, "parents form a cycle: 0005 -> 0005");
  EXPECT_EQ(graph.bases(), Ids{"0005"});
  EXPECT_EQ(graph.heads(), Ids{"0005"});
}

TEST(RevisionGraph, CycleAndOrderingErrorAreReportedSeparately) {
  std::vector<Diagnostic> diagnostics;
  // 0001 <-> 0002 is a cycle; 0003 naming 0004 only breaks the order.
  RevisionGraph::build({script("0001", {"0002"}), script("0002", {"0001"}),
                        script("0003", {"0004"}), script("0004")},
                       diagnostics);
  ASSERT_EQ(diagnostics.size(), 2u);
  EXPECT_EQ(diagnostics[0].message, "parents form a cycle: 0001 -> 0002 -> 0001");
  EXPECT_EQ(diagnostics[1].message,
            "parent 0004 must sort before its child 0003: give the child a higher id than each "
            "of its parents");
}

TEST(RevisionGraph, ResolvesIdsPrefixesAndNumbers) {
  auto graph = build_clean({script("0001"), script("0002", {"0001"}), script("0120", {"0002"}),
                            script("20261125143000", {"0120"})});
  EXPECT_EQ(graph.resolve_id("0002"), "0002");
  EXPECT_EQ(graph.resolve_id("01"), "0120");
  EXPECT_EQ(graph.resolve_id("2026"), "20261125143000");
  EXPECT_EQ(graph.resolve_id("120"), "0120");  // the same number, not a prefix
  EXPECT_EQ(graph.resolve_id("1"), "0001");
}

TEST(RevisionGraph, UnknownRevision) {
  auto graph = build_clean({script("0001")});
  for (std::string_view text : {"42", "", "x"}) {
    const auto e = thrown_by([&] { graph.resolve_id(text); });
    EXPECT_EQ(e.code(), ExitCode::usage);
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].message, fmt::format("unknown revision '{}'", text));
    EXPECT_EQ(e.diagnostics()[0].notes, Ids{"run 'retort history' to list the revisions"});
  }
}

TEST(RevisionGraph, AmbiguousPrefix) {
  std::vector<Script> scripts{script("0001")};
  for (int i = 2; i <= 8; ++i) scripts.push_back(script(fmt::format("{:04}", i), {"0001"}));
  auto graph = build_clean(std::move(scripts));
  auto e = thrown_by([&] { graph.resolve_id("000"); });
  EXPECT_EQ(e.code(), ExitCode::usage);
  EXPECT_EQ(e.diagnostics()[0].message,
            "ambiguous revision prefix '000' matches 0001, 0002, 0003, 0004, 0005 and 3 more");
  EXPECT_EQ(e.diagnostics()[0].notes, Ids{"give more digits of the id"});
}

TEST(RevisionGraph, NumberAndPrefixTogetherAreAmbiguous) {
  auto graph = build_clean({script("0003"), script("0030", {"0003"}), script("30000", {"0030"})});
  auto e = thrown_by([&] { graph.resolve_id("3"); });
  EXPECT_EQ(e.diagnostics()[0].message, "ambiguous revision prefix '3' matches 0003, 30000");
  // A leading zero means the padded form is being typed: a prefix only.
  EXPECT_EQ(graph.resolve_id("003"), "0030");
}

// A long chain with merges, given newest first, and a cycle through all of
// it: the graph is built, its heads and ancestry found, the cycle named from
// its start. How the time grows with the number of scripts is measured by
// bench/run (`retort check` of 10 to 10,000 scripts), not asserted here.
TEST(RevisionGraph, TenThousandScriptsInAChainAndInACycle) {
  constexpr int n = 10'000;
  std::vector<Script> chain, cycle;
  chain.reserve(n);
  cycle.reserve(n);
  for (int i = 1; i <= n; ++i) {
    Ids parents;
    if (i > 1) parents.push_back(std::to_string(i - 1));
    if (i > 3 && i % 10 == 0) parents.push_back(std::to_string(i - 3));
    chain.push_back(script(std::to_string(i), parents));
    cycle.push_back(script(std::to_string(i), {std::to_string(i == 1 ? n : i - 1)}));
  }
  std::reverse(chain.begin(), chain.end());

  std::vector<Diagnostic> diagnostics;
  const RevisionGraph graph = RevisionGraph::build(std::move(chain), diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(graph.heads(), Ids{std::to_string(n)});
  EXPECT_EQ(graph.ancestors_inclusive(std::to_string(n)).size(), std::size_t{n});

  RevisionGraph::build(std::move(cycle), diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_TRUE(diagnostics[0].message.starts_with("parents form a cycle: 1 -> 10000 -> 9999"));
}

}  // namespace
}  // namespace retort
