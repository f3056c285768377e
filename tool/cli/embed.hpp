#pragma once

#include <string>
#include <string_view>

#include "commands.hpp"
#include "retort/graph.hpp"

namespace retort::cli {

// `bytes` as the body of a C++ string literal: one literal per source line
// ("...\n" then a line break), quotes, backslashes and '?' escaped, every byte
// outside printable ASCII as a three-digit octal escape. No delimiter to
// guess, as a raw string would have, and linear in the size of `bytes`.
std::string cpp_string_literal(std::string_view bytes);

// Writes <name>_migrations.hpp and .cpp into options.output_dir: a function
// `<name>_migrations()` returning every script of `graph` as EmbeddedScript.
// A file whose content would not change is left alone, so its mtime (and
// anything compiled from it) stays. Throws DiagnosticError on a bad name or
// an unreadable script.
void write_embedded(const EmbedOptions& options, const RevisionGraph& graph);

}  // namespace retort::cli
