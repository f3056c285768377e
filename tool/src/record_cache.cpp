#include "retort/record_cache.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "cache_file.hpp"
#include "checksum.hpp"
#include "read_file.hpp"

namespace retort {

namespace {

namespace fs = std::filesystem;

// Bump when the file's layout changes: an older file is then a miss.
constexpr std::string_view format_line = "retort-record 1";

// How many databases' records a user keeps; the least recently written go.
constexpr std::size_t kept_files = 64;

std::string table_name(const VersionTable& table) { return table.schema + "." + table.name; }

template <typename Integer>
bool parse_integer(std::string_view text, Integer& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// One line per row: revision, checksum, applied_at, duration, statements done
// ("-" for a complete row), separated by tabs.
std::optional<AppliedRevision> parse_row(std::string_view line) {
  std::string_view fields[5];
  std::size_t count = 0;
  for (std::size_t start = 0; count < 5; ++count) {
    auto tab = line.find('\t', start);
    fields[count] = line.substr(start, tab - start);
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (count != 4) return std::nullopt;  // the last field ends the line, without a tab
  AppliedRevision row{std::string(fields[0]), std::string(fields[1]), std::string(fields[2]), 0,
                      std::nullopt};
  if (!parse_integer(fields[3], row.duration_ms)) return std::nullopt;
  if (fields[4] != "-" && !parse_integer(fields[4], row.statements_done.emplace()))
    return std::nullopt;
  return row;
}

std::string header(const ContentStamp& stamp, const VersionTable& table) {
  return fmt::format("{}\n{}\n{}\n{}\n", format_line, stamp.database, table_name(table),
                     stamp.state);
}

std::optional<std::vector<AppliedRevision>> read_rows(const fs::path& file,
                                                      const ContentStamp& stamp,
                                                      const VersionTable& table) {
  std::string content;
  if (read_file(file.string(), content) != 0) return std::nullopt;
  std::string_view text(content);
  auto expected = header(stamp, table);
  if (!text.starts_with(expected)) return std::nullopt;
  text.remove_prefix(expected.size());
  std::vector<AppliedRevision> rows;
  // A file cut short lacks the last line.
  for (auto end = text.find('\n'); text != "end\n"; end = text.find('\n')) {
    if (end == std::string_view::npos) return std::nullopt;
    auto row = parse_row(text.substr(0, end));
    if (!row) return std::nullopt;
    rows.push_back(std::move(*row));
    text.remove_prefix(end + 1);
  }
  return rows;
}

void write_rows(const fs::path& file, const ContentStamp& stamp, const VersionTable& table,
                const std::vector<AppliedRevision>& rows) {
  auto content = header(stamp, table);
  for (const auto& row : rows) {
    for (std::string_view field : {row.revision, row.checksum, row.applied_at})
      if (field.find_first_of("\t\n") != std::string_view::npos) return;  // not written by Retort
    content += fmt::format("{}\t{}\t{}\t{}\t", row.revision, row.checksum, row.applied_at,
                           row.duration_ms);
    content += row.statements_done ? std::to_string(*row.statements_done) : "-";
    content += '\n';
  }
  content += "end\n";
  if (replace_cache_file(file, {content}))
    keep_newest_cache_files(file.parent_path(), ".record", kept_files);
}

}  // namespace

std::vector<AppliedRevision> RecordCache::applied(Engine& engine, const VersionTable& table,
                                                  RowFields fields) const {
  auto before = engine.content_stamp();
  if (!before)
    return engine.reads_faster_with_hint() ? applied_with_hint(engine, table, fields)
                                           : engine.applied(fields);
  auto file = folder_ / (sha256_hex(before->database + '\n' + table_name(table)).substr(0, 32) +
                         ".record");
  if (auto rows = read_rows(file, *before, table)) return std::move(*rows);
  auto rows = engine.applied();
  // Kept only if nothing committed while they were read.
  if (engine.content_stamp() == before) write_rows(file, *before, table, rows);
  return rows;
}

std::vector<AppliedRevision> RecordCache::applied_with_hint(Engine& engine,
                                                            const VersionTable& table,
                                                            RowFields fields) const {
  // An empty file: its existence is the whole of what is kept.
  // Named by the database as describe() shows it, without a password.
  const auto marker =
      folder_ / (sha256_hex(engine.describe() + '\n' + table_name(table)).substr(0, 32) + ".table");
  std::error_code ec;
  const bool seen = fs::exists(marker, ec);
  auto rows = engine.applied(fields, seen ? TableHint::seen : TableHint::unknown);
  if (seen && rows.empty()) {
    fs::remove(marker, ec);
  } else if (!seen && !rows.empty() && replace_cache_file(marker, {})) {
    keep_newest_cache_files(folder_, ".table", kept_files);
  }
  return rows;
}

std::vector<AppliedRevision> read_applied(Engine& engine, const VersionTable& table,
                                          const RecordCache* cache, RowFields fields) {
  return cache ? cache->applied(engine, table, fields) : engine.applied(fields);
}

}  // namespace retort
