// The .env reader: python-dotenv's syntax, so a project can keep the .env it
// already has for its Python (or Docker Compose) tooling.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "retort/config.hpp"

namespace retort {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool is_valid_key(std::string_view key) {
  auto alpha = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; };
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (key.empty() || !alpha(key.front())) return false;
  return std::all_of(key.begin(), key.end(),
                     [&](char c) { return alpha(c) || digit(c) || c == '.'; });
}

// A malformed line cannot be trusted to have a well-formed key, so look at the
// whole text: anything that smells of a credential is kept out of the output.
bool line_may_hold_secret(std::string_view line, std::string_view key_candidate) {
  if (is_secret_key(key_candidate)) return true;
  if (line.find("://") != std::string_view::npos) return true;
  auto text = upper(line);
  for (std::string_view word : {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "DATABASE_URL"})
    if (text.find(word) != std::string::npos) return true;
  return false;
}

// Walks the file once. Values in quotes may span lines, so the parser keeps a
// byte position and a line number rather than splitting the text up front.
class Parser {
 public:
  Parser(std::string_view path, std::string_view content) : content_(content) {
    result_.path = std::string(path);
    // A UTF-8 byte order mark is invisible in editors; it is not part of the first key.
    if (content_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  DotEnv run() {
    while (!at_end()) parse_line();
    return std::move(result_);
  }

 private:
  bool at_end() const { return pos_ >= content_.size(); }
  bool at_eol() const { return at_end() || peek() == '\n' || content_.substr(pos_, 2) == "\r\n"; }
  char peek() const { return content_[pos_]; }

  void skip_blanks() {
    while (!at_end() && is_blank(peek())) ++pos_;
  }

  // Moves past the rest of the line and its line break.
  void skip_line() {
    while (!at_end() && peek() != '\n') ++pos_;
    if (!at_end()) {
      ++pos_;
      ++line_;
    }
  }

  // The text of the line that `at` is on, without its line break.
  std::string_view line_text(std::size_t line_start) const {
    auto end = content_.find('\n', line_start);
    auto text = content_.substr(line_start, end == std::string_view::npos ? end : end - line_start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
  }

  void error(std::size_t line_start, int line, std::size_t at, std::string_view key_candidate,
             std::string message) {
    Diagnostic d;
    d.path = result_.path;
    d.line = line;
    d.column = static_cast<int>(at - line_start) + 1;
    d.message = std::move(message);
    auto text = line_text(line_start);
    if (line_may_hold_secret(text, key_candidate))
      d.notes.push_back("the line is not shown because it may hold a secret");
    else
      d.source_line = std::string(text);
    result_.diagnostics.push_back(std::move(d));
  }

  void parse_line() {
    const std::size_t line_start = pos_;
    const int line = line_;
    skip_blanks();
    if (at_eol() || peek() == '#') return skip_line();

    if (content_.substr(pos_, 6) == "export" && pos_ + 6 < content_.size() &&
        is_blank(content_[pos_ + 6])) {
      pos_ += 6;
      skip_blanks();
    }

    const std::size_t key_start = pos_;
    while (!at_eol() && peek() != '=' && !is_blank(peek())) ++pos_;
    const auto key = content_.substr(key_start, pos_ - key_start);
    skip_blanks();
    if (key.empty() || at_eol() || peek() != '=') {
      error(line_start, line, key_start, key, "expected KEY=VALUE");
      return skip_line();
    }
    if (!is_valid_key(key)) {
      error(line_start, line, key_start, key,
            "invalid key: use letters, digits, '_' and '.', not starting with a digit");
      return skip_line();
    }
    ++pos_;  // '='
    skip_blanks();

    std::string value;
    if (!at_end() && (peek() == '"' || peek() == '\'')) {
      const std::size_t quote_at = pos_;
      if (!parse_quoted(value)) {
        error(line_start, line, quote_at, key, "unterminated quoted value");
        return;  // the unterminated value ran to the end of the file
      }
      // The closing quote may sit on a later line of a multi-line value.
      const std::size_t closing_line_start = content_.rfind('\n', pos_ - 1) + 1;
      skip_blanks();
      if (!at_eol() && peek() != '#') {
        error(closing_line_start, line_, pos_, key, "unexpected text after the closing quote");
        return skip_line();
      }
    } else {
      value = unquoted_value();
    }
    result_.entries.insert_or_assign(std::string(key), DotEnvEntry{std::move(value), line});
    skip_line();
  }

  // Reads a quoted value starting at the opening quote; false when the file
  // ends first. Single quotes are literal; double quotes know a few escapes.
  bool parse_quoted(std::string& value) {
    const char quote = peek();
    ++pos_;
    while (!at_end()) {
      char c = peek();
      ++pos_;
      if (c == quote) return true;
      if (c == '\n') ++line_;
      if (c == '\r' && !at_end() && peek() == '\n') continue;  // keep line breaks as LF
      if (c == '\\' && quote == '"' && !at_end()) {
        const char next = peek();
        static constexpr std::array<std::pair<char, char>, 6> escapes{
            {{'"', '"'}, {'\\', '\\'}, {'\'', '\''}, {'n', '\n'}, {'t', '\t'}, {'r', '\r'}}};
        auto it = std::find_if(escapes.begin(), escapes.end(),
                               [&](const auto& e) { return e.first == next; });
        if (it != escapes.end()) {
          value += it->second;
          ++pos_;
          continue;
        }
        // Like Python's unicode-escape: an unknown escape stays as written.
      }
      value += c;
    }
    return false;
  }

  // The rest of the line; " #" (a '#' after whitespace) starts a comment.
  std::string unquoted_value() {
    const std::size_t start = pos_;
    while (!at_eol()) ++pos_;
    auto text = content_.substr(start, pos_ - start);
    for (std::size_t i = 0; i < text.size(); ++i) {
      // `start` is already past the blanks after '=', so a '#' there had blanks before it.
      if (text[i] == '#' && (i == 0 ? start > 0 && is_blank(content_[start - 1]) : is_blank(text[i - 1]))) {
        text = text.substr(0, i);
        break;
      }
    }
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return std::string(text);
  }

  std::string_view content_;
  std::size_t pos_ = 0;
  int line_ = 1;
  DotEnv result_;
};

}  // namespace

DotEnv parse_dotenv(std::string_view path, std::string_view content) {
  return Parser(path, content).run();
}

bool is_secret_key(std::string_view key) {
  auto name = upper(key);
  for (std::string_view word : {"PASSWORD", "PASSWD", "SECRET", "TOKEN"})
    if (name.find(word) != std::string::npos) return true;
  // DATABASE_URL and its kind (REDIS_URL, ...) carry credentials in the userinfo;
  // *_KEY covers API keys such as Supabase's service key.
  return name.ends_with("URL") || name.ends_with("_KEY") || name == "KEY";
}

std::string mask_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto rest_start = scheme_end + 3;
  const auto rest = url.substr(rest_start);

  // Passwords are often pasted unencoded, so they may hold '@', '/', ':' or '?'.
  // The userinfo ends at the last '@' before the query; when the query marker
  // itself sits inside the password, the last '@' anywhere. Masking too much
  // is harmless, masking too little leaks.
  std::string out(url.substr(0, rest_start));
  const auto query = rest.find_first_of("?#");
  auto at = std::string_view::npos;
  if (query != 0) at = rest.rfind('@', query == std::string_view::npos ? query : query - 1);
  if (at == std::string_view::npos) at = rest.rfind('@');
  std::string_view tail = rest;
  if (at != std::string_view::npos) {
    const auto userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    out += colon == std::string_view::npos ? userinfo : userinfo.substr(0, colon + 1);
    if (colon != std::string_view::npos) out += "***";
    out += '@';
    tail = rest.substr(at + 1);
  }

  // libpq also takes the password as a query parameter (`?password=...`).
  const auto q = tail.find('?');
  out += tail.substr(0, q);
  if (q == std::string_view::npos) return out;
  out += '?';
  auto query_text = tail.substr(q + 1);
  bool first = true;
  while (true) {
    const auto amp = query_text.find('&');
    const auto param = query_text.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const auto eq = param.find('=');
    if (eq != std::string_view::npos && upper(param.substr(0, eq)) == "PASSWORD")
      out += std::string(param.substr(0, eq + 1)) + "***";
    else
      out += param;
    if (amp == std::string_view::npos) break;
    query_text = query_text.substr(amp + 1);
  }
  return out;
}

}  // namespace retort
