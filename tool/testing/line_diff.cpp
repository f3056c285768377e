#include "line_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace retort::testing {

namespace {

// Above this many cells the LCS table is not worth it (about 16 MB).
constexpr std::size_t max_table_cells = 4'000'000;
constexpr std::size_t context = 3;

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return lines;
}

// One line of the diff: ' ' kept, '-' only in before, '+' only in after.
struct Edit {
  char kind;
  std::string_view line;
};

// The edits turning a[0..n) into b[0..m), by a longest common subsequence.
void diff_middle(std::span<const std::string_view> a, std::span<const std::string_view> b,
                 std::vector<Edit>& out) {
  const std::size_t n = a.size(), m = b.size();
  if (n * m > max_table_cells) {
    for (auto line : a) out.push_back({'-', line});
    for (auto line : b) out.push_back({'+', line});
    return;
  }
  // lcs[i][j]: the LCS length of a[i..) and b[j..).
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out.push_back({' ', a[i++]});
      ++j;
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      out.push_back({'-', a[i++]});  // removals first on a tie, as diff -u shows them
    } else {
      out.push_back({'+', b[j++]});
    }
  }
}

}  // namespace

std::string line_diff(std::string_view before, std::string_view after,
                      std::string_view before_name, std::string_view after_name) {
  if (before == after) return {};
  const auto a = split_lines(before), b = split_lines(after);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;

  std::vector<Edit> edits;
  for (std::size_t i = 0; i < prefix; ++i) edits.push_back({' ', a[i]});
  diff_middle(std::span(a).subspan(prefix, a.size() - prefix - suffix),
              std::span(b).subspan(prefix, b.size() - prefix - suffix), edits);
  for (std::size_t i = a.size() - suffix; i < a.size(); ++i) edits.push_back({' ', a[i]});

  std::string out = fmt::format("--- {}\n+++ {}\n", before_name, after_name);
  if (a.size() == b.size() && prefix == a.size()) {
    // Same lines, different bytes: only the final newline can differ.
    out += "@@ the texts differ only in the newline at the end @@\n";
    return out;
  }
  // Hunks: runs of changes with up to `context` kept lines around them,
  // merged when fewer than 2 * context kept lines separate them.
  std::size_t k = 0;
  std::size_t scanned = 0, line_a = 1, line_b = 1;  // 1-based lines of edits[scanned]
  while (k < edits.size()) {
    auto first_change = std::find_if(edits.begin() + static_cast<std::ptrdiff_t>(k), edits.end(),
                                     [](const Edit& e) { return e.kind != ' '; });
    if (first_change == edits.end()) break;
    std::size_t start = static_cast<std::size_t>(first_change - edits.begin());
    start = start > context ? start - context : 0;
    start = std::max(start, k);
    std::size_t end = static_cast<std::size_t>(first_change - edits.begin());
    std::size_t kept_run = 0;
    for (std::size_t e = end; e < edits.size(); ++e) {
      if (edits[e].kind != ' ') {
        kept_run = 0;
        end = e + 1;
      } else if (++kept_run > 2 * context) {
        break;
      }
    }
    end = std::min(end + context, edits.size());
    for (; scanned < start; ++scanned) {
      if (edits[scanned].kind != '+') ++line_a;
      if (edits[scanned].kind != '-') ++line_b;
    }
    std::size_t count_a = 0, count_b = 0;
    std::string body;
    for (std::size_t e = start; e < end; ++e) {
      if (edits[e].kind != '+') ++count_a;
      if (edits[e].kind != '-') ++count_b;
      body += fmt::format("{}{}\n", edits[e].kind, edits[e].line);
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", line_a, count_a, line_b, count_b) + body;
    k = end;
  }
  return out;
}

}  // namespace retort::testing
