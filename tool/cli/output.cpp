#include "output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace retort::cli {

namespace {
bool wants_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return isatty(fd) == 1;
}
}  // namespace

Output::Output() : color_out_(wants_color(STDOUT_FILENO)), color_err_(wants_color(STDERR_FILENO)) {}

std::string Output::paint(std::string_view text, const char* code, bool enabled) {
  if (!enabled) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

void Output::info(std::string_view line) const {
  if (verbosity != Verbosity::quiet) fmt::print("{}\n", line);
}

void Output::detail(std::string_view line) const {
  if (verbosity == Verbosity::verbose) fmt::print("{}\n", line);
}

void Output::result(std::string_view line) const { fmt::print("{}\n", line); }

void Output::warning(std::string_view message) const {
  std::fflush(stdout);
  fmt::print(stderr, "retort: {} {}\n", paint("warning:", "35", color_err_), message);
}

void Output::diagnostics(const std::vector<Diagnostic>& diagnostics) const {
  print(diagnostics, Severity::error);
}

void Output::warnings(const std::vector<Diagnostic>& diagnostics) const {
  print(diagnostics, Severity::warning);
}

void Output::print(const std::vector<Diagnostic>& diagnostics, Severity severity) const {
  std::fflush(stdout);
  const bool error = severity == Severity::error;
  const std::string label = error ? "error:" : "warning:";
  const std::string plain = fmt::format(": {} ", label);
  for (const auto& d : diagnostics) {
    auto text = format_diagnostic(d, severity);
    if (color_err_) {
      auto at = text.find(plain);
      if (at != std::string::npos)
        text.replace(at, plain.size(), fmt::format(": {} ", paint(label, error ? "1;31" : "35", true)));
    }
    fmt::print(stderr, "{}", text);
  }
}

}  // namespace retort::cli
