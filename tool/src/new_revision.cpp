#include "retort/new_revision.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "retort/script.hpp"

namespace retort {

namespace {

// Ids longer than this are taken for timestamps, not sequence numbers.
constexpr std::size_t max_sequence_width = 8;

// `id` + 1, as a digit string of at least `width` digits.
std::string increment(std::string id, std::size_t width) {
  int i = static_cast<int>(id.size()) - 1;
  for (; i >= 0; --i) {
    if (id[i] != '9') {
      ++id[i];
      break;
    }
    id[i] = '0';
  }
  if (i < 0) id.insert(id.begin(), '1');
  if (id.size() < width) id.insert(0, width - id.size(), '0');
  return id;
}

}  // namespace

std::string next_revision_id(const std::vector<std::string>& existing,
                             std::chrono::system_clock::time_point now) {
  auto stamp = fmt::format("{:%Y%m%d%H%M%S}", std::chrono::floor<std::chrono::seconds>(now));
  if (existing.empty()) return stamp;
  auto largest = *std::max_element(existing.begin(), existing.end(),
                                   [](const std::string& a, const std::string& b) { return id_less(a, b); });
  if (largest.size() <= max_sequence_width) return increment(largest, largest.size());
  return id_less(largest, stamp) ? stamp : increment(largest, largest.size());
}

std::string slugify(std::string_view message) {
  std::string slug;
  for (unsigned char c : message) {
    if (std::isalnum(c) && c < 0x80) {
      slug += static_cast<char>(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '_') {
      slug += '_';
    }
    if (slug.size() >= 40) break;
  }
  while (!slug.empty() && slug.back() == '_') slug.pop_back();
  return slug.empty() ? "revision" : slug;
}

std::string render_script(const NewRevision& revision, bool merge) {
  std::string out;
  if (!revision.parents.empty())
    out += fmt::format("-- retort:parent {}\n", fmt::join(revision.parents, " "));
  out += fmt::format("-- retort:message {}\n\n", revision.message);
  if (merge) return out + "-- retort:up\n\n-- retort:down\n";
  return out + "-- retort:up\n" +
         revision.up.value_or("-- SQL that applies this revision. Add '-- retort:up sqlite' or\n"
                              "-- '-- retort:up postgres' sections where the dialects differ.\n") +
         "\n-- retort:down\n" +
         revision.down.value_or("-- SQL that reverts it exactly, in reverse order.\n");
}

}  // namespace retort
