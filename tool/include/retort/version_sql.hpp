#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "retort/engine.hpp"
#include "retort/script.hpp"

namespace retort {

// All SQL about the version table, per dialect. Engines run these (with bound
// parameters where the functions take none); `--sql` prints them with literals.
// Each function returns one statement without a terminating semicolon.

// `name` as a double-quoted identifier, inner quotes doubled: safe for any text.
std::string quote_identifier(std::string_view name);

// `text` as a single-quoted SQL string literal, inner quotes doubled.
std::string quote_literal(std::string_view text);

// The table's name as SQL: "schema"."name" on PostgreSQL, "name" on SQLite.
std::string qualified_table(Dialect dialect, const VersionTable& table);

// CREATE TABLE IF NOT EXISTS for the version table.
std::string create_version_table_sql(Dialect dialect, const VersionTable& table);

// The statements that record or remove one revision, with literal values.
std::string insert_version_sql(Dialect dialect, const VersionTable& table,
                               std::string_view revision, std::string_view checksum,
                               std::int64_t duration_ms);
std::string delete_version_sql(Dialect dialect, const VersionTable& table,
                               std::string_view revision);

// The same with each value given as SQL text: a literal escaped by the
// caller (PostgreSQL's PQescapeLiteral knows the connection's quoting rules)
// or an expression computed by the server.
std::string insert_version_expr_sql(Dialect dialect, const VersionTable& table,
                                    std::string_view revision, std::string_view checksum,
                                    std::string_view duration_ms);
std::string delete_version_expr_sql(Dialect dialect, const VersionTable& table,
                                    std::string_view revision);
// The statements_done of `revision`: no row when the revision is not recorded.
std::string select_version_expr_sql(Dialect dialect, const VersionTable& table,
                                    std::string_view revision);

// Parameterised statements, for engines to run with bound values. Placeholders
// are ?N on SQLite and $N on PostgreSQL, numbered as each comment lists them.

// Inserts a row, or overwrites the row of the same revision (how a
// `transaction none` script records its progress): 1 revision, 2 checksum,
// 3 duration_ms, 4 statements_done (NULL once complete).
std::string upsert_version_param_sql(Dialect dialect, const VersionTable& table);

// Deletes the row of 1 revision.
std::string delete_version_param_sql(Dialect dialect, const VersionTable& table);

// The statements_done of 1 revision: no row when the revision is not recorded.
std::string select_version_param_sql(Dialect dialect, const VersionTable& table);

// Every row: revision, checksum, statements_done and, for RowFields::all,
// applied_at as UTC "YYYY-MM-DD HH:MM:SS" text and duration_ms; unordered
// (callers sort_versions()).
std::string select_versions_sql(Dialect dialect, const VersionTable& table, RowFields fields);

// Puts the rows select_versions_sql() read in id order, as Engine::applied()
// returns them; they usually come in that order already (the order applied).
void sort_versions(std::vector<AppliedRevision>& rows);

// Deletes every row (`retort stamp` then inserts the new ones).
std::string clear_versions_sql(Dialect dialect, const VersionTable& table);

}  // namespace retort
