#pragma once

#include <string_view>

namespace retort::testing {

// Whether `text` is a version row's applied_at: UTC "YYYY-MM-DD HH:MM:SS".
inline bool is_utc_timestamp(std::string_view text) {
  constexpr std::string_view shape = "0000-00-00 00:00:00";
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (shape[i] == '0' ? !digit : text[i] != shape[i]) return false;
  }
  return true;
}

}  // namespace retort::testing
