#pragma once

#include <string>
#include <string_view>

#include "retort/engine.hpp"
#include "retort/script.hpp"

namespace retort {

// All SQL about the version table, per dialect. Engines run these (with bound
// parameters where the functions take none); `--sql` prints them with literals.

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

}  // namespace retort
