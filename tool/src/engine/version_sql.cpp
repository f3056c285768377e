#include "retort/version_sql.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace retort {

namespace {

// `text` between `quote`s, each inner `quote` doubled: SQL's one escaping rule
// for both identifiers and string literals.
std::string quoted(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

// The n-th (1-based) bound parameter.
std::string param(Dialect dialect, int n) {
  return fmt::format("{}{}", dialect == Dialect::sqlite ? '?' : '$', n);
}

}  // namespace

std::string quote_identifier(std::string_view name) { return quoted(name, '"'); }

std::string quote_literal(std::string_view text) { return quoted(text, '\''); }

std::string qualified_table(Dialect dialect, const VersionTable& table) {
  if (dialect == Dialect::sqlite) return quote_identifier(table.name);
  return fmt::format("{}.{}", quote_identifier(table.schema), quote_identifier(table.name));
}

std::string create_version_table_sql(Dialect dialect, const VersionTable& table) {
  // SQLite has no timestamp type; CURRENT_TIMESTAMP is UTC text in exactly
  // the "YYYY-MM-DD HH:MM:SS" form AppliedRevision uses. NOT NULL on the key
  // because SQLite, unlike PostgreSQL, lets a TEXT PRIMARY KEY hold NULL.
  const char* applied_at = dialect == Dialect::sqlite
                               ? "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP"
                               : "applied_at timestamptz NOT NULL DEFAULT now()";
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (\n"
      "  revision TEXT NOT NULL PRIMARY KEY,\n"
      "  checksum TEXT NOT NULL,\n"
      "  {},\n"
      "  duration_ms BIGINT NOT NULL DEFAULT 0,\n"
      "  statements_done INTEGER\n"
      ")",
      qualified_table(dialect, table), applied_at);
}

std::string insert_version_sql(Dialect dialect, const VersionTable& table,
                               std::string_view revision, std::string_view checksum,
                               std::int64_t duration_ms) {
  return insert_version_expr_sql(dialect, table, quote_literal(revision), quote_literal(checksum),
                                 std::to_string(duration_ms));
}

std::string delete_version_sql(Dialect dialect, const VersionTable& table,
                               std::string_view revision) {
  return delete_version_expr_sql(dialect, table, quote_literal(revision));
}

std::string insert_version_expr_sql(Dialect dialect, const VersionTable& table,
                                    std::string_view revision, std::string_view checksum,
                                    std::string_view duration_ms) {
  return fmt::format("INSERT INTO {} (revision, checksum, duration_ms) VALUES ({}, {}, {})",
                     qualified_table(dialect, table), revision, checksum, duration_ms);
}

std::string delete_version_expr_sql(Dialect dialect, const VersionTable& table,
                                    std::string_view revision) {
  return fmt::format("DELETE FROM {} WHERE revision = {}", qualified_table(dialect, table),
                     revision);
}

std::string select_version_expr_sql(Dialect dialect, const VersionTable& table,
                                    std::string_view revision) {
  return fmt::format("SELECT statements_done FROM {} WHERE revision = {}",
                     qualified_table(dialect, table), revision);
}

std::string upsert_version_param_sql(Dialect dialect, const VersionTable& table) {
  // ON CONFLICT ... DO UPDATE reads the same on SQLite (3.24+) and PostgreSQL.
  return fmt::format(
      "INSERT INTO {} (revision, checksum, duration_ms, statements_done) VALUES ({}, {}, {}, {}) "
      "ON CONFLICT (revision) DO UPDATE SET checksum = excluded.checksum, "
      "duration_ms = excluded.duration_ms, statements_done = excluded.statements_done",
      qualified_table(dialect, table), param(dialect, 1), param(dialect, 2), param(dialect, 3),
      param(dialect, 4));
}

std::string delete_version_param_sql(Dialect dialect, const VersionTable& table) {
  return delete_version_expr_sql(dialect, table, param(dialect, 1));
}

std::string select_version_param_sql(Dialect dialect, const VersionTable& table) {
  return select_version_expr_sql(dialect, table, param(dialect, 1));
}

std::string select_versions_sql(Dialect dialect, const VersionTable& table, RowFields fields) {
  const char* applied_at = dialect == Dialect::sqlite
                               ? "applied_at"
                               : "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')";
  return fmt::format("SELECT revision, checksum, statements_done{} FROM {}",
                     fields == RowFields::all ? fmt::format(", {}, duration_ms", applied_at) : "",
                     qualified_table(dialect, table));
}

void sort_versions(std::vector<AppliedRevision>& rows) {
  auto by_id = [](const auto& a, const auto& b) { return id_less(a.revision, b.revision); };
  if (!std::is_sorted(rows.begin(), rows.end(), by_id)) std::sort(rows.begin(), rows.end(), by_id);
}

std::string clear_versions_sql(Dialect dialect, const VersionTable& table) {
  return fmt::format("DELETE FROM {}", qualified_table(dialect, table));
}

}  // namespace retort
