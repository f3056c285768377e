#include "retort/diagnostic.hpp"

#include <fmt/format.h>

namespace retort {

std::string format_diagnostic(const Diagnostic& d, Severity severity) {
  std::string out = d.path.empty() ? std::string("retort") : d.path;
  if (d.line > 0) out += fmt::format(":{}", d.line);
  if (d.line > 0 && d.column > 0) out += fmt::format(":{}", d.column);
  out += fmt::format(": {}: {}\n", severity == Severity::error ? "error" : "warning", d.message);
  if (!d.source_line.empty()) {
    auto gutter = fmt::format("{:>5}", d.line);
    out += fmt::format("{} | {}\n", gutter, d.source_line);
    if (d.column > 0) {
      // Keep tabs so the caret lines up under the same byte in a terminal.
      std::string pad;
      for (int i = 0; i + 1 < d.column && i < static_cast<int>(d.source_line.size()); ++i)
        pad += d.source_line[i] == '\t' ? '\t' : ' ';
      out += fmt::format("{} | {}^\n", std::string(gutter.size(), ' '), pad);
    }
  }
  for (const auto& note : d.notes) out += fmt::format("note: {}\n", note);
  return out;
}

DiagnosticError::DiagnosticError(ExitCode code, std::vector<Diagnostic> diagnostics)
    : std::runtime_error(diagnostics.empty() ? std::string("error")
                                             : diagnostics.front().message),
      code_(code),
      diagnostics_(std::move(diagnostics)) {}

DiagnosticError::DiagnosticError(ExitCode code, Diagnostic diagnostic)
    : DiagnosticError(code, std::vector<Diagnostic>{std::move(diagnostic)}) {}

void fail(ExitCode code, std::string message, std::vector<std::string> notes) {
  Diagnostic d;
  d.message = std::move(message);
  d.notes = std::move(notes);
  throw DiagnosticError(code, std::move(d));
}

}  // namespace retort
