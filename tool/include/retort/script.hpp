#pragma once

#include <array>
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
enum class TransactionMode {
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
  int parent_line = 0;               // where the parent directive is (0 when none)
  std::string_view message;          // "-- retort:message"; the slug's words when absent
  TransactionMode transaction = TransactionMode::per_migration;
  bool irreversible = false;

  // Plain sections, and the per-dialect overrides indexed by Dialect.
  std::optional<Section> up, down;
  std::array<std::optional<Section>, 2> dialect_up, dialect_down;

  // The section that runs on `dialect`: the dialect's own, else the plain one;
  // null only for the down direction of an irreversible script.
  const Section* section(Direction direction, Dialect dialect) const;

  // SHA-256 (hex) of the section that runs on `dialect`, normalised so that a
  // re-save with other line endings or trailing white space keeps the value.
  // Empty when there is no such section.
  std::string checksum(Direction direction, Dialect dialect) const;

  // checksum(Direction::up, dialect)'s result once known, by Dialect; kept
  // because a no-op upgrade compares every applied revision's, and filled in
  // by the script cache (script_cache.hpp) and by embedded sets. Down
  // checksums are not kept: nothing asks for them twice.
  using Checksum = std::array<char, 64>;
  mutable std::array<std::optional<Checksum>, 2> up_checksums;

  // Copies what slug, path, message and the sections view into `text`, each
  // followed by a NUL byte, and points them there, so that they outlive the
  // buffer they were read from.
  void keep_text();
  std::shared_ptr<const char[]> text;
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
