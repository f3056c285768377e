#pragma once

#include <string>
#include <string_view>

namespace retort::testing {

// A unified-style diff of `before` and `after` by lines ("--- before_name",
// "+++ after_name", "@@ -l,n +l,n @@" hunks with three lines of context);
// empty when the texts are equal. Exact (longest common subsequence) where the
// differing middle is small, which schema dumps are; beyond that the middle is
// shown as removed, then added, rather than spending quadratic time.
std::string line_diff(std::string_view before, std::string_view after,
                      std::string_view before_name, std::string_view after_name);

}  // namespace retort::testing
