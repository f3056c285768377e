#pragma once

#include <string>

namespace retort {

// Reads the whole file at `path` into `content` with one read sized by fstat
// (scripts and caches are read often: no stream buffers, no second copy).
// Returns 0, or the errno of what failed.
int read_file(const std::string& path, std::string& content);

}  // namespace retort
