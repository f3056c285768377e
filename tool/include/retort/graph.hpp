#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "retort/diagnostic.hpp"
#include "retort/script.hpp"

namespace retort {

// For each script of a graph, by position in scripts(), whether it belongs to
// some set of revisions (the applied ones): what planning reads, rather than
// a set of strings built for every command.
// (Not made from `{}`, which names the empty set in the planning calls.)
struct Membership {
  explicit Membership(std::vector<bool> of) : in(std::move(of)) {}
  std::vector<bool> in;
  friend bool operator==(const Membership&, const Membership&) = default;
};

// The revision DAG (Alembic's RevisionMap), built once from parsed scripts.
// Because a parent's id always sorts before its child's, ordering revisions by
// id (numerically) is a topological order; everything below relies on that.
class RevisionGraph {
 public:
  // Builds the graph and validates it. Problems (duplicate id, missing
  // parent, cycle, a parent that sorts after its child) are appended to
  // `diagnostics`, located at the script and its parent directive; offending
  // edges are dropped so that the rest of the graph stays usable.
  // Several heads are NOT an error here (see `single_head_diagnostics`).
  static RevisionGraph build(std::vector<Script> scripts,
                             std::vector<Diagnostic>& diagnostics);

  // All scripts in topological (= id) order.
  const std::vector<Script>& scripts() const { return scripts_; }

  // The script with exactly this id, or null.
  const Script* find(std::string_view id) const;
  // The same, looking first at `guess`, one of scripts() or null: a caller
  // walking ids in order (version rows, a sorted set, a script's parent)
  // mostly names the script it guesses, and then no id is hashed.
  const Script* find(std::string_view id, const Script* guess) const;
  // The first script in id order, and the one after `script` (null after the
  // last, or for null): the guesses of a walk through ids in order.
  const Script* first() const { return scripts_.empty() ? nullptr : scripts_.data(); }
  const Script* next(const Script* script) const;

  // Ids of revisions that no other revision names as parent, in id order.
  std::vector<std::string> heads() const;
  // Ids of revisions without parents, in id order.
  std::vector<std::string> bases() const;
  // Ids of the revisions naming `id` as a parent, in id order.
  std::span<const std::string> children(std::string_view id) const;

  // `id` and every revision it descends from.
  std::set<std::string> ancestors_inclusive(std::string_view id) const;

  // For each script, in order, whether `ids` holds its id: one hash lookup
  // per id, where asking `ids` for every script compared a dozen strings each.
  std::vector<bool> membership(const std::set<std::string>& ids) const;
  // The index of `script`, one of scripts(), in scripts().
  std::size_t position(const Script& script) const;

  // One error diagnostic when there is more than one head, naming all heads
  // and suggesting `retort merge`. Empty when fine.
  std::vector<Diagnostic> single_head_diagnostics() const;

  // Resolves a full id or a unique prefix of one. Throws DiagnosticError
  // (ExitCode::usage) for an unknown id or an ambiguous prefix, listing the
  // candidates.
  std::string resolve_id(std::string_view text) const;

 private:
  // The children of scripts_[i] are children_[child_start_[i] .. child_start_[i + 1]):
  // two arrays rather than a container per revision, as every command builds them.
  std::vector<Script> scripts_;
  std::vector<std::size_t> slots_;  // find()'s hash table of positions in scripts_
  std::vector<std::size_t> child_start_;
  std::vector<std::string> children_;
};

}  // namespace retort
