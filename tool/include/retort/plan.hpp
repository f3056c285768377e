#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "retort/graph.hpp"
#include "retort/script.hpp"

namespace retort {

// One migration to run in one direction.
struct Step {
  const Script* script = nullptr;
  Direction direction = Direction::up;
};

// Target grammar (Alembic's):
//   upgrade:   head | heads | <id> | <unique id prefix> | +N | <id>+N
//   downgrade: base | <id> | <unique id prefix> | -N | <id>-N
// `applied` holds the ids recorded in the version table that the graph knows;
// each function also takes it as a Membership (applied_positions() in
// runner.hpp), which the CLI uses.
// A target that cannot be resolved, or a relative step that goes past the
// end, throws DiagnosticError with ExitCode::usage; several heads where one is
// required throws with ExitCode::invalid_scripts.

// The revisions to apply, in id order, so that `target` and all its ancestors
// are applied. Empty when there is nothing to do.
std::vector<Step> plan_upgrade(const RevisionGraph& graph,
                               const std::set<std::string>& applied,
                               std::string_view target);
std::vector<Step> plan_upgrade(const RevisionGraph& graph, const Membership& applied,
                               std::string_view target);

// The revisions to revert, newest first, so that exactly the ancestors of
// `target` (inclusive) remain applied; `base` reverts everything. An
// irreversible revision in the way throws DiagnosticError (ExitCode::state)
// naming it, before anything runs.
std::vector<Step> plan_downgrade(const RevisionGraph& graph,
                                 const std::set<std::string>& applied,
                                 std::string_view target);
std::vector<Step> plan_downgrade(const RevisionGraph& graph, const Membership& applied,
                                 std::string_view target);

// plan_upgrade or plan_downgrade, as `direction` says.
std::vector<Step> plan_steps(const RevisionGraph& graph, const std::set<std::string>& applied,
                             Direction direction, std::string_view target);
std::vector<Step> plan_steps(const RevisionGraph& graph, const Membership& applied,
                             Direction direction, std::string_view target);

// The set of revisions the version table must hold after `stamp target`:
// `target`'s ancestors (inclusive), every head's for `heads`, none for `base`.
std::set<std::string> plan_stamp(const RevisionGraph& graph,
                                 std::string_view target);

// The applied revisions no other applied revision descends from, in id order:
// where the database is, as `retort current` prints it. Empty at base.
std::vector<std::string> applied_heads(const RevisionGraph& graph,
                                       const std::set<std::string>& applied);
std::vector<std::string> applied_heads(const RevisionGraph& graph, const Membership& applied);

}  // namespace retort
