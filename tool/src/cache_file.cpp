#include "cache_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace retort {

namespace fs = std::filesystem;

bool replace_cache_file(const fs::path& target, std::initializer_list<std::string_view> parts) {
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  auto temporary = target.string() + fmt::format(".{}.tmp", ::getpid());
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    for (auto part : parts) file.write(part.data(), static_cast<std::streamsize>(part.size()));
    if (!file.flush()) {
      fs::remove(temporary, ec);
      return false;
    }
  }
  fs::rename(temporary, target, ec);
  if (ec) fs::remove(temporary, ec);
  return !ec;
}

void keep_newest_cache_files(const fs::path& folder, std::string_view extension,
                             std::size_t kept) {
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != extension) continue;
    std::error_code time_error;
    auto time = it->last_write_time(time_error);
    if (!time_error) files.emplace_back(time, it->path());
  }
  if (files.size() <= kept) return;
  std::sort(files.begin(), files.end());
  for (std::size_t i = 0; i + kept < files.size(); ++i) fs::remove(files[i].second, ec);
}

}  // namespace retort
