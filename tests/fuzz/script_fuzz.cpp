// The migration script parser on any bytes: it ends in a script or in
// diagnostics, never in a crash, and what users then see (the diagnostics'
// text, the sections' checksums) is computed without one either.
#include "fuzz/fuzz_target.hpp"
#include "retort/script.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace retort;
  auto result = parse_script("migrations/0042_fuzzed_input.sql", fuzz::as_text(data, size));
  fuzz::check(result.script.has_value() || !result.diagnostics.empty());
  for (const auto& diagnostic : result.diagnostics) format_diagnostic(diagnostic);
  if (result.script) {
    for (auto direction : {Direction::up, Direction::down})
      for (auto dialect : {Dialect::sqlite, Dialect::postgres})
        fuzz::check(result.script->section(direction, dialect) == nullptr ||
                    result.script->checksum(direction, dialect).size() == 64);
  }
  return 0;
}
