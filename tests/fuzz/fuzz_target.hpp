#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// libFuzzer's entry point: each tests/fuzz/*_fuzz.cpp defines it once, and
// either libFuzzer (the fuzz preset) or replay_main.cpp (every other build)
// calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace retort::fuzz {

// The fuzzer's bytes as the text the parsers take.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Stops the run like a crash, so that libFuzzer keeps the input, when a
// property the target checks does not hold.
inline void check(bool property) {
  if (!property) __builtin_trap();
}

}  // namespace retort::fuzz
