#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "retort/engine.hpp"
#include "retort/graph.hpp"

namespace retort::testing {

// A round trip found a difference; the message says what and shows the diff.
class CheckFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where the checks run: a new scratch database per check on this engine.
struct CheckTarget {
  Dialect engine = Dialect::sqlite;
  std::string server_url;     // PostgreSQL: the server that gets the scratch databases
  VersionTable version_table;
  // Where check_revision keeps the database of each revision that passed, so
  // that the check of a child starts from it rather than replaying every
  // ancestor (a few files, or PostgreSQL databases named retort_kept_*);
  // empty: nothing is kept.
  std::filesystem::path cache_dir;
};

// `revision` on a database brought to its parents: dump A; up, dump B;
// down, dump == A; up again, dump == B. An irreversible revision goes up only.
// On SQLite the rows of sqlite_schema stand for the dumps unless they differ;
// on PostgreSQL the catalogs prove the equalities without dumps when they can
// (docs/cmake.md, "The comparison on SQLite", "The fast path"). With a
// cache_dir, the database starts from the nearest ancestor's kept one when
// that is still what the scripts produce (the checksums of its version table
// match and it holds exactly that ancestor's ancestry): the database itself,
// taken, and kept again once the check passes.
// Throws CheckFailure with a diff of the two dumps on a difference.
void check_revision(const RevisionGraph& graph, const Script& revision, const CheckTarget& target);

// base -> head -> base -> head on a fresh database, each state compared with
// the first time it was reached (the way down is skipped when a revision is
// irreversible), then the head schema compared with `snapshot`. The
// failure message for a missing or different snapshot names
// `snapshot_command`, the command that rewrites it.
void check_head(const RevisionGraph& graph, const CheckTarget& target,
                const std::filesystem::path& snapshot, std::string_view snapshot_command);

// The schema of a fresh database brought to head: what a snapshot holds.
std::string head_schema(const RevisionGraph& graph, const CheckTarget& target);

}  // namespace retort::testing
