#include "retort/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "retort/version_sql.hpp"

namespace retort {

namespace {

std::string join(const std::vector<std::string>& items) {
  return fmt::format("{}", fmt::join(items, ", "));
}

}  // namespace

Membership applied_positions(const RevisionGraph& graph, const std::vector<AppliedRevision>& rows) {
  Membership applied{std::vector<bool>(graph.scripts().size())};
  // Rows come in id order: each names, mostly, the script after the last one's.
  const Script* guess = graph.first();
  for (const auto& row : rows)
    if (const Script* script = graph.find(row.revision, guess)) {
      applied.in[graph.position(*script)] = true;
      guess = graph.next(script);
    }
  return applied;
}

std::set<std::string> known_applied(const RevisionGraph& graph,
                                    const std::vector<AppliedRevision>& rows) {
  const auto in = applied_positions(graph, rows).in;
  std::set<std::string> ids;
  // In id order, the set's order for ids of one length: with the hint, most
  // inserts compare once.
  for (std::size_t i = 0; i < in.size(); ++i)
    if (in[i]) ids.emplace_hint(ids.end(), graph.scripts()[i].id);
  return ids;
}

SourcePosition locate(const Section& section, std::size_t offset) {
  offset = std::min(offset, section.sql.size());
  SourcePosition pos;
  pos.line = section.first_line;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (section.sql[i] == '\n') {
      ++pos.line;
      line_start = i + 1;
    }
  }
  pos.column = static_cast<int>(offset - line_start) + 1;
  auto line_end = section.sql.find('\n', line_start);
  pos.text = section.sql.substr(line_start, line_end == std::string::npos ? std::string::npos
                                                                           : line_end - line_start);
  return pos;
}

std::vector<Diagnostic> record_problems(const RevisionGraph& graph,
                                        const std::vector<AppliedRevision>& applied,
                                        Dialect dialect) {
  std::vector<Diagnostic> problems;
  std::optional<std::vector<std::string>> heads;  // for a note; only an edited script needs them
  const Script* guess = graph.first();  // rows come in id order
  for (const auto& row : applied) {
    const Script* script = graph.find(row.revision, guess);
    if (script == nullptr) {
      Diagnostic d;
      d.message = fmt::format(
          "revision {} is recorded as applied in the database, but no script has that id", row.revision);
      d.notes = {"restore the missing script (was it renamed or deleted?), or, if the database should "
                 "not have it, record the right revision with 'retort stamp <revision>'"};
      problems.push_back(std::move(d));
      continue;
    }
    guess = graph.next(script);
    if (row.statements_done) {
      Diagnostic d;
      d.path = script->path;
      d.message = fmt::format(
          "revision {} stopped part way: it runs without a transaction, and only its first {} "
          "statement(s) completed",
          row.revision, *row.statements_done);
      d.notes = {
          fmt::format("statement {} failed or was interrupted; nothing after it ran", *row.statements_done + 1),
          fmt::format("to finish: run the remaining statements by hand, then 'retort stamp {}'", row.revision),
          "to undo: revert the completed statements by hand, then 'retort stamp' the revision before it"};
      problems.push_back(std::move(d));
      continue;
    }
    if (!row.checksum.empty() && !script->up_checksum_is(dialect, row.checksum)) {
      if (!heads) heads = applied_heads(graph, known_applied(graph, applied));
      Diagnostic d;
      d.path = script->path;
      d.message = fmt::format("revision {} was edited after it was applied (its checksum differs)",
                              row.revision);
      d.notes = {"restore the script as it was applied and put the change in a new revision "
                 "('retort revision -m ...')",
                 fmt::format("if the edit changes nothing that ran, record the new checksum with "
                             "'retort stamp {}'",
                             join(*heads))};
      problems.push_back(std::move(d));
    }
  }
  return problems;
}

void verify_applied(const RevisionGraph& graph, const std::vector<AppliedRevision>& applied,
                    Dialect dialect) {
  auto problems = record_problems(graph, applied, dialect);
  if (!problems.empty()) throw DiagnosticError(ExitCode::state, std::move(problems));
}

std::vector<Diagnostic> out_of_order(const std::set<std::string>& applied,
                                     const std::vector<const Script*>& pending) {
  std::vector<Diagnostic> warnings;
  if (applied.empty()) return warnings;
  const auto highest = *std::max_element(applied.begin(), applied.end(), [](const auto& a, const auto& b) {
    return id_less(a, b);
  });
  for (const Script* script : pending) {
    if (!id_less(script->id, highest)) continue;
    Diagnostic d;
    d.path = script->path;
    d.message = fmt::format("revision {} sorts below {}, which is already applied: upgrade applies it "
                            "after {}, out of id order",
                            script->id, highest, highest);
    d.notes = {fmt::format("it is a branch from {} merged after {} was applied; check that it works on "
                           "the schema as it is now",
                           script->parents.empty() ? std::string("the base") : join(script->parents),
                           highest)};
    warnings.push_back(std::move(d));
  }
  return warnings;
}

void run_steps(Engine& engine, const std::vector<Step>& steps, Reporter& reporter,
               const RunOptions& options) {
  if (options.single_transaction) engine.begin_group();
  std::string sql;  // the step's, when read from a mapped script cache
  for (const auto& step : steps) {
    const Script& script = *step.script;
    const Section* section = script.section(step.direction, engine.dialect());
    if (section == nullptr)
      throw DiagnosticError(ExitCode::state,
                            Diagnostic{std::string(script.path), 0, 0,
                                       fmt::format("revision {} has no down section", script.id),
                                       {}, {}});
    StepRequest request;
    request.revision = script.id;
    request.direction = step.direction;
    request.sql = script.sql_to_run(*section, sql);
    request.checksum = script.checksum(Direction::up, engine.dialect());
    request.transaction = script.transaction;
    try {
      reporter.step_done(step, engine.run(request));
    } catch (const StatementError& e) {
      auto pos = locate(*section, e.offset);
      Diagnostic d;
      d.path = script.path;
      d.line = pos.line;
      d.column = pos.column;
      d.source_line = pos.text;
      d.message = e.sqlstate.empty() ? e.what() : fmt::format("{} [SQLSTATE {}]", e.what(), e.sqlstate);
      if (!e.detail.empty()) d.notes.push_back("detail: " + e.detail);
      if (!e.hint.empty()) d.notes.push_back("hint: " + e.hint);
      if (script.transaction == TransactionMode::none)
        d.notes.push_back(fmt::format(
            "revision {} runs without a transaction: the statements before this one stay applied, "
            "and the version table records how far it got",
            script.id));
      else if (options.single_transaction)
        d.notes.push_back("the whole run was rolled back (--single-transaction); nothing was recorded");
      else
        d.notes.push_back(fmt::format(
            "revision {} was rolled back; the database is as it was before it", script.id));
      throw DiagnosticError(ExitCode::migration_failed, std::move(d));
    }
  }
  if (options.single_transaction) engine.commit_group();
}

std::string offline_sql(Dialect dialect, const VersionTable& table, const std::vector<Step>& steps) {
  std::string out = create_version_table_sql(dialect, table) + ";\n\n";
  for (const auto& step : steps) {
    const Script& script = *step.script;
    const Section* section = script.section(step.direction, dialect);
    bool up = step.direction == Direction::up;
    out += fmt::format("-- {} {}: {}\n", up ? "upgrade" : "downgrade", script.id, script.message);
    bool transactional = script.transaction == TransactionMode::per_migration;
    if (transactional) out += "BEGIN;\n";
    if (section != nullptr && !section->sql.empty()) {
      out += section->sql;
      if (out.back() != '\n') out += '\n';
    }
    out += (up ? insert_version_sql(dialect, table, script.id, script.checksum(Direction::up, dialect), 0)
               : delete_version_sql(dialect, table, script.id)) +
           ";\n";
    if (transactional) out += "COMMIT;\n";
    out += '\n';
  }
  return out;
}

}  // namespace retort
