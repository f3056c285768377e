#include "engine/pg_statements.hpp"

#include <pg_query.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <string>

namespace retort {

namespace {

// Skips white space and comments (`--` to end of line, nested `/* */`) from
// `pos`; libpg_query's statement locations include what precedes a statement.
// A line ends at '\r' as well as '\n', as in PostgreSQL's scanner.
std::size_t skip_blanks(std::string_view sql, std::size_t pos, std::size_t end) {
  while (pos < end) {
    char c = sql[pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++pos;
    } else if (c == '-' && pos + 1 < end && sql[pos + 1] == '-') {
      while (pos < end && sql[pos] != '\n' && sql[pos] != '\r') ++pos;
    } else if (c == '/' && pos + 1 < end && sql[pos + 1] == '*') {
      int depth = 0;
      while (pos < end) {
        if (sql[pos] == '/' && pos + 1 < end && sql[pos + 1] == '*') {
          ++depth;
          pos += 2;
        } else if (sql[pos] == '*' && pos + 1 < end && sql[pos + 1] == '/') {
          pos += 2;
          if (--depth == 0) break;
        } else {
          ++pos;
        }
      }
    } else {
      break;
    }
  }
  return pos;
}

// The statement in [begin, end): from its first token (blanks and comments
// before it skipped) to its last non-blank byte; nothing when it is empty.
// Trailing comments stay: the server ignores them.
std::optional<SqlStatement> make_statement(std::string_view sql, std::size_t begin,
                                           std::size_t end) {
  begin = skip_blanks(sql, begin, end);
  // A ';' before the first token ends an empty statement (";;"), which
  // libpg_query does not report; it is no part of the next one.
  while (begin < end && sql[begin] == ';') begin = skip_blanks(sql, begin + 1, end);
  if (begin >= end) return std::nullopt;
  while (end > begin && std::string_view(" \t\n\r\f\v").find(sql[end - 1]) != std::string_view::npos)
    --end;
  return SqlStatement{begin, end - begin};
}

// The statement end positions (each statement's ';' or the end of its text)
// that libpg_query found, by the parser or else the scanner.
std::vector<std::size_t> statement_ends(const std::string& sql) {
  std::vector<std::size_t> ends;
  auto collect = [&](PgQuerySplitResult result) {
    bool ok = result.error == nullptr;
    if (ok) {
      for (int i = 0; i < result.n_stmts; ++i)
        ends.push_back(static_cast<std::size_t>(result.stmts[i]->stmt_location) +
                       static_cast<std::size_t>(result.stmts[i]->stmt_len));
    }
    pg_query_free_split_result(result);
    return ok;
  };
  if (!collect(pg_query_split_with_parser(sql.c_str()))) {
    ends.clear();
    collect(pg_query_split_with_scanner(sql.c_str()));
  }
  return ends;
}

// The parse tree of `sql` as JSON, or null when it does not parse. libpg_query
// copies the bytes of literals and identifiers into its JSON as they are, so
// a script that is not UTF-8 yields JSON that cannot be read: it counts as not
// parsing, and the server, which refuses such text too, names the problem.
// The engine asks three questions of each script in a row, so the last tree
// is kept: one parse per script instead of three.
const nlohmann::json& parse_tree(std::string_view sql) {
  thread_local std::string last_text;
  thread_local nlohmann::json last_tree;
  thread_local bool valid = false;
  if (valid && last_text == sql) return last_tree;
  std::string text(sql);
  PgQueryParseResult result = pg_query_parse(text.c_str());
  nlohmann::json tree;
  if (result.error == nullptr) {
    tree = nlohmann::json::parse(result.parse_tree, nullptr, /*allow_exceptions=*/false);
    if (tree.is_discarded()) tree = nullptr;
  }
  pg_query_free_parse_result(result);
  last_text = std::move(text);
  last_tree = std::move(tree);
  valid = true;
  return last_tree;
}

// True when the list of DefElem options has `name` (e.g. "concurrently").
bool has_option(const nlohmann::json& options, std::string_view name) {
  if (!options.is_array()) return false;
  for (const auto& option : options) {
    const auto& def = option.value("DefElem", nlohmann::json::object());
    if (def.value("defname", "") == name) return true;
  }
  return false;
}

// The value of boolean DefElem `name`: true when absent (PostgreSQL's defaults
// for the options asked about here) or written without a value.
bool bool_option(const nlohmann::json& options, std::string_view name) {
  if (!options.is_array()) return true;
  for (const auto& option : options) {
    const auto& def = option.value("DefElem", nlohmann::json::object());
    if (def.value("defname", "") != name) continue;
    auto arg = def.value("arg", nlohmann::json::object());
    if (arg.contains("Boolean")) return arg["Boolean"].value("boolval", false);
    if (arg.contains("String")) {
      auto v = arg["String"].value("sval", "");
      return !(v == "false" || v == "off" || v == "no" || v == "0");
    }
    if (arg.contains("Integer")) return arg["Integer"].value("ival", 0) != 0;
    return true;
  }
  return true;
}

// What makes statement `node` ({"IndexStmt": {...}}) impossible inside a
// transaction block; empty when it can run in one. Mirrors the backend's
// PreventInTransactionBlock() calls.
std::string non_transactional_kind(const nlohmann::json& node) {
  if (!node.is_object() || node.empty()) return {};
  const std::string& type = node.begin().key();
  const nlohmann::json& stmt = node.begin().value();
  if (type == "IndexStmt" && stmt.value("concurrent", false)) return "CREATE INDEX CONCURRENTLY";
  if (type == "DropStmt" && stmt.value("concurrent", false)) return "DROP INDEX CONCURRENTLY";
  if (type == "ReindexStmt") {
    if (has_option(stmt.value("params", nlohmann::json()), "concurrently"))
      return "REINDEX CONCURRENTLY";
    auto kind = stmt.value("kind", "");
    if (kind == "REINDEX_OBJECT_SCHEMA") return "REINDEX SCHEMA";
    if (kind == "REINDEX_OBJECT_DATABASE") return "REINDEX DATABASE";
    if (kind == "REINDEX_OBJECT_SYSTEM") return "REINDEX SYSTEM";
  }
  if (type == "VacuumStmt" && stmt.value("is_vacuumcmd", false)) return "VACUUM";
  if (type == "ClusterStmt" && !stmt.contains("relation")) return "CLUSTER without a table";
  if (type == "CreatedbStmt") return "CREATE DATABASE";
  if (type == "DropdbStmt") return "DROP DATABASE";
  if (type == "AlterDatabaseStmt" && has_option(stmt.value("options", nlohmann::json()), "tablespace"))
    return "ALTER DATABASE SET TABLESPACE";
  if (type == "CreateTableSpaceStmt") return "CREATE TABLESPACE";
  if (type == "DropTableSpaceStmt") return "DROP TABLESPACE";
  if (type == "AlterSystemStmt") return "ALTER SYSTEM";
  if (type == "CreateSubscriptionStmt" && bool_option(stmt.value("options", nlohmann::json()), "connect") &&
      bool_option(stmt.value("options", nlohmann::json()), "create_slot"))
    return "CREATE SUBSCRIPTION";
  return {};
}

// The statement keyword of a transaction-control statement, or empty.
std::string transaction_control_kind(const nlohmann::json& node) {
  if (!node.is_object() || !node.contains("TransactionStmt")) return {};
  auto kind = node["TransactionStmt"].value("kind", "");
  static constexpr std::pair<std::string_view, std::string_view> names[] = {
      {"TRANS_STMT_BEGIN", "BEGIN"},
      {"TRANS_STMT_START", "START TRANSACTION"},
      {"TRANS_STMT_COMMIT", "COMMIT"},
      {"TRANS_STMT_ROLLBACK", "ROLLBACK"},
      {"TRANS_STMT_PREPARE", "PREPARE TRANSACTION"},
      {"TRANS_STMT_COMMIT_PREPARED", "COMMIT PREPARED"},
      {"TRANS_STMT_ROLLBACK_PREPARED", "ROLLBACK PREPARED"},
  };
  for (auto [key, name] : names)
    if (kind == key) return std::string(name);
  return {};  // SAVEPOINT and friends are harmless inside a transaction
}

// True when a word of `sql` (a run of ASCII letters and '_', any case) is
// one of `keywords` (lower case). A statement's keywords are written out in
// its text (the scanner folds ASCII case, nothing else), so a script without
// any keyword of a kind has no statement of that kind: no parse needed, and
// most scripts take that way. Splitting at digits, '$' and other bytes finds
// more words than the scanner does, which at worst costs a parse.
bool has_any_keyword(std::string_view sql, std::initializer_list<std::string_view> keywords) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto is_letter = [&](char c) { return (lower(c) >= 'a' && lower(c) <= 'z') || c == '_'; };
  // Compared in place, without copying words: this runs on every script.
  auto is_keyword = [&](std::string_view word) {
    for (auto keyword : keywords)
      if (keyword.size() == word.size() &&
          std::equal(word.begin(), word.end(), keyword.begin(),
                     [&](char a, char b) { return lower(a) == b; }))
        return true;
    return false;
  };
  for (std::size_t i = 0; i < sql.size();) {
    if (!is_letter(sql[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < sql.size() && is_letter(sql[end])) ++end;
    if (is_keyword(sql.substr(i, end - i))) return true;
    i = end;
  }
  return false;
}

// The first statement whose parse node `classify` names, with its offset.
template <typename Classify>
std::optional<NonTransactionalStatement> find_statement(std::string_view sql, Classify classify) {
  const auto& tree = parse_tree(sql);
  if (!tree.is_object()) return std::nullopt;
  for (const auto& entry : tree.value("stmts", nlohmann::json::array())) {
    auto what = classify(entry.value("stmt", nlohmann::json::object()));
    if (what.empty()) continue;
    auto begin = entry.value("stmt_location", std::size_t{0});
    auto end = begin + entry.value("stmt_len", sql.size() - begin);
    return NonTransactionalStatement{skip_blanks(sql, begin, std::min(end, sql.size())),
                                     std::move(what)};
  }
  return std::nullopt;
}

}  // namespace

std::vector<SqlStatement> split_postgres(std::string_view sql) {
  std::string text(sql);
  std::vector<SqlStatement> statements;
  std::size_t begin = 0;
  auto add = [&](std::size_t end) {
    if (auto statement = make_statement(sql, begin, end)) statements.push_back(*statement);
  };
  for (std::size_t end : statement_ends(text)) {
    end = std::min(end, sql.size());
    if (end < begin) continue;
    add(end);
    begin = end < sql.size() && sql[end] == ';' ? end + 1 : end;
  }
  // Whatever follows the last recognised statement still goes to the server,
  // which then reports its error where it really is.
  add(sql.size());
  return statements;
}

bool parses_as_postgres(std::string_view sql) { return parse_tree(sql).is_object(); }

std::optional<NonTransactionalStatement> find_non_transactional_statement(std::string_view sql) {
  // The keywords that non_transactional_kind() needs in a statement.
  if (!has_any_keyword(sql, {"concurrently", "reindex", "vacuum", "cluster", "database",
                             "tablespace", "system", "subscription"}))
    return std::nullopt;
  return find_statement(sql, non_transactional_kind);
}

std::optional<NonTransactionalStatement> find_transaction_control_statement(std::string_view sql) {
  // The keywords of transaction_control_kind()'s statements (END is COMMIT,
  // ABORT is ROLLBACK).
  if (!has_any_keyword(sql, {"begin", "start", "commit", "end", "rollback", "abort", "prepare"}))
    return std::nullopt;
  return find_statement(sql, transaction_control_kind);
}

std::size_t character_position_to_offset(std::string_view text, std::size_t position) {
  std::size_t offset = 0;
  for (std::size_t chars = 1; chars < position && offset < text.size(); ++chars) {
    // Step over one UTF-8 sequence: its lead byte and continuation bytes.
    ++offset;
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80)
      ++offset;
  }
  return std::min(offset, text.size());
}

}  // namespace retort
