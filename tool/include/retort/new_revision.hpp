#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

// Everything needed to write a new script (`retort revision`, `retort merge`).
struct NewRevision {
  std::string id;
  std::string slug;
  std::vector<std::string> parents;
  std::string message;
  // The sections' SQL when it is known (`revision --autogenerate`); without
  // it, comments say what goes there.
  std::optional<std::string> up, down;
};

// The id for a new revision after `existing` (any order): when the existing
// ids are short sequence numbers ("0007"), the next one with the same width
// ("0008"); otherwise (timestamps, or no scripts yet) the UTC time `now` as
// YYYYMMDDHHMMSS, bumped past the largest existing id if needed.
std::string next_revision_id(const std::vector<std::string>& existing,
                             std::chrono::system_clock::time_point now);

// `message` as a file-name slug: lowercase ASCII letters, digits and single
// underscores, at most 40 characters; "revision" when nothing is left.
std::string slugify(std::string_view message);

// The text of the new script file: header directives, then the up and down
// sections: empty for a `merge`, else `up` and `down` or comments saying
// what goes there.
std::string render_script(const NewRevision& revision, bool merge);

}  // namespace retort
