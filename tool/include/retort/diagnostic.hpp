#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "retort/exit_code.hpp"

namespace retort {

// One problem, located in a file, printed in compiler format so that IDEs and
// CI logs link to it:
//
//   migrations/0004_x.sql:12:4: error: unknown directive 'retort:foo'
//      12 | -- retort:foo bar
//         |    ^
struct Diagnostic {
  std::string path;         // as the user gave it (relative paths stay relative)
  int line = 0;             // 1-based; 0 when the problem is about the whole file
  int column = 0;           // 1-based byte column; 0 when unknown
  std::string message;      // without the "error: " prefix
  std::string source_line;  // the offending line, shown under the message when set
  std::vector<std::string> notes;  // extra lines, printed as "note: ..."
};

// How a diagnostic is labelled: an error stops the command, a warning does not.
enum class Severity { error, warning };

// The exact text of `d`, ending in a newline.
std::string format_diagnostic(const Diagnostic& d, Severity severity = Severity::error);

// A failure that has already been described with diagnostics; thrown up to the
// CLI, which prints every diagnostic once and exits with `code`.
class DiagnosticError : public std::runtime_error {
 public:
  DiagnosticError(ExitCode code, std::vector<Diagnostic> diagnostics);
  DiagnosticError(ExitCode code, Diagnostic diagnostic);

  ExitCode code() const { return code_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  ExitCode code_;
  std::vector<Diagnostic> diagnostics_;
};

// Shorthand for a failure that has no file to point at ("retort: error: ...").
[[noreturn]] void fail(ExitCode code, std::string message,
                       std::vector<std::string> notes = {});

}  // namespace retort
