#pragma once

#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <string_view>

namespace retort {

// Cache files (the script cache, the record cache, the round trip's kept rows):
// optimisations only, so failing to write them is silent.

// Replaces `target` with `parts`, one after the other, at once (a file
// beside it, renamed over it), creating the folder when needed: a reader
// never sees half a file. Returns whether it was written.
bool replace_cache_file(const std::filesystem::path& target,
                        std::initializer_list<std::string_view> parts);

// Keeps the `kept` most recently written files of `folder` whose names end
// in `extension`, and removes the others.
void keep_newest_cache_files(const std::filesystem::path& folder, std::string_view extension,
                             std::size_t kept);

}  // namespace retort
