#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "retort/engine.hpp"
#include "retort/graph.hpp"
#include "retort/plan.hpp"

namespace retort {

// Told about each step as it happens; the CLI prints, tests record.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void step_done(const Step& step, const StepOutcome& outcome) = 0;
};

struct RunOptions {
  bool single_transaction = false;  // --single-transaction
};

// Where the database's record disagrees with the scripts, one diagnostic
// each: an applied revision without a script, an applied script edited since
// (checksum), a `transaction none` script left part way. Empty when none.
std::vector<Diagnostic> record_problems(const RevisionGraph& graph,
                                        const std::vector<AppliedRevision>& applied,
                                        Dialect dialect);

// The ids of `rows` that the graph knows (an unknown one is verify_applied's business).
std::set<std::string> known_applied(const RevisionGraph& graph,
                                    const std::vector<AppliedRevision>& rows);
// The same as membership by position in graph.scripts(), what planning
// takes: no set of strings to build for a command with nothing to do.
Membership applied_positions(const RevisionGraph& graph, const std::vector<AppliedRevision>& rows);

// Refuses to go on (DiagnosticError, ExitCode::state) with record_problems'
// diagnostics when there are any. Called before any step runs.
void verify_applied(const RevisionGraph& graph,
                    const std::vector<AppliedRevision>& applied,
                    Dialect dialect);

// A warning for each script of `pending` whose id sorts below the highest id
// of `applied`: a branch merged after later revisions were applied, which
// upgrade applies out of id order (docs/revisions.md).
std::vector<Diagnostic> out_of_order(const std::set<std::string>& applied,
                                     const std::vector<const Script*>& pending);

// Runs `steps` in order on `engine`. A failing statement becomes a
// DiagnosticError (ExitCode::migration_failed) located at the script's
// file:line:column, with the database's message, detail and hint.
void run_steps(Engine& engine, const std::vector<Step>& steps, Reporter& reporter,
               const RunOptions& options);

// The SQL that `steps` would run, version-table statements included, as one
// script for `--sql` (Alembic's offline mode). Touches no database.
std::string offline_sql(Dialect dialect, const VersionTable& table,
                        const std::vector<Step>& steps);

// The file position of byte `offset` of `section`'s SQL, and that line's text.
struct SourcePosition {
  int line = 0;
  int column = 0;
  std::string text;
};
SourcePosition locate(const Section& section, std::size_t offset);

}  // namespace retort
