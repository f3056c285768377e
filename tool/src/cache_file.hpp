#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace retort {

// Files of the user's cache folder (the script cache, the record cache):
// optimisations only, so failing to write them is silent.

// Replaces `target` with `bytes` at once (a file beside it, renamed over
// it), creating the folder when needed: a reader never sees half a file.
void replace_cache_file(const std::filesystem::path& target, std::string_view bytes);

// Keeps the `kept` most recently written files of `folder` whose names end
// in `extension`, and removes the others.
void keep_newest_cache_files(const std::filesystem::path& folder, std::string_view extension,
                             std::size_t kept);

}  // namespace retort
