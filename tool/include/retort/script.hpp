#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/diagnostic.hpp"

namespace retort {

// The SQL dialects a section can be written for; one per engine.
enum class Dialect { sqlite, postgres };

// "sqlite" or "postgres".
std::string_view dialect_name(Dialect d);

// The dialect named `name`, or nothing when it is not one.
std::optional<Dialect> parse_dialect(std::string_view name);

enum class Direction { up, down };

// How a script's statements are grouped when they run.
enum class TransactionMode : std::uint8_t {
  per_migration,  // the default: the script and its version row in one transaction
  none,           // "-- retort:transaction none": statement by statement, no transaction
};

// The body of one "-- retort:up" or "-- retort:down" section.
struct Section {
  // The lines after the directive, line endings as LF (see Script::text); a NUL
  // byte follows them, as StepRequest::sql needs.
  std::string_view sql;
  int first_line = 0;  // the file line of sql's first byte (1-based)
  int directive_line = 0;  // the line of the "-- retort:up|down" directive itself
};

// The per-dialect overrides of a script's sections, indexed by Dialect.
struct DialectSections {
  std::array<std::optional<Section>, 2> up, down;
};

// A std::unique_ptr whose copies copy what it points to: for a rarely set
// member that costs a pointer where it is not set.
template <typename T>
class OutOfLine {
 public:
  OutOfLine() = default;
  OutOfLine(const OutOfLine& other) : value_(other ? std::make_unique<T>(*other) : nullptr) {}
  OutOfLine(OutOfLine&&) noexcept = default;
  OutOfLine& operator=(const OutOfLine& other) {
    if (this != &other) value_ = other ? std::make_unique<T>(*other) : nullptr;
    return *this;
  }
  OutOfLine& operator=(OutOfLine&&) noexcept = default;

  explicit operator bool() const { return value_ != nullptr; }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return value_.get(); }
  // The value, made (default-constructed) on first use.
  T& get_or_make() {
    if (!value_) value_ = std::make_unique<T>();
    return *value_;
  }

 private:
  std::unique_ptr<T> value_;
};

// SQL that a read-only file mapping holds (the script cache's), which can be
// read from the file instead: touched through the mapping, the SQL of every
// step stays resident once run, and on Linux 6.18 a fault maps the whole large
// folio of the page cache around it, the SQL of many steps.
class MappedSql {
 public:
  virtual ~MappedSql() = default;
  // `sql`, a view into the mapping, read from the file into `buffer`; `sql`
  // itself when the read fails.
  virtual std::string_view read(std::string_view sql, std::string& buffer) const = 0;

 protected:
  MappedSql() = default;
  MappedSql(const MappedSql&) = default;
  MappedSql& operator=(const MappedSql&) = default;
};

// One parsed migration script, `<id>_<slug>.sql`.
//
// The texts are views, into `text` once keep_text() has run (parse_script and
// the script cache do): one block per script rather than an allocation per
// field, and copies of a Script share it. Whoever sets a view by hand keeps
// its text alive, or calls keep_text().
struct Script {
  std::string id;         // the digits of the file name, as written (leading zeros kept)
  std::string_view slug;  // the rest of the file name, without ".sql"
  std::string_view path;  // for diagnostics, as given to the parser
  std::vector<std::string> parents;  // "-- retort:parent"; empty on a root, several on a merge
  std::string_view message;          // "-- retort:message"; the slug's words when absent
  int parent_line = 0;               // where the parent directive is (0 when none)
  TransactionMode transaction = TransactionMode::per_migration;
  bool irreversible = false;

 private:
  // Beside the small fields above, where it needs no padding of its own.
  mutable std::uint8_t known_up_checksums_ = 0;  // a bit per Dialect

 public:
  std::optional<Section> up, down;
  // The per-dialect overrides; most scripts have none, and then this is null
  // rather than four empty sections in each of a thousand scripts.
  OutOfLine<DialectSections> dialect_sections;

  // The dialect's own section of `direction`, or null when it has none.
  const Section* dialect_section(Direction direction, Dialect dialect) const;
  // Its slot, for a parser or reader to fill.
  std::optional<Section>& dialect_slot(Direction direction, Dialect dialect);

  // The section that runs on `dialect`: the dialect's own, else the plain one;
  // null only for the down direction of an irreversible script.
  const Section* section(Direction direction, Dialect dialect) const;

  // SHA-256 (hex) of the section that runs on `dialect`, normalised so that a
  // re-save with other line endings or trailing white space keeps the value.
  // Empty when there is no such section.
  std::string checksum(Direction direction, Dialect dialect) const;

  // Whether `hex` is checksum(Direction::up, dialect), as a version row
  // records it.
  bool up_checksum_is(Dialect dialect, std::string_view hex) const;

  // checksum(Direction::up, dialect)'s digest once known, or null; kept
  // because a no-op upgrade compares every applied revision's, and filled in
  // by the script cache (script_cache.hpp) and by embedded sets. Down
  // checksums are not kept: nothing asks for them twice. Binary rather than
  // hex, as it is kept for every script.
  using Digest = std::array<unsigned char, 32>;
  const Digest* known_up_checksum(Dialect dialect) const;
  void remember_up_checksum(Dialect dialect, const Digest& digest) const;

  // Copies what slug, path, message and the sections view into `text`, each
  // followed by a NUL byte, and points them there, so that they outlive the
  // buffer they were read from.
  void keep_text();
  std::shared_ptr<const char[]> text;
  // Where the sections' SQL is when `text` is a file mapping (kept alive by
  // `text`); null when the texts are in memory of their own.
  const MappedSql* mapped_sql = nullptr;

  // The SQL of `section` to run, NUL-terminated: read into `buffer` when it
  // is mapped, so that an upgrade of a thousand scripts never has their SQL
  // resident; else section.sql itself.
  std::string_view sql_to_run(const Section& section, std::string& buffer) const {
    return mapped_sql ? mapped_sql->read(section.sql, buffer) : section.sql;
  }

 private:
  mutable std::array<Digest, 2> up_checksums_{};  // by Dialect, where known_up_checksums_ says
};

// The result of parsing: a script when there was no error, and every problem found.
struct ParseResult {
  std::optional<Script> script;
  std::vector<Diagnostic> diagnostics;
};

// Parses `content` as the script at `path` (which supplies the id and slug:
// only its file name is looked at). Pure: reads nothing from disk.
ParseResult parse_script(std::string_view path, std::string_view content);

// Every `*.sql` file of a directory, parsed.
struct ScriptSet {
  std::vector<Script> scripts;  // sorted by id, numerically
  std::vector<Diagnostic> diagnostics;  // all problems of all files, in file order
};

class ScriptCache;

// Reads and parses every `*.sql` file directly inside `directory`; other files
// are ignored. Paths in diagnostics are `directory / file name` as given.
// A missing or unreadable directory is a diagnostic, not an exception.
// With a `cache`, files unchanged since it was written are not read again.
ScriptSet load_scripts(const std::string& directory, const ScriptCache* cache = nullptr);

// Orders revision ids numerically ("0003" < "20261125143000"); ties between
// equal numbers with different zero padding fall back to the text.
bool id_less(std::string_view a, std::string_view b);

// True when `a` and `b` denote the same number ("03" and "003").
bool id_same_number(std::string_view a, std::string_view b);

}  // namespace retort
