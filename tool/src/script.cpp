#include "retort/script.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <span>
#include <vector>

#include "checksum.hpp"

namespace retort {

namespace {

constexpr std::string_view directive_prefix = "retort:";
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view known_directives[] = {"parent", "message", "transaction",
                                                 "irreversible", "up", "down"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
bool is_slug_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '-';
}
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

std::string_view trim_trailing(std::string_view s) {
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view strip_zeros(std::string_view id) {
  while (!id.empty() && id.front() == '0') id.remove_prefix(1);
  return id;
}

// The id and slug of `<digits>_<slug>.sql`, or nothing when the name is not of
// that shape. Only the part after the last '/' is the file name.
struct FileName {
  std::string_view id, slug;
};
std::optional<FileName> split_file_name(std::string_view path) {
  auto slash = path.rfind('/');
  auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (!name.ends_with(".sql")) return std::nullopt;
  name.remove_suffix(4);
  std::size_t digits = 0;
  while (digits < name.size() && is_digit(name[digits])) ++digits;
  if (digits == 0 || digits == name.size() || name[digits] != '_') return std::nullopt;
  auto slug = name.substr(digits + 1);
  if (slug.empty() || !std::all_of(slug.begin(), slug.end(), is_slug_char)) return std::nullopt;
  return FileName{name.substr(0, digits), slug};
}

// The offset of the first byte that is a NUL or not part of well-formed UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
struct EncodingProblem {
  std::size_t offset;
  bool nul;
};
std::optional<EncodingProblem> find_encoding_problem(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0) return EncodingProblem{i, true};
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return EncodingProblem{i, false};
    }
    if (i + length > n || p[i + 1] < low || p[i + 1] > high) return EncodingProblem{i, false};
    for (std::size_t k = 2; k < length; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return EncodingProblem{i, false};
    i += length;
  }
  return std::nullopt;
}

// Optimal string alignment distance, case-insensitive; names are a few bytes.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// The known directive a misspelt `name` most likely meant, if any is close.
std::optional<std::string_view> closest_directive(std::string_view name) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 3;
  for (auto known : known_directives) {
    auto distance = edit_distance(name, known);
    if (distance < best_distance && distance < name.size()) {
      best = known;
      best_distance = distance;
    }
  }
  return best;
}

// A "-- retort:<name> <argument>" line, split up; columns are 1-based.
struct Directive {
  std::string_view name;
  std::string_view argument;
  int column = 0;           // of "retort:"
  int argument_column = 0;  // of the argument, or just past the name when there is none
};

std::optional<Directive> parse_directive(std::string_view line, std::size_t start) {
  std::size_t i = start;
  while (i < line.size() && is_blank(line[i])) ++i;
  if (line.substr(i, 2) != "--") return std::nullopt;
  i += 2;
  while (i < line.size() && is_blank(line[i])) ++i;
  if (!line.substr(i).starts_with(directive_prefix)) return std::nullopt;
  Directive d;
  d.column = static_cast<int>(i) + 1;
  i += directive_prefix.size();
  const std::size_t name_start = i;
  while (i < line.size() && !is_blank(line[i])) ++i;
  d.name = line.substr(name_start, i - name_start);
  d.argument_column = static_cast<int>(i) + 1;
  while (i < line.size() && is_blank(line[i])) ++i;
  d.argument = trim_trailing(line.substr(i));
  if (!d.argument.empty()) d.argument_column = static_cast<int>(i) + 1;
  return d;
}

std::string section_name(Direction direction, std::optional<Dialect> dialect) {
  std::string name = direction == Direction::up ? "up" : "down";
  if (dialect) fmt::format_to(std::back_inserter(name), " {}", dialect_name(*dialect));
  return name;
}

// Lines trimmed at the end, blank lines at both ends dropped, joined by LF.
std::string normalise_sql(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  std::size_t pending_blank_lines = 0;
  bool any = false;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    auto end = sql.find('\n', pos);
    if (end == std::string_view::npos) end = sql.size();
    auto line = trim_trailing(sql.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) {
      if (any) ++pending_blank_lines;
      continue;
    }
    if (any) out.append(pending_blank_lines + 1, '\n');
    pending_blank_lines = 0;
    out += line;
    any = true;
  }
  return out;
}

// CRLF to LF; copies only when there is a CR at all.
std::string_view to_lf(std::string_view content, std::string& storage) {
  if (content.find('\r') == std::string_view::npos) return content;
  storage.reserve(content.size());
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\r' && i + 1 < content.size() && content[i + 1] == '\n') continue;
    storage += content[i];
  }
  return storage;
}

class Parser {
 public:
  Parser(std::string_view path, ParseResult& result) : path_(path), result_(result) {
    script_.path = path;
  }

  void run(std::string_view content) {
    if (auto name = split_file_name(path_)) {
      script_.id = std::string(name->id);
      script_.slug = name->slug;
    } else {
      error(0, 0, "file name must be <digits>_<slug>.sql, e.g. 0001_create_users.sql");
    }
    if (auto problem = find_encoding_problem(content)) {
      encoding_error(content, *problem);
      return;
    }
    text_ = to_lf(content, lf_storage_);
    auto body = text_.starts_with(utf8_bom) ? text_.substr(utf8_bom.size()) : text_;
    if (std::all_of(body.begin(), body.end(), is_space)) {
      error(0, 0, "script is empty; add '-- retort:up' and '-- retort:down' sections");
      return;
    }
    scan_lines();
    check_sections();
    if (!result_.diagnostics.empty()) return;
    std::string slug_words;
    if (script_.message.empty()) {
      slug_words = script_.slug;
      std::replace(slug_words.begin(), slug_words.end(), '_', ' ');
      std::replace(slug_words.begin(), slug_words.end(), '-', ' ');
      script_.message = slug_words;
    }
    script_.keep_text();
    result_.script = std::move(script_);
  }

 private:
  void error(int line, int column, std::string message, std::string_view source_line = {},
             std::vector<std::string> notes = {}) {
    Diagnostic d;
    d.path = std::string(path_);
    d.line = line;
    d.column = column;
    d.message = std::move(message);
    d.source_line = std::string(source_line);
    d.notes = std::move(notes);
    result_.diagnostics.push_back(std::move(d));
  }

  // The line is shown only up to the bad byte (as '?'): what follows may be
  // binary that would garble the terminal.
  void encoding_error(std::string_view content, EncodingProblem problem) {
    auto before = content.substr(0, problem.offset);
    const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    auto line_start = before.rfind('\n');
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    const int column = static_cast<int>(problem.offset - line_start) + 1;
    auto shown = std::string(before.substr(line_start)) + '?';
    if (problem.nul) {
      error(line, column, "NUL byte in script; migration scripts must be UTF-8 text", shown);
    } else {
      error(line, column,
            fmt::format("invalid UTF-8 byte 0x{:02x}; save the script as UTF-8",
                        static_cast<unsigned char>(content[problem.offset])),
            shown);
    }
  }

  void scan_lines() {
    std::size_t pos = 0;
    int line_number = 0;
    while (pos < text_.size()) {
      auto end = text_.find('\n', pos);
      const std::size_t next = end == std::string_view::npos ? text_.size() : end + 1;
      if (end == std::string_view::npos) end = text_.size();
      const auto line = text_.substr(pos, end - pos);
      ++line_number;
      // A BOM counts as leading white space so that a directive on line 1 is seen.
      const std::size_t start =
          line_number == 1 && line.starts_with(utf8_bom) ? utf8_bom.size() : 0;
      if (auto directive = parse_directive(line, start)) {
        handle_directive(*directive, line, line_number, pos, next);
      } else if (!open_section_) {
        check_header_line(line, start, line_number);
      }
      pos = next;
    }
    close_section(text_.size());
  }

  void check_header_line(std::string_view line, std::size_t start, int line_number) {
    std::size_t i = start;
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size() || line.substr(i, 2) == "--" || reported_sql_before_section_) return;
    reported_sql_before_section_ = true;
    error(line_number, static_cast<int>(i) + 1,
          "SQL before the first section; put it under '-- retort:up' or '-- retort:down'", line);
  }

  void handle_directive(const Directive& d, std::string_view line, int line_number,
                        std::size_t line_start, std::size_t next_line_start) {
    if (d.name == "up" || d.name == "down") {
      const auto direction = d.name == "up" ? Direction::up : Direction::down;
      section_directive(d, direction, line, line_number, line_start, next_line_start);
      return;
    }
    const bool header = d.name == "parent" || d.name == "message" || d.name == "transaction" ||
                        d.name == "irreversible";
    if (!header) {
      unknown_directive(d, line, line_number);
      return;
    }
    // A misplaced directive is still applied, so that a late
    // "retort:irreversible" does not also cause a "missing down section".
    if (first_section_line_ != 0) {
      error(line_number, d.column,
            fmt::format("header directive 'retort:{}' after the first section; move it above "
                        "line {}",
                        d.name, first_section_line_),
            line);
    }
    auto& first_line = d.name == "parent"    ? script_.parent_line
                       : d.name == "message" ? message_line_
                       : d.name == "transaction" ? transaction_line_
                                                 : irreversible_line_;
    if (first_line != 0) {
      error(line_number, d.column, fmt::format("duplicate 'retort:{}'", d.name), line,
            {fmt::format("first given at line {}", first_line)});
      return;
    }
    first_line = line_number;
    if (d.name == "parent") {
      parent_directive(d, line, line_number);
    } else if (d.name == "message") {
      if (d.argument.empty())
        error(line_number, d.argument_column, "missing text after 'retort:message'", line);
      script_.message = d.argument;
    } else if (d.name == "transaction") {
      if (d.argument.empty()) {
        error(line_number, d.argument_column,
              "missing mode after 'retort:transaction'; the only mode is 'none'", line);
      } else if (d.argument != "none") {
        error(line_number, d.argument_column,
              fmt::format("unknown transaction mode '{}'; the only mode is 'none'", d.argument),
              line);
      } else {
        script_.transaction = TransactionMode::none;
      }
    } else {
      if (!d.argument.empty())
        error(line_number, d.argument_column,
              fmt::format("unexpected '{}' after 'retort:irreversible'; it takes no argument",
                          d.argument),
              line);
      script_.irreversible = true;
    }
  }

  void parent_directive(const Directive& d, std::string_view line, int line_number) {
    const auto argument = d.argument;
    auto is_separator = [](char c) { return is_blank(c) || c == ','; };
    bool any_id = false;
    for (std::size_t i = 0; i < argument.size();) {
      while (i < argument.size() && is_separator(argument[i])) ++i;
      const std::size_t start = i;
      while (i < argument.size() && !is_separator(argument[i])) ++i;
      if (start == i) break;
      any_id = true;
      const auto id = argument.substr(start, i - start);
      const int column = d.argument_column + static_cast<int>(start);
      if (!all_digits(id)) {
        error(line_number, column,
              fmt::format("bad parent id '{}'; use the digits that start the parent's file "
                          "name, e.g. '0002'",
                          id),
              line);
      } else if (id == script_.id) {
        error(line_number, column,
              "script names itself as its parent; name the revision it follows", line);
      } else if (std::find(script_.parents.begin(), script_.parents.end(), id) !=
                 script_.parents.end()) {
        error(line_number, column, fmt::format("parent '{}' is listed twice", id), line);
      } else {
        script_.parents.emplace_back(id);
      }
    }
    if (!any_id)
      error(line_number, d.argument_column, "missing revision id after 'retort:parent'", line);
  }

  void unknown_directive(const Directive& d, std::string_view line, int line_number) {
    std::vector<std::string> notes;
    if (d.name.empty()) {
      auto word = d.argument.substr(0, d.argument.find_first_of(" \t"));
      if (std::find(std::begin(known_directives), std::end(known_directives), word) !=
          std::end(known_directives))
        notes.push_back(fmt::format("did you mean 'retort:{}'? no space after the colon", word));
    } else if (auto suggestion = closest_directive(d.name)) {
      notes.push_back(fmt::format("did you mean 'retort:{}'?", *suggestion));
    }
    notes.emplace_back(
        "known directives: retort:parent, retort:message, retort:transaction, "
        "retort:irreversible, retort:up, retort:down");
    error(line_number, d.column, fmt::format("unknown directive 'retort:{}'", d.name), line,
          std::move(notes));
  }

  void section_directive(const Directive& d, Direction direction, std::string_view line,
                         int line_number, std::size_t line_start, std::size_t next_line_start) {
    close_section(line_start);
    if (first_section_line_ == 0) first_section_line_ = line_number;
    // Until the section is known to be good, its body is read into a scratch
    // section so that it is attributed to nothing else.
    open_section_ = &discarded_;
    std::optional<Dialect> dialect;
    if (!d.argument.empty()) {
      dialect = parse_dialect(d.argument);
      if (!dialect) {
        error(line_number, d.argument_column,
              fmt::format("unknown dialect '{}'; use 'sqlite' or 'postgres'", d.argument), line);
        return;
      }
    }
    auto& slot = dialect ? script_.dialect_slot(direction, *dialect)
                         : (direction == Direction::up ? script_.up : script_.down);
    if (slot) {
      error(line_number, d.column,
            fmt::format("duplicate section '{}'", section_name(direction, dialect)), line,
            {fmt::format("first defined at line {}", slot->directive_line)});
      return;
    }
    if (direction == Direction::down && script_.irreversible) {
      error(line_number, d.column,
            "down section in an irreversible script; remove it or remove "
            "'-- retort:irreversible'",
            line, {fmt::format("declared irreversible at line {}", irreversible_line_)});
    }
    slot.emplace();
    slot->directive_line = line_number;
    slot->first_line = line_number + 1;
    open_section_ = &*slot;
    body_start_ = next_line_start;
  }

  void close_section(std::size_t end) {
    if (open_section_ && open_section_ != &discarded_)
      open_section_->sql = text_.substr(body_start_, end - body_start_);
    open_section_ = nullptr;
  }

  // Every dialect needs an up section, and a down one unless irreversible.
  void check_sections() {
    missing_section(Direction::up, script_.up);
    if (!script_.irreversible) missing_section(Direction::down, script_.down);
  }

  void missing_section(Direction direction, const std::optional<Section>& plain) {
    if (plain) return;
    const auto name = section_name(direction, std::nullopt);
    const bool has_sqlite = script_.dialect_section(direction, Dialect::sqlite) != nullptr;
    const bool has_postgres = script_.dialect_section(direction, Dialect::postgres) != nullptr;
    if (!has_sqlite && !has_postgres) {
      error(0, 0,
            fmt::format("missing {} section for sqlite and postgres; add '-- retort:{}'{}", name,
                        name, direction == Direction::down ? " or '-- retort:irreversible'" : ""));
    } else if (!has_sqlite || !has_postgres) {
      const auto missing = dialect_name(has_sqlite ? Dialect::postgres : Dialect::sqlite);
      error(0, 0,
            fmt::format("missing {} section for {}; add '-- retort:{} {}' or '-- retort:{}'",
                        name, missing, name, missing, name));
    }
  }

  std::string_view path_;
  ParseResult& result_;
  Script script_;
  std::string lf_storage_;
  std::string_view text_;  // the content with LF line endings
  int message_line_ = 0, transaction_line_ = 0, irreversible_line_ = 0;
  int first_section_line_ = 0;
  bool reported_sql_before_section_ = false;
  Section* open_section_ = nullptr;
  Section discarded_;
  std::size_t body_start_ = 0;
};

}  // namespace

std::string_view dialect_name(Dialect d) {
  return d == Dialect::sqlite ? "sqlite" : "postgres";
}

std::optional<Dialect> parse_dialect(std::string_view name) {
  if (name == "sqlite") return Dialect::sqlite;
  if (name == "postgres") return Dialect::postgres;
  return std::nullopt;
}

const Section* Script::dialect_section(Direction direction, Dialect dialect) const {
  if (!dialect_sections) return nullptr;
  const auto& own = direction == Direction::up ? dialect_sections->up : dialect_sections->down;
  const auto& slot = own[static_cast<std::size_t>(dialect)];
  return slot ? &*slot : nullptr;
}

std::optional<Section>& Script::dialect_slot(Direction direction, Dialect dialect) {
  auto& sections = dialect_sections.get_or_make();
  return (direction == Direction::up ? sections.up : sections.down)[static_cast<std::size_t>(dialect)];
}

const Section* Script::section(Direction direction, Dialect dialect) const {
  if (const auto* own = dialect_section(direction, dialect)) return own;
  const auto& plain = direction == Direction::up ? up : down;
  return plain ? &*plain : nullptr;
}

bool Script::up_checksum_is(Dialect dialect, std::string_view hex) const {
  if (const auto* known = known_up_checksum(dialect)) return is_hex_of(hex, *known);
  return checksum(Direction::up, dialect) == hex;
}

std::string Script::checksum(Direction direction, Dialect dialect) const {
  const auto* s = section(direction, dialect);
  if (direction == Direction::down || s == nullptr)
    return s ? sha256_hex(normalise_sql(s->sql)) : std::string();
  if (const auto* known = known_up_checksum(dialect)) return hex(*known);
  const auto digest = sha256(normalise_sql(s->sql));
  remember_up_checksum(dialect, digest);
  // Without dialect sections both dialects run, and hash, the same text.
  const auto other = dialect == Dialect::sqlite ? Dialect::postgres : Dialect::sqlite;
  if (section(direction, other) == s) remember_up_checksum(other, digest);
  return hex(digest);
}

const Script::Digest* Script::known_up_checksum(Dialect dialect) const {
  const auto index = static_cast<std::size_t>(dialect);
  return known_up_checksums_ & (1u << index) ? &up_checksums_[index] : nullptr;
}

void Script::remember_up_checksum(Dialect dialect, const Digest& digest) const {
  const auto index = static_cast<std::size_t>(dialect);
  up_checksums_[index] = digest;
  known_up_checksums_ |= static_cast<std::uint8_t>(1u << index);
}

void Script::keep_text() {
  std::array<std::string_view*, 9> views{&slug, &path, &message};
  std::size_t count = 3;
  auto keep = [&](std::optional<Section>& section) {
    if (section) views[count++] = &section->sql;
  };
  keep(up);
  keep(down);
  if (dialect_sections) {
    auto& own = dialect_sections.get_or_make();
    for (auto* sections : {&own.up, &own.down})
      for (auto& section : *sections) keep(section);
  }
  std::size_t size = 0;
  for (std::size_t i = 0; i < count; ++i) size += views[i]->size() + 1;
  auto block = std::make_shared_for_overwrite<char[]>(size);
  char* out = block.get();
  for (auto* view : std::span(views).first(count)) {
    std::copy(view->begin(), view->end(), out);
    *view = std::string_view(out, view->size());
    out += view->size();
    *out++ = '\0';  // as after a std::string: see StepRequest::sql
  }
  text = std::move(block);
  mapped_sql = nullptr;
}

ParseResult parse_script(std::string_view path, std::string_view content) {
  ParseResult result;
  Parser(path, result).run(content);
  return result;
}

bool id_less(std::string_view a, std::string_view b) {
  const auto x = strip_zeros(a), y = strip_zeros(b);
  if (x.size() != y.size()) return x.size() < y.size();
  if (x != y) return x < y;
  return a < b;
}

bool id_same_number(std::string_view a, std::string_view b) {
  return strip_zeros(a) == strip_zeros(b);
}

}  // namespace retort
