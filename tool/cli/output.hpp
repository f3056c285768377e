#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "retort/diagnostic.hpp"

namespace retort::cli {

// How much the commands say.
enum class Verbosity { quiet, normal, verbose };

// Terminal output: colour only on a terminal and never with NO_COLOR set;
// results on stdout, diagnostics on stderr.
class Output {
 public:
  Output();

  Verbosity verbosity = Verbosity::normal;

  // A line of normal progress output (suppressed by --quiet).
  void info(std::string_view line) const;
  // A line only --verbose shows.
  void detail(std::string_view line) const;
  // A result line: always printed (it is what the command is for).
  void result(std::string_view line) const;
  // A warning on stderr.
  void warning(std::string_view message) const;
  // Diagnostics on stderr, "error:" in red on a terminal.
  void diagnostics(const std::vector<Diagnostic>& diagnostics) const;
  // Diagnostics that do not stop the command, labelled "warning:".
  void warnings(const std::vector<Diagnostic>& diagnostics) const;

  // `text` wrapped in an SGR colour code when stdout is a terminal.
  std::string green(std::string_view text) const { return paint(text, "32", color_out_); }
  std::string bold(std::string_view text) const { return paint(text, "1", color_out_); }
  std::string dim(std::string_view text) const { return paint(text, "2", color_out_); }

 private:
  static std::string paint(std::string_view text, const char* code, bool enabled);
  // Diagnostics on stderr with `severity`'s label, coloured on a terminal.
  void print(const std::vector<Diagnostic>& diagnostics, Severity severity) const;
  bool color_out_ = false;
  bool color_err_ = false;
};

}  // namespace retort::cli
