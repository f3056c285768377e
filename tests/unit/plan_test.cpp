#include "retort/plan.hpp"

#include "retort/runner.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>

namespace retort {
namespace {

using Ids = std::vector<std::string>;
using IdSet = std::set<std::string>;

Script script(std::string id, Ids parents = {}, bool irreversible = false) {
  Script s;
  const auto path = fmt::format("migrations/{}_x.sql", id);
  s.path = path;
  s.id = std::move(id);
  s.parent_line = parents.empty() ? 0 : 1;
  s.parents = std::move(parents);
  s.irreversible = irreversible;
  s.keep_text();
  return s;
}

RevisionGraph graph_of(std::vector<Script> scripts) {
  std::vector<Diagnostic> diagnostics;
  auto graph = RevisionGraph::build(std::move(scripts), diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  return graph;
}

//   0001 - 0002 - 0003 - 0004 - 0006 - 0007
//                    \         /
//                     `- 0005 '
RevisionGraph merged() {
  return graph_of({script("0001"), script("0002", {"0001"}), script("0003", {"0002"}),
                   script("0004", {"0003"}), script("0005", {"0003"}),
                   script("0006", {"0004", "0005"}), script("0007", {"0006"})});
}

// 0001 with two children, 0002 and 0003: two heads.
RevisionGraph forked() {
  return graph_of({script("0001"), script("0002", {"0001"}), script("0003", {"0001"})});
}

const IdSet up_to_0006{"0001", "0002", "0003", "0004", "0005", "0006"};
const IdSet all_merged{"0001", "0002", "0003", "0004", "0005", "0006", "0007"};

Ids ids(const std::vector<Step>& steps, Direction direction) {
  Ids out;
  for (const auto& step : steps) {
    EXPECT_EQ(step.direction, direction);
    out.push_back(step.script->id);
  }
  return out;
}

// Each plan both ways: from the set of ids and from membership by position
// (what the CLI passes), which must agree.
Ids up(const RevisionGraph& graph, const IdSet& applied, std::string_view target) {
  auto planned = ids(plan_upgrade(graph, applied, target), Direction::up);
  const Membership by_position{graph.membership(applied)};
  EXPECT_EQ(ids(plan_upgrade(graph, by_position, target), Direction::up), planned);
  return planned;
}

Ids down(const RevisionGraph& graph, const IdSet& applied, std::string_view target) {
  auto planned = ids(plan_downgrade(graph, applied, target), Direction::down);
  const Membership by_position{graph.membership(applied)};
  EXPECT_EQ(ids(plan_downgrade(graph, by_position, target), Direction::down), planned);
  return planned;
}

// The one diagnostic of the DiagnosticError that `f` throws, checked for `code`.
Diagnostic failure(ExitCode code, const std::function<void()>& f) {
  try {
    f();
  } catch (const DiagnosticError& e) {
    EXPECT_EQ(e.code(), code);
    EXPECT_EQ(e.diagnostics().size(), 1u);
    return e.diagnostics().empty() ? Diagnostic{} : e.diagnostics().front();
  }
  ADD_FAILURE() << "no DiagnosticError thrown";
  return {};
}

std::string usage_error(const std::function<void()>& f) {
  return failure(ExitCode::usage, f).message;
}

TEST(PlanUpgrade, HeadAppliesEveryPendingAncestorInIdOrder) {
  const auto graph = merged();
  EXPECT_EQ(up(graph, {}, "head"), (Ids{"0001", "0002", "0003", "0004", "0005", "0006", "0007"}));
  EXPECT_EQ(up(graph, {"0001", "0002", "0003", "0005"}, "head"), (Ids{"0004", "0006", "0007"}));
  EXPECT_TRUE(up(graph, all_merged, "head").empty());
  EXPECT_TRUE(up(graph_of({}), {}, "head").empty());
}

TEST(PlanUpgrade, HeadNeedsASingleHead) {
  const auto d = failure(ExitCode::invalid_scripts, [] { plan_upgrade(forked(), {}, "head"); });
  EXPECT_EQ(d.message, "multiple heads: 0002, 0003; run 'retort merge -m \"...\"' to join them");
  EXPECT_EQ(d.path, "migrations/0003_x.sql");
}

TEST(PlanUpgrade, HeadsAppliesEveryBranch) {
  EXPECT_EQ(up(forked(), {"0001"}, "heads"), (Ids{"0002", "0003"}));
}

TEST(PlanUpgrade, IdOrPrefixAppliesItsAncestors) {
  const auto graph = merged();
  EXPECT_EQ(up(graph, {"0001"}, "0005"), (Ids{"0002", "0003", "0005"}));
  EXPECT_EQ(up(graph, {"0001"}, "4"), (Ids{"0002", "0003", "0004"}));
  EXPECT_TRUE(up(graph, all_merged, "0006").empty());
  EXPECT_EQ(usage_error([&] { plan_upgrade(graph, {}, "000"); }),
            "ambiguous revision prefix '000' matches 0001, 0002, 0003, 0004, 0005 and 2 more");
  EXPECT_EQ(usage_error([&] { plan_upgrade(graph, {}, "42"); }), "unknown revision '42'");
}

TEST(PlanUpgrade, PlusNTakesTheNextPendingRevisions) {
  const auto graph = merged();
  EXPECT_EQ(up(graph, {"0001", "0002"}, "+2"), (Ids{"0003", "0004"}));
  EXPECT_EQ(up(graph, {"0001", "0002", "0003"}, "+2"), (Ids{"0004", "0005"}));
  const IdSet up_to_0005{"0001", "0002", "0003", "0004", "0005"};
  EXPECT_EQ(usage_error([&] { plan_upgrade(graph, up_to_0005, "+3"); }),
            "cannot upgrade +3: only 2 revisions are pending");
  EXPECT_EQ(usage_error([&] { plan_upgrade(graph, all_merged, "+1"); }),
            "cannot upgrade +1: no revisions are pending");
  EXPECT_EQ(usage_error([&] { plan_upgrade(graph, up_to_0006, "+2"); }),
            "cannot upgrade +2: only 1 revision is pending");
}

TEST(PlanUpgrade, IdPlusNWalksChildren) {
  const auto graph = merged();
  EXPECT_EQ(up(graph, {}, "0001+2"), (Ids{"0001", "0002", "0003"}));
  EXPECT_EQ(up(graph, {"0001", "0002", "0003"}, "0004+1"), (Ids{"0004", "0005", "0006"}));
  EXPECT_EQ(usage_error([&] { plan_upgrade(graph, {}, "0002+2"); }),
            "cannot upgrade 0002+2: 0003 has several children (0004, 0005)");
  const auto d = failure(ExitCode::usage, [&] { plan_upgrade(graph, {}, "0006+3"); });
  EXPECT_EQ(d.message, "cannot upgrade 0006+3: only 1 revision is above 0006");
  EXPECT_EQ(d.notes, Ids{"0007 is a head"});
}

TEST(PlanUpgrade, TargetsOutsideTheGrammar) {
  const auto graph = merged();
  for (std::string_view target : {"", "base", "-1", "0003-1", "+0", "+", "abc", "head+1", "1a",
                                  "+99999999999999999999999"}) {
    const auto d = failure(ExitCode::usage, [&] { plan_upgrade(graph, {}, target); });
    EXPECT_EQ(d.message, fmt::format("invalid upgrade target '{}'", target));
    EXPECT_EQ(d.notes, Ids{"expected head, heads, <id>, <id prefix>, +N or <id>+N"});
  }
}

TEST(PlanDowngrade, BaseRevertsEverythingNewestFirst) {
  EXPECT_EQ(down(merged(), {"0001", "0002", "0003", "0005"}, "base"),
            (Ids{"0005", "0003", "0002", "0001"}));
  EXPECT_TRUE(down(merged(), {}, "base").empty());
}

TEST(PlanDowngrade, IdKeepsExactlyItsAncestors) {
  const auto graph = merged();
  EXPECT_EQ(down(graph, all_merged, "0003"), (Ids{"0007", "0006", "0005", "0004"}));
  // The other branch goes too: only 0004's ancestors remain.
  EXPECT_EQ(down(graph, all_merged, "0004"), (Ids{"0007", "0006", "0005"}));
  EXPECT_EQ(down(graph, {"0001", "0002", "0003", "0005"}, "0002"), (Ids{"0005", "0003"}));
  EXPECT_TRUE(down(graph, all_merged, "0007").empty());
  const auto d = failure(ExitCode::usage, [&] { plan_downgrade(graph, {"0001"}, "0002"); });
  EXPECT_EQ(d.message, "cannot downgrade to 0002: it is not applied");
  EXPECT_EQ(d.notes, Ids{"run 'retort current' to see the applied revisions"});
}

TEST(PlanDowngrade, MinusNRevertsTheHighestIds) {
  const auto graph = merged();
  EXPECT_EQ(down(graph, all_merged, "-3"), (Ids{"0007", "0006", "0005"}));
  EXPECT_EQ(down(graph, {"0001", "0002"}, "-2"), (Ids{"0002", "0001"}));
  EXPECT_EQ(usage_error([&] { plan_downgrade(graph, {"0001", "0002"}, "-3"); }),
            "cannot downgrade -3: only 2 revisions are applied");
  EXPECT_EQ(usage_error([&] { plan_downgrade(graph, {}, "-1"); }),
            "cannot downgrade -1: no revisions are applied");
}

TEST(PlanDowngrade, MinusNOrdersIdsAsNumbers) {
  const auto graph = graph_of({script("9"), script("10", {"9"})});
  EXPECT_EQ(down(graph, {"9", "10"}, "-1"), Ids{"10"});
}

TEST(PlanDowngrade, IdMinusNFollowsFirstParents) {
  const auto graph = merged();
  // 0007 -> 0006 -> 0004 (first parent of the merge) -> 0003.
  EXPECT_EQ(down(graph, all_merged, "0007-3"), (Ids{"0007", "0006", "0005", "0004"}));
  EXPECT_EQ(down(graph, all_merged, "0007-2"), (Ids{"0007", "0006", "0005"}));
  const auto d = failure(ExitCode::usage, [&] { plan_downgrade(graph, all_merged, "0002-2"); });
  EXPECT_EQ(d.message,
            "cannot downgrade 0002-2: only 1 revision is below 0002 along first parents");
  EXPECT_EQ(d.notes, Ids{"0001 is a base; use 'base' to revert everything"});
}

TEST(PlanDowngrade, IrreversibleRevisionStopsThePlan) {
  const auto graph = graph_of({script("0001"), script("0002", {"0001"}, true),
                               script("0003", {"0002"}), script("0004", {"0003"}, true)});
  const IdSet applied{"0001", "0002", "0003"};
  const auto d = failure(ExitCode::state, [&] { plan_downgrade(graph, applied, "base"); });
  EXPECT_EQ(d.message, "cannot downgrade past 0002: it is irreversible");
  EXPECT_EQ(d.path, "migrations/0002_x.sql");
  EXPECT_EQ(d.notes, Ids{"to record an earlier revision without running SQL, use 'retort stamp "
                         "<revision>'"});
  // Reverting down to it, or past one that is not applied, is fine.
  EXPECT_EQ(down(graph, applied, "0002"), Ids{"0003"});
}

TEST(PlanDowngrade, TargetsOutsideTheGrammar) {
  for (std::string_view target : {"", "head", "heads", "+1", "0003+1", "-", "-0", "x-1"}) {
    const auto d = failure(ExitCode::usage, [&] { plan_downgrade(merged(), {}, target); });
    EXPECT_EQ(d.message, fmt::format("invalid downgrade target '{}'", target));
    EXPECT_EQ(d.notes, Ids{"expected base, <id>, <id prefix>, -N or <id>-N"});
  }
}

TEST(PlanStamp, Targets) {
  const auto graph = merged();
  EXPECT_TRUE(plan_stamp(graph, "base").empty());
  EXPECT_EQ(plan_stamp(graph, "head"), all_merged);
  EXPECT_EQ(plan_stamp(graph, "heads"), all_merged);
  EXPECT_EQ(plan_stamp(graph, "0005"), (IdSet{"0001", "0002", "0003", "0005"}));
  EXPECT_EQ(plan_stamp(graph, "0002"), (IdSet{"0001", "0002"}));
  EXPECT_EQ(plan_stamp(forked(), "heads"), (IdSet{"0001", "0002", "0003"}));
  EXPECT_EQ(failure(ExitCode::invalid_scripts, [] { plan_stamp(forked(), "head"); }).message,
            "multiple heads: 0002, 0003; run 'retort merge -m \"...\"' to join them");
  const auto d = failure(ExitCode::usage, [&] { plan_stamp(graph, "+1"); });
  EXPECT_EQ(d.message, "invalid stamp target '+1'");
  EXPECT_EQ(d.notes, Ids{"expected base, head, heads, <id> or <id prefix>"});
}

// The rows the graph knows, by position: an unknown row is left out, and the
// rows' order does not matter.
TEST(AppliedPositions, AreTheMembershipOfTheKnownRows) {
  const auto graph = merged();
  std::vector<AppliedRevision> rows;
  for (const char* id : {"0001", "0002", "0003", "0005", "0004", "0009"})
    rows.push_back({.revision = id});
  const auto positions = applied_positions(graph, rows);
  EXPECT_EQ(positions.in, (std::vector<bool>{true, true, true, true, true, false, false}));
  EXPECT_EQ(positions.in, graph.membership(known_applied(graph, rows)));
  EXPECT_EQ(known_applied(graph, rows), (IdSet{"0001", "0002", "0003", "0004", "0005"}));
  EXPECT_EQ(applied_heads(graph, positions), (Ids{"0004", "0005"}));
  EXPECT_EQ(applied_heads(graph, positions), applied_heads(graph, known_applied(graph, rows)));
}

}  // namespace
}  // namespace retort
