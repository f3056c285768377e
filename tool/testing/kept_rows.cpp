#include "kept_rows.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <charconv>
#include <string>
#include <string_view>
#include <system_error>

#include "cache_file.hpp"
#include "read_file.hpp"

namespace retort::testing {

namespace {

constexpr std::string_view format_line = "retort kept sqlite_schema rows 1\n";

// The database file's identity and state, the line after format_line, which
// the version table's digest follows; empty when it cannot be read.
std::string stamp(const std::filesystem::path& database) {
  struct stat info {};
  if (::stat(database.c_str(), &info) != 0) return {};
  return fmt::format("{} {} {} {}.{:09}\n", info.st_dev, info.st_ino, info.st_size,
                     info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
}

// Each field as its length, a colon and its bytes, so any text survives.
void put(std::string& out, std::string_view field) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, field.size()).ptr;
  *end++ = ':';
  out.append(digits, end).append(field);
}

// The next field put() wrote at `at`, advancing it; nullopt when there is none.
std::optional<std::string> take(std::string_view text, std::size_t& at) {
  std::size_t size = 0;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + text.size(), size);
  if (ec != std::errc() || end == text.data() + text.size() || *end != ':') return std::nullopt;
  auto start = static_cast<std::size_t>(end - text.data()) + 1;
  if (size > text.size() - start) return std::nullopt;
  at = start + size;
  return std::string(text.substr(start, size));
}

}  // namespace

bool write_kept_rows(const std::filesystem::path& file, const std::filesystem::path& database,
                     std::uint64_t versions, const std::vector<SqliteSchemaRow>& rows) {
  std::error_code ec;
  std::filesystem::remove(file, ec);
  auto identity = stamp(database);
  if (identity.empty()) return false;
  std::string text(format_line);
  text += identity;
  put(text, std::to_string(versions));
  std::size_t size = text.size();
  for (const auto& row : rows) size += row.type.size() + row.name.size() + row.sql.size() + 3 * 12;
  text.reserve(size);
  for (const auto& row : rows) {
    put(text, row.type);
    put(text, row.name);
    put(text, row.sql);
  }
  return replace_cache_file(file, {text});
}

std::optional<KeptRows> read_kept_rows(const std::filesystem::path& file,
                                       const std::filesystem::path& database, bool with_rows) {
  std::string text;
  if (read_file(file.string(), text) != 0) return std::nullopt;
  auto identity = stamp(database);
  std::string_view view(text);
  if (identity.empty() || !view.starts_with(format_line) ||
      view.substr(format_line.size(), identity.size()) != identity)
    return std::nullopt;
  std::size_t at = format_line.size() + identity.size();
  auto versions = take(view, at);
  KeptRows kept;
  if (!versions ||
      std::from_chars(versions->data(), versions->data() + versions->size(), kept.versions).ptr !=
          versions->data() + versions->size())
    return std::nullopt;
  while (with_rows && at < view.size()) {
    auto type = take(view, at), name = take(view, at), sql = take(view, at);
    if (!type || !name || !sql) return std::nullopt;
    kept.rows.push_back({std::move(*type), std::move(*name), std::move(*sql)});
  }
  return kept;
}

}  // namespace retort::testing
